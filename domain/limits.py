"""Every size limit a command's fields are held to, stated once: the domain's guards enforce
them and the HTTP request models (`api/http/models.py`) declare the same numbers, so the schema
and the domain cannot disagree on what fits.

Text limits count characters after stripping; list limits count distinct items."""

from __future__ import annotations

from datetime import UTC, datetime

# Who and what: names and references.
ACTOR_MAX = 200
NAME_MAX = 200
"""A person's or team member's name: owner, participant, action item owner."""
TITLE_MAX = 200
ACCOUNT_MAX = 200
EXTERNAL_REF_MAX = 200
SUBJECT_ID_MAX = 200
"""A data subject's pseudonymous id."""
PERSONAL_FIELD_MAX = 320
"""A customer's name, e-mail, phone and account id (320: the longest e-mail address)."""
SLA_TARGET_MAX = 200
DUPLICATE_OF_MAX = 200
COMPONENT_NAME_MAX = 100
CATEGORY_MAX = 100
"""A post-mortem's root-cause category."""
CURRENCY_LENGTH = 3

ONE_LINE_MAX = PERSONAL_FIELD_MAX
"""A text field whose limit is at most this is one line (a title, a name, a tag, a subject):
bidirectional controls are refused there, as they can make it read as something else."""

# Moments.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 1, 1, tzinfo=UTC)
"""Every moment a command or a query takes is from EARLIEST up to LATEST, in UTC: the views
reckon a year back or forward from a moment, which must stay within the calendar."""

# Lists.
LIST_MAX = 200
"""Items in any list a command takes (tags, components, accounts, criteria, steps...)."""
LIST_ITEM_MAX = 200
"""Each item of a list of names (tags, components, accounts, segments, regions)."""
CRITERION_MAX = 1_000
"""Each exit criterion and each de-escalation step."""
POSTMORTEM_ITEM_MAX = 2_000
"""Each answer in a post-mortem's lists (five whys, contributing factors, went well...)."""
FIVE_WHYS_MAX = 7

# Text.
DESCRIPTION_MAX = 20_000
NOTE_MAX = 20_000
POSTMORTEM_TEXT_MAX = 20_000
"""Each post-mortem section: summary, impact, root cause, trigger, detection..."""
SUMMARY_MAX = 10_000
"""A resolution summary."""
STRATEGY_MAX = 10_000
"""A de-escalation strategy."""
DETAIL_MAX = 5_000
"""Impact summaries, evidence, action item descriptions and notes, feedback comments."""
REASON_MAX = 2_000
"""Reasons, overrides, dismissal notes, breach detail and deadline notices."""
COMMUNICATION_SUBJECT_MAX = 300
COMMUNICATION_BODY_MAX = 50_000

# Numbers.
CUSTOMERS_AFFECTED_MAX = 10**10
REVENUE_AT_RISK_MAX = 1e15
RECIPIENT_COUNT_MAX = 10**12
CSAT_MIN, CSAT_MAX = 1, 5
NPS_MIN, NPS_MAX = 0, 10

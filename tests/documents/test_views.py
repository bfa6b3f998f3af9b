"""The view builders alone: events in, plain view objects out, no store and no HTTP."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

import pytest

from domain.escalation import Escalation
from projections.documents.casefile import CaseFile
from projections.documents.external_updates import customer_update, sales_cs_update
from projections.documents.fold import fold
from projections.documents.formatting import a_source, duration_text
from projections.documents.internal_updates import executive_update, tactical_update
from projections.documents.regulator import regulator_response
from projections.documents.render import DocumentRenderer
from projections.documents.timeline import build_timeline
from projections.documents.views import UnknownAudience, postmortem_view, update_view
from tests.documents.scenarios import PERSON, T0, at

View = TypeVar("View")


def events_of(escalation: Escalation) -> list[Any]:
    return list(escalation.collect_events())


def build(
    builder: Callable[[CaseFile, datetime], View], escalation: Escalation, now: datetime
) -> View:
    return builder(fold(events_of(escalation)), now)


def customer_case(**fields: Any) -> Escalation:
    return Escalation.open(
        actor="lee",
        at=T0,
        title="Order never arrived",
        scope="customer",
        source=fields.pop("source", "email"),
        severity="SEV3",
        customer=PERSON | {"subject_id": "s-1"},
        **fields,
    )


def write_to_customer(case: Escalation, minute: int, body: str, **kwargs: Any) -> None:
    """`lee` e-mails the customer at minute `minute`."""
    case.communicate(
        actor="lee", at=at(minute), audience="customer", channel="email", body=body, **kwargs
    )


def test_durations_read_as_people_say_them() -> None:
    assert duration_text(timedelta(seconds=20)) == "under a minute"
    assert duration_text(timedelta(minutes=12)) == "12 min"
    assert duration_text(timedelta(hours=2, minutes=5)) == "2 h 5 min"
    assert duration_text(timedelta(days=1, minutes=30), long=True) == "1 day 30 minutes"
    assert duration_text(timedelta(days=2, hours=3), long=True) == "2 days 3 hours"


def test_sources_take_the_right_article() -> None:
    assert a_source("email") == "an e-mail"
    assert a_source("tools_outage") == "a tools outage"


def test_an_open_customer_update_names_the_owner_and_when_we_write_next() -> None:
    case = customer_case()
    case.assign_owner(actor="lee", at=at(5), owner="Lee Morgan", team="cx")
    case.change_status(actor="lee", at=at(6), status="identified")
    write_to_customer(case, 10, "We have found your parcel.", next_update_due=at(60 * 24))
    view = build(customer_update, case, at(30))
    assert view.greeting == f"Dear {PERSON['name']},"
    assert view.what_we_are_doing == [
        "We have found the cause and are working on a fix.",
        "Lee from our Customer Experience team is looking after your case personally and will "
        "see it through.",
    ]
    assert view.when_you_will_hear_next == (
        "We will write to you again by 2026-11-03 09:00 UTC, or sooner if there is news."
    )
    assert view.latest_message is not None
    assert view.latest_message.paragraphs == ["We have found your parcel."]


def test_a_customer_update_never_promises_a_time_that_has_passed() -> None:
    case = customer_case()
    write_to_customer(case, 1, "Looking into it.", next_update_due=at(60))
    view = build(customer_update, case, at(120))
    assert view.when_you_will_hear_next == "We will write to you again as soon as we have news."


def test_a_global_customer_update_greets_nobody_by_name() -> None:
    outage = Escalation.open(
        actor="dana", at=T0, title="Sign-in fails", scope="global", source="tools_outage",
        severity="SEV1", components=["Sign-in"],
    )  # fmt: skip
    view = build(customer_update, outage, at(10))
    assert view.greeting == "Hello,"
    assert "problems with Sign-in" in view.what_happened[0]


def test_the_tactical_update_names_what_is_missing() -> None:
    case = customer_case()
    view = build(tactical_update, case, at(45))
    assert view.needs == [
        "An owner: nobody owns this escalation yet.",
        "An acknowledgement: received 45 min ago and not acknowledged.",
        "An impact assessment: customers, accounts, revenue and components affected.",
        "Exit criteria: what must hold before this can be resolved.",
        "A de-escalation strategy.",
    ]


def test_the_executive_update_flags_an_overdue_customer_update() -> None:
    case = customer_case()
    write_to_customer(case, 1, "On it.", next_update_due=at(60))
    view = build(executive_update, case, at(90))
    assert "The update to customers promised by 2026-11-02 10:00 UTC is overdue." in view.risks


def test_sales_cs_are_told_not_to_guess_while_the_cause_is_unknown() -> None:
    case = customer_case(account="Globex")
    view = build(sales_cs_update, case, at(5))
    assert view.affected_accounts == ["Globex"]
    assert view.please_avoid[1] == "Guessing at the cause: we will share it once it is confirmed."


def test_the_regulator_response_lists_a_reopening_and_the_legal_deadline() -> None:
    case = customer_case(source="privacy_request", privacy_regime="gdpr", external_ref="DSAR-77")
    case.acknowledge(actor="lee", at=at(10))
    case.resolve(actor="lee", at=at(60), summary="Data erased.")
    case.reopen(actor="lee", at=at(120), reason="A backup still held the data.")
    view = build(regulator_response, case, at(130))
    assert view.subject == "Response to request DSAR-77"
    assert view.addressee == "Data Protection Authority"
    assert (
        view.facts[-1]
        == "2026-11-02 11:00 UTC: We reopened the case to do more for the data subject."
    )
    reference = {fact.label: fact.value for fact in view.reference}
    assert reference["Response due (GDPR)"] == "2026-12-02 09:00 UTC"
    assert not any("[" in line for line in view.resolution_offered)
    assert view.checklist[0].startswith("State the resolution offered")


def test_time_to_resolve_counts_to_the_last_resolution_after_a_reopen() -> None:
    case = customer_case()
    case.resolve(actor="lee", at=at(60), summary="Refunded.")
    case.reopen(actor="lee", at=at(90), reason="Refund bounced.")
    case.resolve(actor="lee", at=at(200), summary="Refunded again.")
    case.record_postmortem(actor="lee", at=at(300), summary="Bounce.", root_cause="Old card.")
    view = postmortem_view(events_of(case), now=at(400))
    resolve = next(m for m in view.durations if m.label == "Time to resolve")
    assert resolve.seconds == 200 * 60
    mitigate = next(m for m in view.durations if m.label == "Time to mitigate")
    assert (mitigate.seconds, mitigate.text) == (None, "not reached")


def test_an_unknown_audience_names_the_known_ones() -> None:
    with pytest.raises(UnknownAudience, match="executive, tactical"):
        update_view("investors", events_of(customer_case()), now=at(1))


def test_markdown_output_neutralises_raw_html_but_keeps_the_words() -> None:
    case = customer_case()
    write_to_customer(case, 1, "a <b>bold</b> claim")
    view = build(customer_update, case, at(2))
    text = DocumentRenderer().render("customer", "md", view)
    assert "a &lt;b>bold&lt;/b> claim" in text


def test_counts_of_one_read_in_the_singular() -> None:
    case = customer_case()
    write_to_customer(case, 1, "Sorry.", recipient_count=1)
    recorded = events_of(case)
    assert build_timeline(recorded)[-1].text == "Update to customers by e-mail (1 recipient)."
    facts = {f.label: f.value for f in executive_update(fold(recorded), at(2)).impact}
    assert facts["Customer updates sent"] == "1 update, 1 recipient"
    write_to_customer(case, 3, "Sorry again.", recipient_count=2)
    facts = {
        f.label: f.value for f in executive_update(fold(recorded + events_of(case)), at(4)).impact
    }
    assert facts["Customer updates sent"] == "2 updates, 3 recipients"


def sync_outage() -> Escalation:
    outage = Escalation.open(
        actor="dana", at=T0, title="Sync stalls", scope="global", source="tools_outage",
        severity="SEV1", components=["Sync", "Sign-in"],
    )  # fmt: skip
    outage.assess_impact(
        actor="dana", at=at(5), customers_affected=100,
        components={"Sync": "major_outage", "Sign-in": "degraded_performance"},
    )  # fmt: skip
    outage.communicate(
        actor="dana", at=at(6), audience="executive", channel="email", body="Brief.",
        next_update_due=at(600),
    )  # fmt: skip
    return outage


def test_a_resolved_stream_shows_no_component_out_of_order_and_no_update_due() -> None:
    """The stream records nothing about the components at resolution (as older streams never
    did): the documents settle them from the resolution itself."""
    outage = sync_outage()
    outage.resolve(actor="dana", at=at(60), summary="Rolled back.")
    recorded = events_of(outage)
    case = fold(recorded)
    assert case.components == {"Sync": "operational", "Sign-in": "operational"}
    brief = executive_update(case, at(61))
    assert brief.next_update_due is None
    assert {f.label: f.value for f in brief.impact}["Components"] == (
        "Sync (operational) and Sign-in (operational)"
    )
    assert customer_update(case, at(61)).next_update_due is None
    assert sales_cs_update(case, at(61)).next_update_due is None
    outage.record_postmortem(actor="dana", at=at(70), summary="Cache.", root_cause="Config.")
    report = postmortem_view(recorded + events_of(outage), now=at(80))
    assert {f.label: f.value for f in report.impact_figures}["Components affected"] == (
        "Sync (major outage) and Sign-in (degraded performance)"
    )


def test_a_reopened_stream_shows_the_assessed_components_and_no_older_promise() -> None:
    outage = sync_outage()
    outage.resolve(actor="dana", at=at(60), summary="Rolled back.")
    outage.reopen(actor="dana", at=at(90), reason="Back again.", next_update_due=at(150))
    case = fold(events_of(outage))
    assert case.components == {"Sync": "major_outage", "Sign-in": "degraded_performance"}
    brief = executive_update(case, at(91))
    # The update the reopening owes, not the one promised before the resolution (at minute 600).
    assert brief.next_update_due == at(150)
    assert brief.next_update == "Next update to executives due by 2026-11-02 11:30 UTC (in 59 min)."


def test_a_ccpa_access_request_states_its_deadline_and_speaks_of_no_erasure() -> None:
    case = customer_case(
        source="privacy_request", privacy_regime="ccpa", privacy_request_type="access",
        external_ref="CCPA-9",
    )  # fmt: skip
    view = build(regulator_response, case, at(30))
    reference = {fact.label: fact.value for fact in view.reference}
    assert reference["Response due (CCPA)"] == "2026-12-17 09:00 UTC"
    assert "Personal data erased" not in reference
    assert view.opening.startswith("This letter sets out how we handled the CCPA access request")
    assert view.facts == ["2026-11-02 09:00 UTC: We received the CCPA access request."]
    assert not any("rase" in item for item in view.checklist)


def test_the_timeline_dates_a_breach_when_the_target_was_missed_and_shows_it_as_of_then() -> None:
    case = customer_case()
    case.add_note(actor="lee", at=at(30), text="Asked the warehouse")
    # the watcher was down: the first response due at minute 15 is recorded at minute 120
    case.record_sla_breach(actor="sla-watcher", at=at(120), target="first_response", due_at=at(15))
    events = events_of(case)

    from projections.documents.views import timeline_view

    now = timeline_view(events, now=at(200)).entries
    assert [entry.kind for entry in now] == ["opened", "sla_breached", "note_added"]
    breach = now[1]
    assert breach.time == at(15)
    assert "recorded 2026-11-02 11:00 UTC" in breach.detail
    # as of minute 60 the target had been missed, though nobody had recorded it yet
    then = timeline_view(events, now=at(200), as_of=at(60)).entries
    assert [entry.kind for entry in then] == ["opened", "sla_breached", "note_added"]
    before = timeline_view(events, now=at(200), as_of=at(10)).entries
    assert [entry.kind for entry in before] == ["opened"]

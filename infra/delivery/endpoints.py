"""The worker's side of webhook and Slack members: the messages of a batch (with the escalation's
facts and each webhook's secret, looked up once per batch), and the endpoints' health.

An endpoint fails from its first failed post until its next success. One that has failed for
`ESCALATIONS_WEBHOOK_DISABLE_AFTER_S` (a day) is disabled: an `EndpointDisabled` event on its
list, so it receives nothing more, and its owner (the address given when it was added, or the
adding actor's own) is told by e-mail when a mail server is configured. The event says whether
they were told, so the list's state shows it.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol
from uuid import UUID

from adapters.delivery.channel import Channel, ChannelUnavailable, Outcome, Outgoing
from domain.distribution_list import MemberKind, split_recipient
from infra.application import Escalations
from infra.delivery.lists import Endpoint
from infra.delivery.messages import Facts, endpoint_outgoing
from infra.delivery.outcomes import Outcomes
from infra.delivery.rows import Due
from infra.settings.delivery import DeliverySettings

NOTICE_KEY = -1
"""The key of an owner's notice: it has no outcome row."""


class EndpointDirectory(Protocol):
    def endpoints(self) -> dict[str, Endpoint]: ...

    def disable(
        self, endpoint: Endpoint, *, reason: str, owner_notice: str, actor: str
    ) -> None: ...


@dataclass
class Prepared:
    """One batch's lookups."""

    app: Escalations
    endpoints: dict[str, Endpoint]
    link_base: str | None
    facts: dict[tuple[str, str], Facts] = field(default_factory=dict)

    def outgoing(self, due: Due, kind: MemberKind) -> Outgoing | Outcome:
        endpoint = self.endpoints.get(due.address)
        if endpoint is None or endpoint.disabled:
            why = "endpoint removed" if endpoint is None else "endpoint disabled"
            return Outcome(due.key, sent=False, permanent=True, reason=why, detail=why)
        return endpoint_outgoing(due, kind, self._facts(due), endpoint.secret)

    def _facts(self, due: Due) -> Facts:
        key = (due.escalation_id, due.communication_id)
        if key not in self.facts:
            escalation: Any = self.app.get(UUID(due.escalation_id))
            said: dict[str, Any] = next(
                (c for c in escalation.communications if c["id"] == due.communication_id), {}
            )
            link = None
            if self.link_base:
                link = (
                    f"{self.link_base.rstrip('/')}/escalations/{due.escalation_id}"
                    f"/updates/{due.audience}"
                )
            self.facts[key] = Facts(
                severity=str(escalation.severity),
                status=str(said.get("status", escalation.status)),
                at=said.get("at", escalation.modified_on),
                link=link,
            )
        return self.facts[key]


class EndpointKeeper:
    def __init__(
        self,
        app: Escalations,
        directory: EndpointDirectory,
        outcomes: Outcomes,
        channel: Channel,
        settings: DeliverySettings,
        now: Callable[[], datetime],
        id_domain: str,
    ) -> None:
        self.app, self.directory, self.outcomes, self.channel = app, directory, outcomes, channel
        self.settings, self.now, self.id_domain = settings, now, id_domain

    def for_batch(self, due: Sequence[Due]) -> Prepared:
        wanted = any(split_recipient(d.address)[0] is not MemberKind.EMAIL for d in due)
        endpoints = self.directory.endpoints() if wanted else {}
        return Prepared(self.app, endpoints, self.settings.link_base_url)

    def after_batch(self, results: Sequence[tuple[str, bool]]) -> None:
        hooks = [(r, sent) for r, sent in results if split_recipient(r)[0] is not MemberKind.EMAIL]
        if not hooks:
            return
        now = self.now()
        self.outcomes.note_endpoints(
            now, {r for r, sent in hooks if sent}, {r for r, sent in hooks if not sent}
        )
        limit = timedelta(seconds=self.settings.webhook_disable_after_s)
        failing = self.outcomes.failing_since(now - limit)
        if not failing:
            return
        known = self.directory.endpoints()
        for recipient in failing:
            endpoint = known.get(recipient)
            if endpoint is not None and not endpoint.disabled:
                reason = f"failing since more than {limit} without a success"
                self.directory.disable(
                    endpoint, reason=reason, owner_notice=self._tell(endpoint, reason),
                    actor=self.settings.worker_name,
                )  # fmt: skip
            self.outcomes.forget_endpoint(recipient)

    def _tell(self, endpoint: Endpoint, reason: str) -> str:
        if not endpoint.owner:
            return f"not told: {endpoint.added_by} gave no e-mail address"
        kind, url = split_recipient(endpoint.recipient)
        text = (
            f"The {kind.value} endpoint {url} was disabled: {reason}. It receives no more "
            "updates. Fix it, then remove it from its distribution list and add it again."
        )
        notice = Outgoing(
            key=NOTICE_KEY, recipient=endpoint.owner,
            message_id=f"<endpoint-disabled.{endpoint.list_id}.{int(self.now().timestamp())}"
            f"@{self.id_domain}>",
            thread_id=f"<distribution-list.{endpoint.list_id}@{self.id_domain}>",
            subject=f"A {kind.value} endpoint was disabled", text=text, html=f"<p>{html.escape(text)}</p>",
        )  # fmt: skip
        try:
            [outcome] = self.channel.send([notice])
        except ChannelUnavailable as error:
            return f"not told: e-mail to {endpoint.owner} could not be sent ({error.reason})"
        if not outcome.sent:
            return f"not told: e-mail to {endpoint.owner} refused ({outcome.reason})"
        return f"told by e-mail to {endpoint.owner}"

"""Opening an escalation: what it is about, where it came from and, for a privacy request, the
legal clock that starts when it was received."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from domain import limits
from domain.errors import InvalidCommand
from domain.policies import legal_clock
from domain.state import EscalationClass, EscalationState
from domain.validation import (
    clean_customer,
    enum_value,
    optional_text,
    required_text,
    text_list,
    text_or_blank,
    utc,
)
from domain.values import PrivacyRegime, PrivacyRequestType, Scope, Severity, Source

S = TypeVar("S", bound=EscalationState)


class OpeningDecisions:
    """Mixed into `Escalation`; `open` runs with the aggregate's class as `cls`."""

    @classmethod
    def open(
        cls: EscalationClass[S],
        *,
        actor: str,
        at: datetime,
        title: str,
        scope: Scope | str,
        source: Source | str,
        severity: Severity | str,
        description: str = "",
        customer: Mapping[str, Any] | None = None,
        account: str | None = None,
        components: Iterable[str] = (),
        tags: Iterable[str] = (),
        received_at: datetime | None = None,
        external_ref: str | None = None,
        privacy_regime: PrivacyRegime | str | None = None,
        privacy_request_type: PrivacyRequestType | str | None = None,
        deadline: datetime | None = None,
        id: UUID | None = None,
    ) -> S:
        at = utc(at, "at")
        source_value = enum_value(Source, source, "source")
        received = utc(received_at, "received_at") if received_at is not None else at
        if received > at:
            raise InvalidCommand("received_at cannot be later than the time the case is opened")
        privacy = None
        if source_value == Source.PRIVACY_REQUEST:
            if privacy_regime is None:
                raise InvalidCommand(
                    "a privacy_request needs privacy_regime ('gdpr' or 'ccpa'): it starts the legal clock"
                )
            regime = PrivacyRegime(enum_value(PrivacyRegime, privacy_regime, "privacy_regime"))
            clock = legal_clock(regime, received)
            privacy = {
                "regime": regime.value,
                "request_type": enum_value(
                    PrivacyRequestType, privacy_request_type or "erasure", "privacy_request_type"
                ),
                "acknowledge_by": clock.acknowledge_by,
                "latest_extended_deadline": clock.latest_extended_deadline,
                "max_extensions": clock.max_extensions,
            }
            if deadline is None or utc(deadline, "deadline") > clock.respond_by:
                deadline = clock.respond_by
        elif privacy_regime is not None:
            raise InvalidCommand("privacy_regime only applies to source 'privacy_request'")
        elif privacy_request_type is not None:
            raise InvalidCommand("privacy_request_type only applies to source 'privacy_request'")
        if deadline is not None:
            deadline = utc(deadline, "deadline")
            if deadline <= received:
                raise InvalidCommand("deadline must be after the time the case was received")
        kwargs: dict[str, Any] = {}
        if id is not None:
            kwargs["id"] = id
        return cls._create(
            cls.Opened,
            timestamp=at,
            actor=required_text(actor, "actor", limits.ACTOR_MAX),
            title=required_text(title, "title", limits.TITLE_MAX),
            description=text_or_blank(description, "description", limits.DESCRIPTION_MAX),
            scope=enum_value(Scope, scope, "scope"),
            source=source_value,
            severity=enum_value(Severity, severity, "severity"),
            customer=clean_customer(customer),
            account=optional_text(account, "account", limits.ACCOUNT_MAX),
            components=text_list(components, "components"),
            tags=text_list(tags, "tags"),
            received_at=received,
            external_ref=optional_text(external_ref, "external_ref", limits.EXTERNAL_REF_MAX),
            privacy=privacy,
            deadline=deadline,
            **kwargs,
        )

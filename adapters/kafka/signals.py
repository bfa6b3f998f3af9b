"""Signals from other systems: the contract of the signals topic and the commands they become.

A signal is a CloudEvents 1.0 document in structured JSON mode, so senders can use any CloudEvents
SDK. `source` + `id` identify it: a redelivered or re-sent signal with the same pair changes
nothing. The JSON Schema in `schemas/signal.schema.json` describes the same contract for the
systems that send signals; the tests hold the two together.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    ValidationError,
    model_validator,
)

from adapters.kafka.ports import (
    LinkCase,
    OpenEscalation,
    RecordFeedback,
    SignalCommands,
)

SIGNAL_TYPE_PREFIX = "escalations.signal."


def _rfc3339_text(value: Any) -> Any:
    # JSON has no dates: an instant is text with an offset, never a bare number of seconds.
    if not isinstance(value, str):
        raise ValueError("expected an RFC 3339 date-time string with an offset")
    return value


Instant = Annotated[AwareDatetime, BeforeValidator(_rfc3339_text)]
Severity = Literal["SEV1", "SEV2", "SEV3", "SEV4"]
Text = Annotated[str, Field(min_length=1, max_length=500)]
LongText = Annotated[str, Field(max_length=20000)]
Ref = Annotated[str, Field(min_length=1, max_length=200)]


class InvalidSignal(ValueError):
    """The bytes are not a signal this contract accepts; the reason says why."""


class Customer(BaseModel):
    """The data subject. Personal fields are kept by the application in its customer field only,
    and never published back to Kafka."""

    model_config = ConfigDict(extra="forbid")
    subject_id: Ref
    name: Annotated[str, Field(max_length=320)] | None = None
    email: Annotated[str, Field(max_length=320)] | None = None
    phone: Annotated[str, Field(max_length=320)] | None = None
    account_id: Annotated[str, Field(max_length=320)] | None = None


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BbbComplaintReceived(_Data):
    complaint_id: Ref
    title: Text
    description: LongText | None = None
    customer: Customer
    received_at: Instant
    severity: Severity = "SEV3"


class PrivacyRequestReceived(_Data):
    request_id: Ref
    regulation: Literal["GDPR", "CCPA"]
    request_kind: Literal["erasure", "access", "rectification", "opt_out"]
    received_at: Instant
    """Starts the legal clock (GDPR one month, CCPA 45 days)."""
    customer: Customer
    title: Text | None = None
    severity: Severity = "SEV3"


class SupportCaseEscalated(_Data):
    case_id: Ref
    escalated_by: Literal["vendor", "crm"]
    title: Text
    description: LongText | None = None
    severity: Severity = "SEV3"
    customer: Customer | None = None
    account: Ref | None = None
    global_escalation_id: Ref | None = None
    """When set, the case opened for this signal is linked to that global escalation."""


class MonitoringAlertRaised(_Data):
    alert_id: Ref
    title: Text
    severity: Severity = "SEV2"
    components: list[Ref] = Field(min_length=1)
    regions: list[Ref] = Field(default_factory=list)
    started_at: Instant | None = None


class SurveyCompleted(_Data):
    escalation_id: Ref
    survey: Literal["CSAT", "NPS"]
    score: StrictInt
    comment: LongText | None = None
    responded_at: Instant | None = None

    @model_validator(mode="after")
    def _score_fits_survey(self) -> SurveyCompleted:
        low, high = (1, 5) if self.survey == "CSAT" else (0, 10)
        if not low <= self.score <= high:
            msg = f"{self.survey} score must be between {low} and {high}, got {self.score}"
            raise ValueError(msg)
        return self


DATA_MODELS: dict[str, type[_Data]] = {
    f"{SIGNAL_TYPE_PREFIX}BbbComplaintReceived.v1": BbbComplaintReceived,
    f"{SIGNAL_TYPE_PREFIX}PrivacyRequestReceived.v1": PrivacyRequestReceived,
    f"{SIGNAL_TYPE_PREFIX}SupportCaseEscalated.v1": SupportCaseEscalated,
    f"{SIGNAL_TYPE_PREFIX}MonitoringAlertRaised.v1": MonitoringAlertRaised,
    f"{SIGNAL_TYPE_PREFIX}SurveyCompleted.v1": SurveyCompleted,
}


class Envelope(BaseModel):
    model_config = ConfigDict(extra="allow")  # CloudEvents extension attributes are welcome

    specversion: Literal["1.0"]
    id: Ref
    source: Ref
    type: str
    time: Instant | None = None
    datacontenttype: Literal["application/json"] | None = None
    data: dict[str, Any]


@dataclass(frozen=True)
class Signal:
    envelope: Envelope
    data: _Data

    @property
    def idempotency_key(self) -> str:
        return f"signal:{self.envelope.source}:{self.envelope.id}"

    @property
    def actor(self) -> str:
        return f"signal:{self.envelope.source}"


def parse_signal(raw: bytes | None) -> Signal:
    if raw is None:
        raise InvalidSignal("empty message (tombstone)")
    try:
        document = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidSignal(f"not JSON: {error}") from None
    if not isinstance(document, dict):
        raise InvalidSignal("not a JSON object")
    try:
        envelope = Envelope.model_validate(document)
    except ValidationError as error:
        raise InvalidSignal(f"not a CloudEvents 1.0 signal: {_explain(error)}") from None
    model = DATA_MODELS.get(envelope.type)
    if model is None:
        raise InvalidSignal(f"unknown signal type {envelope.type!r}")
    try:
        data = model.model_validate(envelope.data)
    except ValidationError as error:
        raise InvalidSignal(f"invalid data for {envelope.type}: {_explain(error)}") from None
    return Signal(envelope=envelope, data=data)


def _explain(error: ValidationError) -> str:
    problems = [
        f"{'.'.join(str(part) for part in problem['loc']) or '(document)'}: {problem['msg']}"
        for problem in error.errors()
    ]
    return "; ".join(problems)


def apply_signal(commands: SignalCommands, signal: Signal) -> None:
    """Turn a valid signal into its command; the idempotency key makes a repeat a no-op."""
    data = signal.data
    key, actor = signal.idempotency_key, signal.actor
    if isinstance(data, SupportCaseEscalated) and data.global_escalation_id:
        # Two commands, each with its own key: after a crash between them, the redelivered
        # signal finds the case already opened and only links it.
        case_id = commands.open_escalation(
            opening_command(signal), actor=actor, idempotency_key=f"{key}:open"
        )
        commands.link_case(
            LinkCase(global_escalation_id=data.global_escalation_id, case_escalation_id=case_id),
            actor=actor,
            idempotency_key=f"{key}:link",
        )
    elif isinstance(data, SurveyCompleted):
        commands.record_feedback(
            RecordFeedback(
                escalation_id=data.escalation_id,
                survey=data.survey,
                score=data.score,
                comment=data.comment,
                responded_at=data.responded_at,
            ),
            actor=actor,
            idempotency_key=key,
        )
    else:
        commands.open_escalation(opening_command(signal), actor=actor, idempotency_key=key)


def opening_command(signal: Signal) -> OpenEscalation:
    data = signal.data
    if isinstance(data, BbbComplaintReceived):
        return _opening(
            data,
            "bbb_complaint",
            f"bbb:complaint/{data.complaint_id}",
            description=data.description,
            customer=_customer(data.customer),
            received_at=data.received_at,
        )
    if isinstance(data, PrivacyRequestReceived):
        return _opening(
            data,
            "privacy_request",
            f"privacy:request/{data.request_id}",
            title=data.title or f"{data.regulation} {data.request_kind} request",
            customer=_customer(data.customer),
            received_at=data.received_at,
            regulation=data.regulation,
            request_kind=data.request_kind,
        )
    if isinstance(data, SupportCaseEscalated):
        return _opening(
            data,
            "vendor" if data.escalated_by == "vendor" else "priority_support",
            f"{data.escalated_by}:case/{data.case_id}",
            description=data.description,
            customer=_customer(data.customer),
            account=data.account,
        )
    if isinstance(data, MonitoringAlertRaised):
        return _opening(
            data,
            "tools_outage",
            f"monitoring:alert/{data.alert_id}",
            scope="global",
            received_at=data.started_at,
            components=tuple(data.components),
            tags=tuple(f"region:{region}" for region in data.regions),
        )
    raise InvalidSignal(f"signal type {signal.envelope.type} opens nothing")  # pragma: no cover


def _opening(data: Any, source: str, external_ref: str, **fields: Any) -> OpenEscalation:
    """An escalation opened by a signal: its title and severity, customer scope unless told."""
    given = {"title": data.title, "severity": data.severity, "scope": "customer", **fields}
    return OpenEscalation(source=source, external_ref=external_ref, **given)


def _customer(customer: Customer | None) -> dict[str, Any] | None:
    return None if customer is None else customer.model_dump(exclude_none=True)

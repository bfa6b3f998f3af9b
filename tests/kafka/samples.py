"""Signals as other systems would send them, valid and not."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable
from typing import Any

T = "escalations.signal."


def signal(
    kind: str,
    data: dict[str, Any],
    *,
    source: str = "crm://salesforce",
    signal_id: str | None = None,
) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": signal_id or str(uuid.uuid4()),
        "source": source,
        "type": f"{T}{kind}.v1",
        "time": "2026-11-23T09:00:00Z",
        "datacontenttype": "application/json",
        "data": data,
    }


CUSTOMER = {"subject_id": "subj-42", "name": "Ada Example", "email": "ada@example.com"}


Sample = Callable[..., dict[str, Any]]


def sample(kind: str, source: str, **data: Any) -> Sample:
    """A signal of one kind with typical data; keyword arguments replace or add data fields."""

    def make(**overrides: Any) -> dict[str, Any]:
        return signal(kind, {**copy.deepcopy(data), **overrides}, source=source)

    return make


bbb_complaint = sample(
    "BbbComplaintReceived",
    "bbb://intake",
    complaint_id="BBB-1001",
    title="Refund never arrived",
    customer=CUSTOMER,
    received_at="2026-11-20T14:00:00+01:00",
    severity="SEV2",
)
privacy_request = sample(
    "PrivacyRequestReceived",
    "privacy://portal",
    request_id="DSAR-77",
    regulation="GDPR",
    request_kind="erasure",
    received_at="2026-11-21T08:30:00Z",
    customer=CUSTOMER,
)
support_case = sample(
    "SupportCaseEscalated",
    "vendor://bpo",
    case_id="CASE-9",
    escalated_by="vendor",
    title="Sync stuck for a key account",
    severity="SEV2",
    customer=CUSTOMER,
    account="Acme Corp",
)
monitoring_alert = sample(
    "MonitoringAlertRaised",
    "monitoring://alerts",
    alert_id="ALERT-5",
    title="Sync API error rate above 20%",
    severity="SEV1",
    components=["Sync", "Sign-in"],
    regions=["eu-west"],
    started_at="2026-11-23T08:55:00Z",
)


def survey(
    escalation_id: str = "00000000-0000-0000-0000-000000000001", **overrides: Any
) -> dict[str, Any]:
    data = {"escalation_id": escalation_id, "survey": "CSAT", "score": 4, "comment": "Thanks"}
    return signal("SurveyCompleted", {**data, **overrides}, source="survey://csat")


VALID = {
    "bbb complaint": bbb_complaint(),
    "privacy request GDPR": privacy_request(),
    "privacy request CCPA": privacy_request(regulation="CCPA", request_kind="access"),
    "vendor case": support_case(),
    "crm case linked to a global escalation": support_case(
        escalated_by="crm", global_escalation_id="00000000-0000-0000-0000-000000000002"
    ),
    "monitoring alert": monitoring_alert(),
    "CSAT survey": survey(),
    "NPS survey": survey(survey="NPS", score=0, comment=None),
}


def _without(document: dict[str, Any], *path: str) -> dict[str, Any]:
    result = copy.deepcopy(document)
    target = result
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return result


INVALID = {
    "wrong specversion": {**bbb_complaint(), "specversion": "0.3"},
    "no id": _without(bbb_complaint(), "id"),
    "numeric id": {**bbb_complaint(), "id": 17},
    "unknown type": {**bbb_complaint(), "type": "escalations.signal.Unheard.v1"},
    "no data": _without(bbb_complaint(), "data"),
    "missing title": _without(bbb_complaint(), "data", "title"),
    "naive received_at": bbb_complaint(received_at="2026-11-20T14:00:00"),
    "received_at as a number": bbb_complaint(received_at=1795457505),
    "customer without subject id": bbb_complaint(customer={"name": "Ada"}),
    "customer with an unknown field": bbb_complaint(customer={**CUSTOMER, "ssn": "000"}),
    "unknown regulation": privacy_request(regulation="LGPD"),
    "privacy request without received_at": _without(privacy_request(), "data", "received_at"),
    "unknown escalator": support_case(escalated_by="email"),
    "alert without components": monitoring_alert(components=[]),
    "unknown severity": monitoring_alert(severity="SEV0"),
    "CSAT score out of range": survey(score=6),
    "NPS score out of range": survey(survey="NPS", score=11),
    "score as text": survey(score="4"),
    "extra data field": survey(mood="happy"),
}

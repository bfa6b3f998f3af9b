"""Every route, every role: 403 exactly where the role lacks the route's permission, 401 without a
valid key, and the public routes open to all. The expected table below is written out by hand,
apart from the code under test, so that a change of policy has to be made in both places."""

from __future__ import annotations

import pytest
from fastapi import APIRouter, FastAPI

from api.http.access import PUBLIC, api_routes, install
from infra.keys import AccessRole
from tests.auth.conftest import AccessStore

EVERYONE = frozenset(role.value for role in AccessRole)
READERS = frozenset({"analyst", "manager", "admin"})
DRIVERS = frozenset({"manager", "admin"})
ADMINS = frozenset({"admin"})
# Who sees customers' contact details (`read-personal-data`) wherever their role lets them read;
# everyone else reads "[redacted]" beside the subject id.
PERSONAL = frozenset({"manager", "admin"})

OPEN = "open"  # no key needed

# (method, path) -> the roles allowed; every POST under /escalations/{escalation_id}/ is a
# command (DRIVERS). A route missing here fails the matrix until its line is added.
EXPECTED: dict[tuple[str, str], frozenset[str] | str] = {
    ("GET", "/healthz"): OPEN,
    ("GET", "/status"): OPEN,
    ("GET", "/status.json"): OPEN,
    ("GET", "/status/feed.atom"): OPEN,
    ("GET", "/status/stream"): OPEN,
    ("GET", "/escalations"): READERS,
    ("GET", "/queue"): READERS,
    ("GET", "/reports/sla"): EVERYONE,
    ("GET", "/reports/metrics"): EVERYONE,
    ("GET", "/reports/trends"): EVERYONE,
    ("GET", "/problems/{slug}"): OPEN,
    ("GET", "/metrics"): OPEN,
    ("GET", "/docs"): OPEN,
    ("GET", "/redoc"): OPEN,
    ("GET", "/docs/assets/{name}"): OPEN,
    ("POST", "/escalations"): DRIVERS,
    ("GET", "/escalations/{escalation_id}"): READERS,
    ("GET", "/escalations/{escalation_id}/events"): READERS,
    ("GET", "/escalations/{escalation_id}/timeline"): READERS,
    ("GET", "/escalations/{escalation_id}/updates/{audience}"): EVERYONE,
    ("GET", "/escalations/{escalation_id}/postmortem"): EVERYONE,
    ("GET", "/keys"): ADMINS,
    ("POST", "/keys"): ADMINS,
    ("POST", "/keys/{key_id}/revoke"): ADMINS,
    ("POST", "/subjects/{subject_id}/erasure"): ADMINS,
    ("GET", "/subjects/{subject_id}/erasure"): ADMINS,
    ("POST", "/erasures"): ADMINS,
    # Distribution lists hold people's work addresses: those who drive escalations manage them.
    ("POST", "/distribution-lists"): DRIVERS,
    ("GET", "/distribution-lists"): DRIVERS,
    ("GET", "/distribution-lists/{list_id}"): DRIVERS,
    ("POST", "/distribution-lists/{list_id}/members"): DRIVERS,
    ("DELETE", "/distribution-lists/{list_id}/members/{address}"): DRIVERS,
    ("GET", "/escalations/{escalation_id}/communications/{communication_id}/deliveries"): DRIVERS,
}
# Asking for the past (?as_of / ?version) is the analysts' permission on every route that offers it.
REPLAYING = {
    ("GET", "/escalations/{escalation_id}"): READERS,
    ("GET", "/escalations/{escalation_id}/timeline"): READERS,
    ("GET", "/escalations/{escalation_id}/updates/{audience}"): READERS,
    ("GET", "/escalations/{escalation_id}/postmortem"): READERS,
}
AS_OF = "2026-03-02T09:30:00Z"


def expected(method: str, path: str) -> frozenset[str] | str:
    if (method, path) in EXPECTED:
        return EXPECTED[(method, path)]
    if method == "POST" and path.startswith("/escalations/{escalation_id}/"):
        return DRIVERS
    raise AssertionError(f"{method} {path} is not in the role matrix: add its line to EXPECTED")


def concrete(path: str, access: AccessStore) -> str:
    values = {
        "escalation_id": str(access.escalation),
        "audience": "executive",
        "criterion_id": "ec1",
        "action_id": "a1",
        "name": "dev.patel",
        "slug": "not-found",
        "key_id": str(access.spare_key),
        "subject_id": "0b7e4b2e-93a1-4bd4-9a8e-0b5ad2b4b1a0",
        "list_id": "5d0c1f2e-93a1-4bd4-9a8e-0b5ad2b4b1a0",
        "communication_id": "c1",
        "address": "maria.chen@example.com",
    }
    for name, value in values.items():
        path = path.replace("{" + name + "}", value)
    assert "{" not in path, f"give the matrix a value for the parameter in {path}"
    return path


def routes(access: AccessStore) -> list[tuple[str, str]]:
    found = sorted(
        (method, route.path) for route in api_routes(access.app) for method in route.methods or ()
    )
    assert len(found) > 30, found  # the walk reaches the included routers' routes
    return found


def call(access: AccessStore, method: str, path: str, headers: dict[str, str], **params: str):
    url = concrete(path, access)
    if method == "GET":
        return access.client.get(url, headers=headers, params=params)
    if method == "DELETE":
        return access.client.delete(url, headers=headers)
    return access.client.request(method, url, headers=headers, json={})


@pytest.mark.parametrize("role", sorted(EVERYONE))
def test_each_role_is_refused_with_403_exactly_where_the_matrix_says(
    access: AccessStore, role: str
) -> None:
    wrong: list[str] = []
    for method, path in routes(access):
        allowed = expected(method, path)
        attempts = [({}, allowed)]
        if (method, path) in REPLAYING:
            attempts.append(({"as_of": AS_OF}, REPLAYING[(method, path)]))
        for params, roles in attempts:
            response = call(access, method, path, access.headers(role), **params)
            permitted = roles == OPEN or role in roles
            if (permitted and response.status_code in (401, 403)) or response.status_code >= 500:
                wrong.append(f"{role} {method} {path} {params}: {response.status_code} (allowed)")
            if not permitted:
                if response.status_code != 403:
                    wrong.append(f"{role} {method} {path} {params}: {response.status_code}")
                elif response.json()["type"] != "/problems/forbidden":
                    wrong.append(f"{role} {method} {path}: 403 that is not a problem")
    assert wrong == []


@pytest.mark.parametrize("role", sorted(EVERYONE))
def test_contact_details_are_shown_exactly_to_the_roles_the_matrix_says(
    access: AccessStore, role: str
) -> None:
    customer = {"name": "Ada Quist", "email": "ada.quist@example.org", "phone": "+44 20 7946 0018"}
    escalation = access.container.app.open(
        actor="setup",
        title="Refund missing",
        scope="customer",
        source="email",
        severity="SEV3",
        customer=customer,
    ).escalation_id
    headers = access.headers(role)
    state = access.client.get(f"/escalations/{escalation}", headers=headers)
    letter = access.client.get(f"/escalations/{escalation}/updates/customer", headers=headers)
    assert letter.status_code == 200
    if role in PERSONAL:
        assert state.json()["customer"]["email"] == customer["email"]
        assert "Dear Ada Quist," in letter.text
        return
    assert state.status_code in (200, 403)
    if state.status_code == 200:
        assert state.json()["customer"]["email"] == "[redacted]"
    assert "Ada Quist" not in letter.text and "Hello," in letter.text


@pytest.mark.parametrize("key", [None, "revoked", "unknown", "garbage"])
def test_every_non_public_route_answers_401_without_a_valid_key(
    access: AccessStore, key: str | None
) -> None:
    headers = {
        None: {},
        "revoked": access.headers("revoked"),
        "unknown": {"Authorization": "Bearer esk_" + "A" * 43},
        "garbage": {"Authorization": "Basic dXNlcjpwYXNz"},
    }[key]
    wrong: list[str] = []
    for method, path in routes(access):
        response = call(access, method, path, headers)
        if expected(method, path) == OPEN:
            if response.status_code in (401, 403):
                wrong.append(f"{method} {path} is public but answered {response.status_code}")
            continue
        if response.status_code != 401:
            wrong.append(f"{method} {path}: {response.status_code}")
        elif not response.headers.get("www-authenticate", "").startswith("Bearer"):
            wrong.append(f"{method} {path}: 401 without WWW-Authenticate: Bearer")
        elif response.headers["content-type"] != "application/problem+json":
            wrong.append(f"{method} {path}: 401 that is not problem+json")
    assert wrong == []


def test_a_route_that_declares_no_access_stops_the_app_from_starting() -> None:
    app = FastAPI()

    @app.get("/open", dependencies=[PUBLIC])
    def open_route() -> None: ...

    install(app)  # a public route is a declaration
    router = APIRouter()

    @router.get("/forgotten")
    def forgotten() -> None: ...

    app.include_router(router)
    with pytest.raises(RuntimeError, match="/forgotten"):
        install(app)


def test_the_x_api_key_header_is_accepted_too(access: AccessStore) -> None:
    response = access.client.get(
        f"/escalations/{access.escalation}", headers={"X-API-Key": access.secrets["analyst"]}
    )
    assert response.status_code == 200


def test_a_revoked_key_says_so_in_the_challenge(access: AccessStore) -> None:
    response = access.client.get(
        f"/escalations/{access.escalation}", headers=access.headers("revoked")
    )
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
    assert response.json()["type"] == "/problems/unauthenticated"


def test_a_forbidden_answer_names_the_role_and_who_may(access: AccessStore) -> None:
    response = access.client.post(
        f"/escalations/{access.escalation}/notes",
        json={"text": "x"},
        headers=access.headers("analyst"),
    )
    assert response.status_code == 403
    detail = response.json()["detail"]
    assert "analyst" in detail and "manager, admin" in detail


def test_the_openapi_documents_the_keys_and_the_401_and_403_answers(access: AccessStore) -> None:
    schema = access.client.get("/openapi.json").json()
    assert {"HTTPBearer", "APIKeyHeader"} <= set(schema["components"]["securitySchemes"])
    operation = schema["paths"]["/escalations/{escalation_id}/notes"]["post"]
    assert {"401", "403"} <= set(operation["responses"])
    assert "drive" in operation["description"]
    assert "401" not in schema["paths"]["/healthz"]["get"]["responses"]

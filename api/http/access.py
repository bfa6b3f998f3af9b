"""Who may call what: API keys, roles and the permission each route declares.

Every route declares its access in its decorator, either `dependencies=[require(Permission.X)]`
or `dependencies=[PUBLIC]`; `create_app` refuses to start when a route declares neither, so a new
route can never be open by omission. The dependency authenticates the key (401 when it is
missing, unknown or revoked) and checks the role's permissions (403), before the route reads its
path, query or body values.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.routing import APIRoute
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from api.http.deps import call_store
from api.http.problems import PROBLEM_JSON, Problem, ProblemError
from infra.bootstrap import Container
from infra.keys import AccessRole, Principal


class Permission(StrEnum):
    DRIVE = "drive"
    """Open escalations and run every command on them."""
    READ = "read"
    """Read escalations as the team sees them: current state, list, queue, timeline."""
    READ_UPDATES = "read-updates"
    """Read what is written for stakeholders: audience updates and the post-mortem."""
    READ_REPORTS = "read-reports"
    """Read the reports: SLA, trends, metrics."""
    REPLAY = "replay"
    """Replay history: event streams, ?version and ?as_of, exports."""
    MANAGE_KEYS = "manage-keys"
    """Issue, list and revoke API keys."""
    ERASE = "erase"
    """Erase a data subject's personal data."""
    READ_PERSONAL_DATA = "read-personal-data"
    """See customers' contact details (name, e-mail, phone, account id) wherever the other
    permissions let the key read; without it they read as `[redacted]`."""


_STAKEHOLDER = frozenset({Permission.READ_UPDATES, Permission.READ_REPORTS})
_ANALYST = _STAKEHOLDER | {Permission.READ, Permission.REPLAY}

ROLE_PERMISSIONS: Mapping[AccessRole, frozenset[Permission]] = {
    AccessRole.STAKEHOLDER: _STAKEHOLDER,
    AccessRole.ANALYST: _ANALYST,
    # Managers drive escalations and talk to the customer, so they see who the customer is;
    # the reporting roles never need to.
    AccessRole.MANAGER: _ANALYST | {Permission.DRIVE, Permission.READ_PERSONAL_DATA},
    AccessRole.ADMIN: frozenset(Permission),
}

REPLAY_PARAMETERS = ("as_of", "version")

_bearer = HTTPBearer(auto_error=False, description="`Authorization: Bearer esk_...`")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="`X-API-Key: esk_...`")


def roles_with(permission: Permission) -> list[str]:
    return [role.value for role, granted in ROLE_PERMISSIONS.items() if permission in granted]


def _unauthenticated(detail: str, error: str | None = None) -> ProblemError:
    challenge = 'Bearer realm="escalations"' + (f', error="{error}"' if error else "")
    return ProblemError("unauthenticated", detail, headers={"WWW-Authenticate": challenge})


class Requirement:
    """A route's declared permission, and the dependency that enforces it.

    `replaying` is a second permission needed when the request asks for the past
    (`?as_of=` or `?version=`), so that reading history is one permission on every route.
    Looking the key up reads the store: `call_store` keeps that on the loop for SQLite and moves
    it to the thread pool for PostgreSQL.
    """

    def __init__(self, permission: Permission, replaying: Permission | None = None) -> None:
        self.permission = permission
        self.replaying = replaying

    def needed(self, request: Request) -> list[Permission]:
        wanted = [self.permission]
        if self.replaying and any(p in request.query_params for p in REPLAY_PARAMETERS):
            wanted.append(self.replaying)
        return wanted

    async def __call__(
        self,
        request: Request,
        bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
        api_key: Annotated[str | None, Depends(_api_key)],
    ) -> Principal | None:
        container: Container = request.app.state.container
        if not container.settings.auth.enabled:
            return None
        known = getattr(request.state, "principal", None)
        if isinstance(known, Principal):
            principal = known
        else:
            principal = await call_store(
                container, lambda: authenticate(container, bearer, api_key)
            )
            request.state.principal = principal
        granted = ROLE_PERMISSIONS[principal.role]
        request.state.sees_personal_data = Permission.READ_PERSONAL_DATA in granted
        missing = [p for p in self.needed(request) if p not in granted]
        if missing:
            allowed = ", ".join(r for r in roles_with(missing[0]))
            raise ProblemError(
                "forbidden",
                f"the key {principal.name!r} has role {principal.role.value}, which may not "
                f"{missing[0].value.replace('-', ' ')}; roles that may: {allowed}",
            )
        return principal


def authenticate(
    container: Container, bearer: HTTPAuthorizationCredentials | None, api_key: str | None
) -> Principal:
    secret = (bearer.credentials if bearer else api_key or "").strip()
    if not secret:
        raise _unauthenticated(
            "send an API key as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'; "
            "an admin issues them with `escalations keys create`"
        )
    principal = container.keys.authenticate(secret)
    if principal is None:
        raise _unauthenticated("the API key is unknown or revoked", "invalid_token")
    return principal


def require(permission: Permission, *, replaying: Permission | None = None) -> Any:
    """Declare a route's permission: `dependencies=[require(Permission.READ)]`."""
    return Depends(Requirement(permission, replaying))


class ConsoleAccess:
    """The base of the console's access dependencies (`api/console/auth.py`): a console page is
    reached with a signed-in person's session cookie, never an API key, and answers with pages
    (a redirect to /login, a 403 page) instead of problems. Such a route is declared too, so
    `install` accepts it, and it is no API route: the API's role matrix and reference leave it
    out."""


async def _public() -> None:
    """Marks a route as open to everyone, on purpose."""


PUBLIC: Any = Depends(_public)


def api_routes(app: FastAPI) -> list[Any]:
    """Every API route as it is served, with the dependencies of the routers that include it
    (the console's pages are not API routes: see `ConsoleAccess`)."""
    return [route for route in served_routes(app) if declared_access(route) != "console"]


def served_routes(app: FastAPI) -> list[Any]:
    """Every route as it is served, with the dependencies of the routers that include it.

    FastAPI from 0.16x keeps included routers as nodes of `app.routes` instead of copying their
    routes up, so walking `app.routes` alone would miss them.
    """
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # older FastAPI: included routes are copied into app.routes
        return [route for route in app.routes if isinstance(route, APIRoute)]
    return [
        context
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute)
    ]


def declared_access(route: Any) -> Requirement | str | None:
    """The route's declared requirement, "public", "console", or None when it declares
    nothing."""
    for dependency in route.dependant.dependencies:
        if isinstance(dependency.call, Requirement):
            return dependency.call
        if dependency.call is _public:
            return "public"
        if isinstance(dependency.call, ConsoleAccess):
            return "console"
    return None


def install(app: FastAPI) -> None:
    """Refuse routes without a declaration; document 401/403 and the roles in the OpenAPI."""
    undeclared = [
        f"{sorted(route.methods or ())} {route.path}"
        for route in served_routes(app)
        if declared_access(route) is None
    ]
    if undeclared:
        raise RuntimeError(
            "routes without an access declaration (add dependencies=[require(Permission.X)] or "
            f"dependencies=[PUBLIC]): {', '.join(undeclared)}"
        )
    build_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build_openapi()
        for route in api_routes(app):
            requirement = declared_access(route)
            if isinstance(requirement, Requirement):
                for method in route.methods or ():
                    operation = schema["paths"].get(route.path_format, {}).get(method.lower())
                    if operation is not None:
                        _document(operation, requirement)
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        schemas.setdefault("Problem", Problem.model_json_schema())
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _document(operation: dict[str, Any], requirement: Requirement) -> None:
    problem = {"content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    responses = operation.setdefault("responses", {})
    responses.setdefault("401", {"description": "Missing, unknown or revoked API key", **problem})
    responses.setdefault("403", {"description": "The key's role lacks the permission", **problem})
    roles = ", ".join(roles_with(requirement.permission))
    needs = f"Needs permission `{requirement.permission.value}` (roles: {roles})."
    if requirement.replaying:
        roles = ", ".join(roles_with(requirement.replaying))
        needs += f" With `as_of` or `version`, also `{requirement.replaying.value}` ({roles})."
    operation["description"] = f"{operation.get('description', '')}\n\n{needs}".strip()

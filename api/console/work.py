"""The console's reading pages: My work (`/`) and the queue (`/console/queue`).

Both read the tracked cases view and the queue ordering the API's `GET /queue` uses
(`projections/cases/reports.py`), so the console and the API rank alike; `/queue` itself stays
the API's JSON.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from api.console.auth import container_of, signed_in
from api.console.pages import render
from api.http.access import ROLE_PERMISSIONS, Permission
from infra.people import PersonInfo
from projections.cases.reports import queue
from projections.sla import targets

router = APIRouter(include_in_schema=False)

TARGET_WORDS = {
    "first_response": "First response",
    "resolution": "Resolution",
}


def target_label(name: str) -> str:
    if name in TARGET_WORDS:
        return TARGET_WORDS[name]
    if name.startswith("legal"):
        return "Legal deadline"
    if name.startswith("update"):
        return "Next update" + name.removeprefix("update").replace("_", " ").replace(":", " to ")
    return name.replace("_", " ").capitalize()


def _open_docs(request: Request) -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = request.app.state.reads.views["cases"].open_cases()
    return docs


def _mine(person: PersonInfo, team_names: set[str], owner: str | None) -> str | None:
    if not owner:
        return None
    if owner in (person.name, person.email):
        return "me"
    if owner in team_names:
        return "team"
    return None


def my_work_items(request: Request, person: PersonInfo) -> list[dict[str, Any]]:
    container = container_of(request)
    now: datetime = container.app.clock()
    team = set()
    if person.team:
        for other in container.console.people.all():
            if other.team == person.team and other.id != person.id:
                team |= {other.name, other.email}
    items = []
    for doc in _open_docs(request):
        whose = _mine(person, team, doc.get("owner"))
        if whose is None:
            continue
        for state in targets(doc, container.sla_policy, now):
            if state.state in ("pending", "missed") and state.met_at is None:
                items.append(
                    {
                        "id": doc["id"],
                        "title": doc["title"],
                        "severity": doc["severity"],
                        "status": doc["status"],
                        "whose": whose,
                        "what": target_label(state.target),
                        "due_at": state.due_at,
                    }
                )
    return sorted(items, key=lambda item: item["due_at"])


@router.get("/", dependencies=[signed_in()])
async def my_work(request: Request) -> Response:
    person = request.state.console_session.person
    can_read = Permission.READ in ROLE_PERMISSIONS[person.role]
    items = await run_in_threadpool(my_work_items, request, person) if can_read else []
    mine = sorted({(i["id"], i["title"], i["severity"], i["status"]) for i in items})
    context = {"items": items, "open_escalations": mine, "can_read": can_read}
    return render(request, "my_work.html.j2", context)


@router.get("/console/queue", dependencies=[signed_in(Permission.READ)])
async def queue_page(request: Request) -> Response:
    container = container_of(request)
    now = container.app.clock()
    docs = await run_in_threadpool(_open_docs, request)
    return render(request, "queue.html.j2", {"items": queue(docs, container.sla_policy, now)})

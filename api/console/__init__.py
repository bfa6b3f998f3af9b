"""The console: the browser's way in for managers and stakeholders.

Server-rendered pages from the project's one template environment (templates in
`projections/templates/console/`, so a deployment's template directory can override them like any
other), enhanced by htmx when scripts run and fully usable when they do not. `install(app)` adds
its routes, its error pages and its one static asset to the API's application.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse

from api.console import pages, share, signin, work, workspace
from api.console.auth import ANYONE, PageError

STATIC = Path(__file__).parent / "static"
ASSETS = {
    "htmx.min.js": STATIC / "htmx" / "htmx.min.js",
    "console.js": STATIC / "console.js",
    "console.css": STATIC / "console.css",
}
CACHE = {"Cache-Control": "public, max-age=86400"}


def install(app: FastAPI) -> None:
    pages.install_errors(app)
    for router in (signin.router, work.router, workspace.router, share.router):
        app.include_router(router)
    app.include_router(share.api_router)

    @app.get("/console/assets/{name}", include_in_schema=False, dependencies=[ANYONE])
    def asset(name: str) -> FileResponse:
        if name not in ASSETS:
            raise PageError(404, "Not found", f"no console asset {name!r}")
        return FileResponse(ASSETS[name], headers=CACHE)

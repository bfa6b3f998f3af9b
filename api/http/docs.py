"""`/docs` (Swagger UI) and `/redoc` (ReDoc) served with their assets from this package, so the
reference works with no network beyond this server. The assets are copied unchanged from the npm
packages swagger-ui-dist 5.35.0 and redoc 2.5.4 (`api/http/static/`, licences beside them)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

from api.http import access
from api.http.problems import ProblemError

STATIC = Path(__file__).parent / "static"
ASSETS = {
    "swagger-ui-bundle.js": STATIC / "swagger-ui" / "swagger-ui-bundle.js",
    "swagger-ui.css": STATIC / "swagger-ui" / "swagger-ui.css",
    "favicon.png": STATIC / "swagger-ui" / "favicon-32x32.png",
    "redoc.standalone.js": STATIC / "redoc" / "redoc.standalone.js",
}
PREFIX = "/docs/assets/"
# A day: an upgrade of the assets reaches browsers within one.
CACHE = {"Cache-Control": "public, max-age=86400"}


def install(app: FastAPI) -> None:
    """Needs `FastAPI(docs_url=None, redoc_url=None)`: these routes replace the built-in ones,
    which load their assets from a CDN."""
    openapi_url = app.openapi_url or "/openapi.json"

    title = f"{app.title} - API reference"
    pages: dict[str, Callable[[], HTMLResponse]] = {
        "/docs": lambda: get_swagger_ui_html(
            openapi_url=openapi_url,
            title=title,
            swagger_js_url=PREFIX + "swagger-ui-bundle.js",
            swagger_css_url=PREFIX + "swagger-ui.css",
            swagger_favicon_url=PREFIX + "favicon.png",
        ),
        "/redoc": lambda: get_redoc_html(
            openapi_url=openapi_url,
            title=title,
            redoc_js_url=PREFIX + "redoc.standalone.js",
            redoc_favicon_url=PREFIX + "favicon.png",
            with_google_fonts=False,
        ),
    }
    for path, page in pages.items():
        app.add_api_route(
            path, page, include_in_schema=False, dependencies=[access.PUBLIC], methods=["GET"]
        )

    @app.get(PREFIX + "{name}", include_in_schema=False, dependencies=[access.PUBLIC])
    def asset(name: str) -> FileResponse:
        if name not in ASSETS:
            raise ProblemError("not-found", f"no documentation asset {name!r}")
        return FileResponse(ASSETS[name], headers=CACHE)

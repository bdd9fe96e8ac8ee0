"""The studio application: the JSON API, the five rooms as pages, the security guard.

One app serves one production. Pages are server-rendered shells; their plain
JavaScript (``static/``) talks to the same ``/api`` a script would use.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from aktion.production import anchors

from .api import router as api_router
from .context import Studio, settings_of
from .security import LOOPBACK, Guard

HERE = Path(__file__).parent
ROOMS = {
    "writers": "Writers Room",
    "cast": "Cast",
    "storyboard": "Storyboard",
    "choreo": "Choreography",
    "canvas": "Canvas",
}


def create_app(root: Path | str, token: str, hosts: Iterable[str] = ()) -> FastAPI:
    """The studio over ``root``; ``hosts``: names besides loopback the Host header may use."""
    studio = Studio(Path(root), token)
    anchors.ensure_recorded(studio.root)  # so a script edited elsewhere is caught later
    app = FastAPI(title="Aktion Studio", version="1", docs_url=None, redoc_url=None,
                  description="Edit a production's sources and render it. Every request needs "
                              "the launch token (`Authorization: Bearer <token>`).")
    app.state.studio = studio
    templates = Jinja2Templates(directory=HERE / "templates")
    app.include_router(api_router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        # Where and what, never the input itself: a request is not echoed back.
        return JSONResponse({"detail": [{"loc": list(e.get("loc", ())), "msg": e.get("msg"),
                                         "type": e.get("type")} for e in exc.errors()]},
                            status_code=422)

    @app.get("/", include_in_schema=False)
    def home() -> Response:
        return RedirectResponse("/storyboard", status_code=303)

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> Response:
        return FileResponse(HERE / "static" / "favicon.png", media_type="image/png")

    @app.get("/docs", include_in_schema=False, response_class=HTMLResponse)
    async def docs(request: Request) -> Response:
        """The API reference, with Swagger UI's files served from here (no CDN)."""
        return templates.TemplateResponse(request, "docs.html", {})

    @app.get("/{room}", include_in_schema=False, response_class=HTMLResponse)
    def room(room: str, request: Request) -> Response:
        if room not in ROOMS:
            raise HTTPException(404, "no such room")
        settings = settings_of(studio.root)
        return templates.TemplateResponse(request, f"{room}.html", {
            "room": room, "rooms": ROOMS, "title": ROOMS[room],
            "production": settings.title or settings.name,
        })

    app.add_middleware(Guard, token=token, hosts=set(LOOPBACK) | set(hosts))
    return app

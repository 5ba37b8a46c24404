"""State shared by requests, and the one error shape."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import jinja2
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from comments.auth import LoginGate
from comments.digests import DigestService
from comments.intake import Intake
from comments.settings import Settings
from comments.web.security import is_api

PACKAGE = Path(__file__).resolve().parents[1]
STATIC = PACKAGE.parent / "static"


@dataclass
class State:
    settings: Settings
    engine: Engine
    secret: str
    intake: Intake
    logins: LoginGate
    templates: jinja2.Environment
    digests: DigestService

    def session(self) -> Session:
        return Session(self.engine)

    def close(self) -> None:
        """Stop intake (after the writer has committed what is queued) and the background
        analyses. The engine belongs to whoever made it."""
        self.intake.close()
        self.logins.close()
        self.digests.close()


async def form_values(request: Request) -> dict[str, str]:
    """The posted form's text fields (uploads left out)."""
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def state_of(request: Request) -> State:
    return request.app.state.comments  # type: ignore[no-any-return]


def error_response(
    request: Request, code: str, message: str, status: int, *, retry_after: int | None = None
) -> Response:
    """The one error shape: JSON ``{"error": {"code", "message"}}`` under /api, a page elsewhere."""
    headers = {"Retry-After": str(retry_after or 60)} if status in (429, 503) else None
    if is_api(request.scope):
        return JSONResponse(
            {"error": {"code": code, "message": message}}, status_code=status, headers=headers
        )
    state = state_of(request)
    html = state.templates.get_template("error.html").render(
        request=request, status=status, message=message
    )
    return HTMLResponse(html, status_code=status, headers=headers)

"""State shared by requests, and the one error shape."""

from __future__ import annotations

import functools
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import jinja2
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from comments import store
from comments.digests import DigestService
from comments.errors import InputError
from comments.intake import CommentWriter, DraftSnapshot, client_hash, validate_comment
from comments.ratelimit import RateLimiter
from comments.settings import Settings

PACKAGE = Path(__file__).resolve().parents[1]
STATIC = PACKAGE.parent / "static"
SNAPSHOT_TTL = 3.0  # seconds a process trusts its cached view of a draft's period and clauses


@dataclass
class State:
    settings: Settings
    engine: Engine
    secret: str
    writer: CommentWriter
    limiter: RateLimiter
    templates: jinja2.Environment
    digests: DigestService
    snapshots: dict[str, tuple[float, DraftSnapshot | None]] = field(default_factory=dict)
    _today: tuple[int, date] = (0, date.min)

    def session(self) -> Session:
        return Session(self.engine)

    def today(self) -> date:
        """Today in the service's time zone (looked up at most once a second)."""
        second = int(time.time())
        if self._today[0] != second:
            self._today = (second, store.today_in(self.settings.timezone))
        return self._today[1]

    def close(self) -> None:
        """Stop the writer (after it has committed what is queued), the limiter and the
        background analyses. The engine belongs to whoever made it."""
        self.writer.close()
        self.limiter.close()
        self.digests.close()

    async def snapshot(self, slug: str) -> DraftSnapshot | None:
        """The draft as intake sees it, from a cache refreshed every few seconds."""
        hit = self.snapshots.get(slug)
        now = time.monotonic()
        if hit is not None and hit[0] > now:
            return hit[1]
        snap = await run_in_threadpool(self._load_snapshot, slug)
        if len(self.snapshots) > 1000:
            self.snapshots.clear()
        self.snapshots[slug] = (now + SNAPSHOT_TTL, snap)
        return snap

    def forget(self, slug: str) -> None:
        self.snapshots.pop(slug, None)

    def _load_snapshot(self, slug: str) -> DraftSnapshot | None:
        with self.session() as session:
            draft = store.draft_by_slug(session, slug)
            if draft is None or draft.id is None:
                return None
            keys = store.clause_keys(session, draft.id)
            return DraftSnapshot(
                id=draft.id,
                slug=draft.slug,
                status=draft.status,
                opens_on=draft.opens_on,
                deadline=draft.deadline,
                clause_keys=keys,
            )


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
    if request.url.path.startswith("/api/"):
        return JSONResponse(
            {"error": {"code": code, "message": message}}, status_code=status, headers=headers
        )
    state = state_of(request)
    html = state.templates.get_template("error.html").render(
        request=request, status=status, message=message
    )
    return HTMLResponse(html, status_code=status, headers=headers)


LONG_COMMENT_CHARS = 500


async def admit_comment(
    state: State, snapshot: DraftSnapshot, payload: Mapping[str, Any], address: str
) -> dict[str, Any]:
    """Validate a submitted comment and count it against the rate limits: the row to write.

    The one path for the JSON API and the HTML form; raises InputError (429 with Retry-After
    when the client is over its limit).
    """
    check = functools.partial(
        validate_comment,
        payload,
        snapshot,
        max_chars=state.settings.max_comment_chars,
        today=state.today(),
        client_hash=client_hash(state.secret, address),
    )
    body = payload.get("body")
    # Flagging a long comment takes milliseconds: off the event loop. A short one costs less
    # than the hop to a thread (the usual case, and the one the intake benchmark measures).
    long = isinstance(body, str) and len(body) > LONG_COMMENT_CHARS
    row = await run_in_threadpool(check) if long else check()
    wait = await state.limiter.hit(row["client_hash"], row["contact"])
    if wait:
        raise InputError(
            "rate_limited", f"提交过于频繁，请 {wait} 秒后再试。", status=429, retry_after=wait
        )
    return row

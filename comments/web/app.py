"""``create_app(settings)``: the only place the web application is assembled."""

from __future__ import annotations

import contextlib
import gc
import logging
import secrets
from collections.abc import AsyncIterator
from typing import Any

import jinja2
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DataError, OperationalError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from comments import failures, views
from comments.auth import LoginGate
from comments.digests import DigestService
from comments.errors import InputError
from comments.intake import CommentWriter, Intake, make_limiter
from comments.settings import Settings
from comments.storage.db import DatabaseUnavailable, make_engine, migrate, secret_key
from comments.storage.files import DatabaseFilesNotWritable, check_writable, unwritable
from comments.web import api, drafter, feedback, public
from comments.web.common import PACKAGE, STATIC, State, error_response, state_of
from comments.web.security import SECURITY_HEADERS, LimitsMiddleware, route_path

log = logging.getLogger("comments.web")


async def _input_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, InputError)
    return error_response(request, exc.code, exc.message, exc.status, retry_after=exc.retry_after)


_HTTP_MESSAGES = {
    404: ("not_found", "没有找到这个页面。"),
    405: ("method_not_allowed", "不支持这种请求方法。"),
}


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code, message = _HTTP_MESSAGES.get(exc.status_code, ("http_error", str(exc.detail)))
    return error_response(request, code, message, exc.status_code)


async def _unavailable(request: Request, exc: Exception) -> Response:
    failures.failure("database_unavailable", _explained(request, exc))
    reading = request.method in ("GET", "HEAD")
    return error_response(
        request,
        "database_unavailable",
        "服务暂时不可用，请稍后再试。"
        if reading
        else "服务暂时无法保存，请稍后再试。您的意见尚未提交。",
        503,
    )


def _explained(request: Request, exc: Exception) -> str:
    """The error, and for a read-only SQLite database the files this process cannot write."""
    text = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    if "readonly" not in text:
        return text
    url = state_of(request).engine.url.render_as_string(hide_password=False)
    return text + "".join(f"; 不可写：{path}（{why}）" for path, why in unwritable(url))


async def _unstorable(request: Request, exc: Exception) -> Response:
    # PostgreSQL refuses some input SQLite takes (a NUL character in a path): the client's fault.
    return error_response(request, "bad_input", "请求中含有无法处理的字符，请检查后重试。", 400)


async def _server_error(request: Request, exc: Exception) -> Response:
    # Starlette answers an unexpected error outside every middleware: the headers are added here.
    log.error("Exception in %s %s", request.method, route_path(request.scope), exc_info=exc)
    failures.failure("server_error", exc)
    response = error_response(request, "server_error", "服务器内部错误，请稍后再试。", 500)
    for name, value in SECURITY_HEADERS:
        response.headers.setdefault(name.decode(), value.decode())
    return response


class _NoAnswer(Response):
    """For a client that went away mid-request: there is nobody to answer."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        return


async def _client_gone(request: Request, exc: Exception) -> Response:
    return _NoAnswer()


def templates_env(tz: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(PACKAGE / "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    # A fresh idempotency key for every comment form (a resent form gets its first receipt).
    env.globals["new_key"] = lambda: secrets.token_urlsafe(16)
    env.filters["label_gap"] = views.label_gap
    env.filters["bullet_rest"] = views.bullet_rest
    env.filters["kind_name"] = views.kind_name
    env.filters["audit_action"] = views.audit_action
    env.filters["audit_detail"] = views.audit_detail
    env.filters["short_label"] = views.short_label
    env.filters["display_title"] = views.display_title
    # Every time on a page is in the service's time zone, as the deadline is.
    env.filters["local"] = lambda moment, fmt="%Y-%m-%d %H:%M": views.local_time(moment, tz, fmt)
    # Drafters' pages show comment text with personal data masked; revealing it is an action
    # that leaves an audit row (web/drafter/corrections.py).
    env.filters["masked"] = views.masked
    return env


def create_app(settings: Settings, *, engine: Engine | None = None) -> Starlette:
    """Assemble the application. Migrates the database; builds everything requests need here,
    because ``httpx.ASGITransport`` does not run the lifespan."""
    engine = engine or make_engine(settings.database_url, pool_size=settings.db_pool_size)
    migrate(engine)
    secret = secret_key(engine, settings.secret_key)
    intake = Intake(
        settings=settings,
        engine=engine,
        secret=secret,
        writer=CommentWriter(
            engine, batch_size=settings.commit_batch_size, timezone=settings.timezone
        ),
        limiter=make_limiter(settings, engine, secret),
    )
    state = State(
        settings=settings,
        engine=engine,
        secret=secret,
        intake=intake,
        logins=LoginGate(
            make_limiter(
                settings.with_overrides(rate_limit_per_minute=LoginGate.PER_MINUTE), engine, secret
            )
        ),
        templates=templates_env(settings.timezone),
        digests=DigestService(engine, workers=settings.analysis_workers),
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        state.close()

    routes: list[Any] = [
        *api.routes,  # first: the comment post is the hot path of route matching
        *public.routes,
        *feedback.routes,
        *drafter.routes,
        Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[
            Middleware(
                LimitsMiddleware,
                max_body=settings.max_body_bytes,
                max_upload=settings.max_upload_bytes,
            )
        ],
        exception_handlers={
            InputError: _input_error,
            ClientDisconnect: _client_gone,
            HTTPException: _http_error,
            DatabaseUnavailable: _unavailable,
            OperationalError: _unavailable,
            DataError: _unstorable,
            Exception: _server_error,
        },
    )
    app.state.comments = state
    return app


def tune_garbage_collector() -> None:
    """Keep collector pauses out of request latency in a long-running server process.

    Everything loaded at start-up (the analysis models, templates, SQLAlchemy metadata) lives for
    the whole process: frozen, full collections no longer walk it. A higher first-generation
    threshold lets the short-lived objects of a request die young without a collection per few
    hundred allocations. Measured with benchmarks/ingest.py: p99 89 ms -> 15 ms (docs/performance.md).
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


def app_from_env() -> Starlette:
    """Factory for ``uvicorn --factory comments.web.app:app_from_env`` (and ``--reload``).

    Every worker process checks that it can write the SQLite database's files (refusing to
    start otherwise) and leaves a traceback on stderr should it die of a fatal signal.
    """
    failures.enable_faulthandler()
    settings = Settings.from_env()
    try:
        check_writable(settings.database_url)
    except DatabaseFilesNotWritable as exc:
        failures.failure("database_not_writable", str(exc))
        raise SystemExit(f"comments: {exc}") from None
    app = create_app(settings)
    tune_garbage_collector()
    return app

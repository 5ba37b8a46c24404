"""Fixtures: a fresh database per test (SQLite, and PostgreSQL when configured), the app, a client."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from comments import period, storage
from comments.drafts import DraftTree, Node
from comments.settings import Settings
from comments.storage.db import make_engine, migrate
from comments.storage.models import Draft
from comments.web.app import create_app
from tests import templates

PG_URL = os.environ.get("COMMENTS_TEST_DATABASE_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never depend on the shell: every COMMENTS_* variable is removed."""
    for name in list(os.environ):
        if name.startswith("COMMENTS_"):
            monkeypatch.delenv(name)


@pytest.fixture
def one_rate_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rate limits count in fixed one-minute windows, so a test that expects a refusal must not
    straddle two of them: the limiters of this process count on a clock that starts one second
    into a window (no waiting)."""
    from comments.intake.ratelimit import WINDOW, RateLimiter

    started = time.time()
    start = (started // WINDOW) * WINDOW + WINDOW + 1.0
    monkeypatch.setattr(RateLimiter, "clock", staticmethod(lambda: start + time.time() - started))


def real_rate_window(seconds: float = 5.0) -> None:
    """For a test whose limits count in a server process of its own, called just before the
    requests that must fall in one window: with less than ``seconds`` of the current window
    left, wait for the next one to begin (at most ``seconds``)."""
    from comments.intake.ratelimit import WINDOW

    left = WINDOW - time.time() % WINDOW
    if left < seconds:
        time.sleep(left + 0.05)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of its own for this test: a SQLite file, or a PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = templates.admin(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture
def engine(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """The test's database, migrated: a copy of a database the migrations built once."""
    templates.fill(database_url, tmp_path_factory)
    eng = make_engine(database_url)
    migrate(eng)  # on the copy, a check that it is at the newest revision
    yield eng
    eng.dispose()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, secret_key="test-secret", rate_limit_per_minute=0)


@pytest.fixture
def app(settings: Settings, engine: Engine) -> Iterator[object]:
    application = create_app(settings, engine=engine)
    yield application
    application.state.comments.close()


@pytest.fixture
async def client(app: object) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


def small_tree() -> DraftTree:
    """A small law-shaped draft written for the tests."""
    return DraftTree(
        title="社区停车管理办法",
        issuer="某市住房和城乡建设局",
        contact="tingche@example.gov.cn",
        nodes=[
            Node(key="序言", kind="preamble", text="为规范社区停车秩序，制定本办法。"),
            Node(
                key="第一章",
                kind="chapter",
                label="第一章",
                number=1,
                heading="总则",
                children=[
                    Node(
                        key="第一章/第一条",
                        kind="article",
                        label="第一条",
                        number=1,
                        text="本办法适用于本市行政区域内住宅小区的停车管理。",
                    ),
                    Node(
                        key="第一章/第二条",
                        kind="article",
                        label="第二条",
                        number=2,
                        children=[
                            Node(
                                key="第一章/第二条/第一款",
                                kind="paragraph",
                                number=1,
                                text="小区停车位应当优先满足业主需要。",
                            ),
                            Node(
                                key="第一章/第二条/第二款",
                                kind="paragraph",
                                number=2,
                                text="收费标准由业主大会决定。",
                            ),
                        ],
                    ),
                ],
            ),
        ],
    )


def add_draft(engine: Engine, *, days_left: int = 10, slug: str = "tingche", **kw: object) -> Draft:
    with Session(engine) as session:
        today = period.today_in("Asia/Shanghai")
        return storage.import_draft(
            session=session,
            tree=small_tree(),
            source_name="tingche.txt",
            slug=slug,
            deadline=today + timedelta(days=days_left),
            **kw,  # type: ignore[arg-type]
        )


@pytest.fixture
def draft(engine: Engine) -> Draft:
    return add_draft(engine)

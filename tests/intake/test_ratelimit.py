"""Rate limits on comment posts: per address and per contact, shared between app processes."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import socket
import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy import event, func, select

from comments.cli import main
from comments.intake.ratelimit import (
    DatabaseRateLimiter,
    MemoryRateLimiter,
    RedisRateLimiter,
    limit_keys,
    make_limiter,
)
from comments.storage.db import make_engine
from comments.storage.ratelimits import RATELIMIT
from comments.web.app import create_app
from tests.conftest import real_rate_window
from tests.helpers import comment_count, stored_comments
from tests.servers import free_port, server_env, start_server, stop_server

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("one_rate_window")]

URL = "/api/drafts/tingche/comments"
REDIS_URL = "redis://127.0.0.1:6379/15"


def client_for(app, address: str = "203.0.113.7") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


def redis_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def limited(settings, engine, draft):
    application = create_app(
        settings.with_overrides(rate_limit_per_minute=3, secret_key=uuid.uuid4().hex),
        engine=engine,
    )
    yield application
    application.state.comments.intake.writer.close()


async def test_fourth_post_in_a_minute_is_refused_with_retry_after_and_not_stored(limited, engine):
    async with client_for(limited) as client:
        codes = [
            (await client.post(URL, json={"body": f"第{i}条意见。"})).status_code for i in range(3)
        ]
        refused = await client.post(URL, json={"body": "第四条意见。"})
    assert codes == [201, 201, 201]
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert "秒后再试" in refused.json()["error"]["message"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 61
    assert [c.body for c in stored_comments(engine)] == [
        "第0条意见。",
        "第1条意见。",
        "第2条意见。",
    ]


async def test_default_limiter_is_the_database_window_not_process_memory(limited):
    assert isinstance(limited.state.comments.intake.limiter, DatabaseRateLimiter)


async def test_two_app_processes_on_one_database_share_the_window(settings, database_url, draft):
    # Two apps with engines of their own stand for two worker processes: memory is not shared.
    shared = settings.with_overrides(rate_limit_per_minute=4, secret_key=uuid.uuid4().hex)
    engines = [make_engine(database_url), make_engine(database_url)]
    apps = [create_app(shared, engine=e) for e in engines]
    try:
        codes = []
        for i in range(6):
            async with client_for(apps[i % 2]) as client:
                codes.append((await client.post(URL, json={"body": f"意见{i}"})).status_code)
        assert codes == [201, 201, 201, 201, 429, 429]
    finally:
        for application, eng in zip(apps, engines, strict=True):
            application.state.comments.intake.writer.close()
            eng.dispose()


async def test_one_contact_is_limited_across_different_addresses(limited, engine):
    codes = []
    for i in range(5):
        async with client_for(limited, f"198.51.100.{i + 1}") as client:
            r = await client.post(
                URL,
                json={"body": "反对收费。", "contact": "138 0000 1111" if i % 2 else "13800001111"},
            )
            codes.append(r.status_code)
    assert codes == [201, 201, 201, 429, 429]
    assert comment_count(engine) == 3


async def test_other_clients_are_not_held_back_by_a_flooding_one(limited):
    async with client_for(limited, "192.0.2.1") as flooder:
        for _ in range(5):
            await flooder.post(URL, json={"body": "同一段话。"})
    async with client_for(limited, "192.0.2.2") as other:
        r = await other.post(URL, json={"body": "我有不同意见。"})
    assert r.status_code == 201


async def test_flood_of_identical_comments_keeps_every_acknowledged_one(settings, engine, draft):
    application = create_app(
        settings.with_overrides(rate_limit_per_minute=10, secret_key=uuid.uuid4().hex),
        engine=engine,
    )
    try:
        receipts = []
        refused = 0
        async with client_for(application, "192.0.2.9") as client:
            for _ in range(40):
                r = await client.post(URL, json={"clause": "第一章/第一条", "body": "坚决反对！"})
                if r.status_code == 201:
                    receipts.append(r.json()["receipt"])
                else:
                    assert r.status_code == 429
                    refused += 1
    finally:
        application.state.comments.intake.writer.close()
    assert len(receipts) == 10 and refused == 30
    rows = stored_comments(engine)
    assert sorted(c.receipt for c in rows) == sorted(receipts)
    # One client pseudonym and one text: what the campaign detector groups on.
    assert len({c.client_hash for c in rows}) == 1
    assert {c.body for c in rows} == {"坚决反对！"}


async def test_form_post_over_the_limit_shows_the_form_again_with_429(limited, engine):
    async with client_for(limited) as client:
        page = await client.get("/drafts/tingche/comment")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        codes = []
        for i in range(4):
            r = await client.post(
                "/drafts/tingche/comments", data={"body": f"表单意见{i}", "csrf_token": token}
            )
            codes.append(r.status_code)
    assert codes == [303, 303, 303, 429]
    assert "提交过于频繁" in r.text and "表单意见3" in r.text  # the text is kept for a retry
    assert comment_count(engine) == 3


def test_window_resets_at_the_next_minute(engine):
    limiter = DatabaseRateLimiter(2, "s", engine)
    keys = limit_keys("s", "client-a")
    assert [limiter.count(keys, 600.0 + i) for i in range(3)] == [0, 0, 59]
    assert limiter.count(keys, 660.0) == 0


def test_past_windows_are_swept_from_the_table(engine):
    limiter = DatabaseRateLimiter(5, "s", engine)
    for minute in range(10):
        limiter.count(limit_keys("s", f"client-{minute}"), minute * 60.0)
    with engine.connect() as connection:
        buckets = connection.execute(select(RATELIMIT.c.bucket)).scalars().all()
    assert sorted(buckets) == [8, 9]


def test_keys_are_salted_hashes_not_addresses_or_contacts():
    keys = limit_keys("secret", "203.0.113.7", "Zhang@Example.cn")
    assert len(keys) == 2 and all(re.fullmatch(r"[0-9a-f]{32}", k) for k in keys)
    assert limit_keys("secret", "203.0.113.7", " zhang@example.cn ") == keys
    assert limit_keys("other", "203.0.113.7", "zhang@example.cn") != keys
    assert len(limit_keys("secret", "203.0.113.7", "  ")) == 1


def test_memory_limiter_counts_per_key_in_one_process():
    limiter = MemoryRateLimiter(1, "s")
    assert limiter.count(["a"], 0.0) == 0
    assert limiter.count(["a"], 1.0) == 60
    assert limiter.count(["b"], 1.0) == 0


def test_backend_is_chosen_by_settings_and_bad_choices_are_refused(settings, engine):
    assert isinstance(
        make_limiter(settings.with_overrides(rate_limit_backend="memory"), engine, "s"),
        MemoryRateLimiter,
    )
    redis_limiter = make_limiter(settings.with_overrides(redis_url=REDIS_URL), engine, "s")
    assert isinstance(redis_limiter, RedisRateLimiter)
    redis_limiter.close()
    with pytest.raises(ValueError, match="COMMENTS_RATE_LIMIT_BACKEND 应为"):
        make_limiter(settings.with_overrides(rate_limit_backend="nginx"), engine, "s")
    with pytest.raises(ValueError, match="需要同时设置 COMMENTS_REDIS_URL"):
        make_limiter(settings.with_overrides(rate_limit_backend="redis"), engine, "s")


async def test_redis_window_is_shared_between_processes(settings, database_url, draft):
    if not redis_available():
        if os.environ.get("CI", "").lower() == "true":  # .ci/run starts Redis: its absence is a bug
            pytest.fail("CI must have Redis on 127.0.0.1:6379")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    shared = settings.with_overrides(
        rate_limit_per_minute=2, secret_key=uuid.uuid4().hex, redis_url=REDIS_URL
    )
    engines = [make_engine(database_url), make_engine(database_url)]
    apps = [create_app(shared, engine=e) for e in engines]
    try:
        assert all(isinstance(a.state.comments.intake.limiter, RedisRateLimiter) for a in apps)
        codes = []
        for i in range(4):
            async with client_for(apps[i % 2]) as client:
                codes.append((await client.post(URL, json={"body": f"意见{i}"})).status_code)
        assert codes == [201, 201, 429, 429]
        with engines[0].connect() as connection:  # counted in Redis, not in the database
            assert connection.execute(select(func.count()).select_from(RATELIMIT)).scalar() == 0
    finally:
        for application, eng in zip(apps, engines, strict=True):
            application.state.comments.intake.writer.close()
            application.state.comments.intake.limiter.close()
            eng.dispose()


async def test_redis_down_falls_back_to_the_database_window_and_says_so(
    settings, engine, draft, caplog
):
    application = create_app(
        settings.with_overrides(
            rate_limit_per_minute=2,
            secret_key=uuid.uuid4().hex,
            redis_url=f"redis://127.0.0.1:{closed_port()}/0",
        ),
        engine=engine,
    )
    try:
        with caplog.at_level(logging.WARNING, logger="comments.intake.ratelimit"):
            async with client_for(application) as client:
                codes = [
                    (await client.post(URL, json={"body": f"意见{i}"})).status_code
                    for i in range(3)
                ]
    finally:
        application.state.comments.intake.writer.close()
        application.state.comments.intake.limiter.close()
    assert codes == [201, 201, 429]  # still limited: neither open to floods nor closed to all
    warnings = [r for r in caplog.records if "Redis unreachable" in r.getMessage()]
    assert len(warnings) == 1  # one line, not one per request
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(RATELIMIT)).scalar() == 1


async def test_concurrent_hits_grouped_in_one_transaction_are_counted_one_by_one(engine):
    limiter = DatabaseRateLimiter(5, "s", engine)
    try:
        verdicts = await asyncio.gather(*(limiter.hit("203.0.113.50") for _ in range(12)))
        assert sorted(verdicts)[:5] == [0] * 5 and all(v > 0 for v in sorted(verdicts)[5:])
        assert limiter.batches < 12  # grouped: fewer transactions than hits
        with engine.connect() as connection:
            assert connection.execute(select(RATELIMIT.c.hits)).scalars().all() == [12]
    finally:
        limiter.close()


async def test_database_error_in_the_limiter_answers_503_and_stores_nothing(
    settings, engine, draft
):
    application = create_app(
        settings.with_overrides(rate_limit_per_minute=5, secret_key=uuid.uuid4().hex),
        engine=engine,
    )
    error = engine.dialect.loaded_dbapi.OperationalError

    @event.listens_for(engine, "before_cursor_execute")
    def _locked(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if "INTO ratelimit" in statement:
            raise error("database is locked")  # the counter store cannot be written

    try:
        async with client_for(application) as client:
            r = await client.post(URL, json={"body": "限流表坏了。"})
    finally:
        application.state.comments.intake.writer.close()
        application.state.comments.intake.limiter.close()
    assert r.status_code == 503
    assert r.json()["error"]["code"] == "database_unavailable"
    assert comment_count(engine) == 0


def worker_pids(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in children.read_text().split()] if children.exists() else []


def test_a_two_worker_server_enforces_one_limit_across_its_processes(database_url, tmp_path):
    port = free_port()
    env = server_env(port, database_url, COMMENTS_RATE_LIMIT_PER_MINUTE="6")
    proc = start_server(env, tmp_path, args=("--workers", "2"))
    try:
        assert len(worker_pids(proc.pid)) >= 2
        url = f"http://127.0.0.1:{port}/api/drafts/informatization-draft/comments"
        real_rate_window()  # the ten posts below take well under its five seconds
        codes = []
        for i in range(10):  # a new connection each time: the kernel spreads them over workers
            with httpx.Client() as http:
                codes.append(http.post(url, json={"body": f"多进程意见{i}"}).status_code)
        assert codes == [201] * 6 + [429] * 4
    finally:
        stop_server(proc)


def test_serve_refuses_bad_worker_counts_in_chinese(capsys):
    assert main(["serve", "--workers", "0"]) == 1
    assert "--workers 至少为 1" in capsys.readouterr().err
    assert main(["serve", "--workers", "2", "--reload"]) == 1
    assert "不能与 --workers 同用" in capsys.readouterr().err

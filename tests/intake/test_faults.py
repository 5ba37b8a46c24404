"""Faults that really happen: the database goes away or fills up, an upload is too large.

A post that cannot be committed gets 503 and no receipt; the service recovers by itself when the
database is back. A draft import that fails leaves the previous state exactly as it was.
"""

from __future__ import annotations

import contextlib
import socket
import sqlite3
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from comments import storage
from comments.drafts import DraftTree, Node
from comments.storage.db import make_engine, migrate
from comments.storage.models import AuditLog, Clause, Draft
from comments.web.app import create_app
from tests.conftest import add_draft, small_tree
from tests.helpers import comment_count, stored_comments
from tests.test_auth import make_drafter

pytestmark = pytest.mark.anyio

URL = "/api/drafts/tingche/comments"
UNAVAILABLE = "服务暂时无法保存，请稍后再试。您的意见尚未提交。"


class Proxy:
    """A loopback TCP proxy to PostgreSQL that the test can cut and restore: a database outage
    for this app only, without stopping the server everyone else uses."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.port = 0
        self._listener: socket.socket | None = None
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            with self._lock:
                self._sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, target):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        """Refuse new connections and cut every open one, as a crashed server would."""
        if self._listener is not None:
            with contextlib.suppress(OSError):  # wakes the thread blocked in accept()
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None
        with self._lock:
            for s in self._sockets:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()
            self._sockets.clear()


class Outage:
    """Takes the test's database away and brings it back: a proxy cut for PostgreSQL, an
    exclusive lock held by another connection for SQLite."""

    def __init__(self, database_url: str) -> None:
        self.url = make_url(database_url)
        self.proxy: Proxy | None = None
        self.lock: sqlite3.Connection | None = None
        if self.url.get_backend_name() == "postgresql":
            self.proxy = Proxy((self.url.host or "127.0.0.1", self.url.port or 5432))
            self.proxy.start()

    def engine(self) -> Engine:
        if self.proxy is None:
            engine = make_engine(self.url.render_as_string(hide_password=False))

            @event.listens_for(engine, "connect")
            def _short_wait(dbapi_connection: sqlite3.Connection, _record: object) -> None:
                # Fail a locked write after 0.3 s rather than the service's 5 s: same path.
                dbapi_connection.execute("PRAGMA busy_timeout=300")

            return engine
        proxied = self.url.set(host="127.0.0.1", port=self.proxy.port)
        return make_engine(proxied.render_as_string(hide_password=False))

    def begin(self) -> None:
        if self.proxy is not None:
            self.proxy.stop()
        else:
            self.lock = sqlite3.connect(self.url.database or "", isolation_level=None)
            self.lock.execute("BEGIN EXCLUSIVE")

    def end(self) -> None:
        if self.proxy is not None:
            self.proxy.start()
        elif self.lock is not None:
            self.lock.execute("ROLLBACK")
            self.lock.close()
            self.lock = None

    def close(self) -> None:
        if self.proxy is not None:
            self.proxy.stop()
        self.end() if self.lock is not None else None


@pytest.fixture
def outage(database_url: str) -> Iterator[Outage]:
    fault = Outage(database_url)
    yield fault
    fault.close()


async def test_posts_get_503_while_the_database_is_away_and_succeed_when_it_returns(
    settings, database_url, outage, caplog
):
    from comments import failures

    failures.reset()
    caplog.set_level("ERROR", logger="comments.failures")
    engine = outage.engine()
    migrate(engine)
    add_draft(engine)
    application = create_app(settings, engine=engine)
    transport = httpx.ASGITransport(app=application)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            before = await client.post(URL, json={"body": "故障前的意见。"})
            assert before.status_code == 201
            outage.begin()
            during = [await client.post(URL, json={"body": f"故障中的意见{i}。"}) for i in range(3)]
            form_page = await client.get("/drafts/tingche")
            outage.end()
            after = await client.post(URL, json={"body": "恢复后的意见。"})
    finally:
        application.state.comments.intake.writer.close()
    for r in during:
        assert r.status_code == 503
        assert r.json() == {"error": {"code": "database_unavailable", "message": UNAVAILABLE}}
        assert r.headers["Retry-After"] == "60"
        assert "receipt" not in r.text
    assert form_page.status_code in (200, 503)  # reads may still work on SQLite (WAL)
    assert after.status_code == 201
    bodies = [c.body for c in stored_comments(engine)]
    assert bodies == ["故障前的意见。", "恢复后的意见。"]  # nothing acknowledged, nothing half-kept
    logged = [r.getMessage() for r in caplog.records if r.name == "comments.failures"]
    assert len(logged) == 1 and '"kind": "database_unavailable"' in logged[0]  # once per burst
    engine.dispose()


async def test_form_post_while_the_database_is_away_shows_a_503_page(
    settings, database_url, outage
):
    engine = outage.engine()
    migrate(engine)
    add_draft(engine)
    application = create_app(settings, engine=engine)
    transport = httpx.ASGITransport(app=application)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            page = await client.get("/drafts/tingche/comment")
            token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
            outage.begin()
            r = await client.post(
                "/drafts/tingche/comments", data={"body": "表单意见。", "csrf_token": token}
            )
            outage.end()
    finally:
        application.state.comments.intake.writer.close()
    assert r.status_code == 503
    assert "您的意见尚未提交" in r.text
    assert comment_count(engine) == 0
    engine.dispose()


def big_tree(clauses: int, chars: int) -> DraftTree:
    return DraftTree(
        title="大型草案",
        nodes=[
            Node(key=f"第{i}条", kind="article", label=f"第{i}条", number=i, text="条" * chars)
            for i in range(1, clauses + 1)
        ],
    )


def state_of_db(engine: Engine) -> tuple[list[str], int, int]:
    """Drafts, clause rows and audit rows: what a failed import must leave as it was."""
    with engine.connect() as connection:
        slugs = sorted(connection.execute(select(Draft.slug)).scalars())  # type: ignore[call-overload]
        clauses = connection.execute(select(func.count()).select_from(Clause)).scalar_one()
        audits = connection.execute(select(func.count()).select_from(AuditLog)).scalar_one()
    return slugs, int(clauses), int(audits)


def fail_clause_inserts(engine: Engine) -> None:
    """Make the database fail half-way through an import, as a full disk does."""
    error = engine.dialect.loaded_dbapi.OperationalError

    @event.listens_for(engine, "before_cursor_execute")
    def _disk_full(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("INSERT INTO CLAUSE"):
            raise error("database or disk is full")


def test_import_failing_half_way_leaves_the_old_state_standing(engine, draft):
    before = state_of_db(engine)
    fail_clause_inserts(engine)
    with Session(engine) as session, pytest.raises(Exception, match="disk is full"):
        storage.import_draft(session=session, tree=big_tree(50, 20), source_name="big.txt")
    assert state_of_db(engine) == before


async def test_upload_failing_half_way_answers_503_and_stores_nothing(client, engine, draft):
    _drafter, _password, token = make_drafter(engine)
    before = state_of_db(engine)
    fail_clause_inserts(engine)
    text = "关于停车管理的办法（征求意见稿）\n第一条 为了规范停车，制定本办法。\n第二条 本办法自公布之日起施行。\n"
    r = await client.post(
        "/drafter/upload",
        headers={"Authorization": f"Bearer {token}"},
        files={"file": ("tingche2.txt", text.encode(), "text/plain")},
        data={"slug": "tingche-two"},
    )
    assert r.status_code == 503
    assert "暂时无法保存" in r.text
    assert state_of_db(engine) == before


async def test_oversized_upload_is_refused_before_parsing_and_stores_nothing(
    settings, engine, draft
):
    application = create_app(settings.with_overrides(max_upload_bytes=4096), engine=engine)
    _drafter, _password, token = make_drafter(engine)
    before = state_of_db(engine)
    text = "第一条 " + "很长的条文。" * 2000
    transport = httpx.ASGITransport(app=application)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            r = await client.post(
                "/drafter/upload",
                headers={"Authorization": f"Bearer {token}"},
                files={"file": ("big.txt", text.encode(), "text/plain")},
            )
    finally:
        application.state.comments.intake.writer.close()
    assert r.status_code == 413
    assert "请求内容过大（上限 4 KB）" in r.text
    assert state_of_db(engine) == before


def test_oversized_file_on_the_command_line_is_refused_and_stores_nothing(
    database_url, engine, draft, tmp_path, monkeypatch, capsys
):
    from comments.cli import main

    big = tmp_path / "big.txt"
    big.write_text("关于某办法（征求意见稿）\n第一条 " + "条文" * 5000, encoding="utf-8")
    monkeypatch.setenv("COMMENTS_DATABASE_URL", database_url)
    monkeypatch.setenv("COMMENTS_MAX_UPLOAD_BYTES", "1024")
    before = state_of_db(engine)
    assert main(["import", str(big)]) == 1
    assert capsys.readouterr().err.startswith("comments: ")
    assert state_of_db(engine) == before


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a 512 KB tmpfs here ({done.stderr.strip()[:120]})")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_import_onto_a_full_disk_fails_whole_and_the_old_draft_stands(tiny_disk):
    engine = make_engine(f"sqlite:///{tiny_disk / 'full.db'}")
    try:
        migrate(engine)
        add_draft(engine)
        before = state_of_db(engine)
        with Session(engine) as session, pytest.raises(Exception, match="full"):
            storage.import_draft(
                session=session,
                tree=big_tree(400, 1000),  # ~1.2 MB of text onto 512 KB
                source_name="big.txt",
            )
        assert state_of_db(engine) == before
        with Session(engine) as session:
            old = storage.draft_by_slug(session, "tingche")
            assert old is not None and old.id is not None
            assert len(storage.clauses_of(session, old.id)) == len(list(small_tree().walk()))
    finally:
        engine.dispose()


def _writer_row(draft_id: int, body: str) -> dict[str, object]:
    return {
        "draft_id": draft_id,
        "clause_key": None,
        "body": body,
        "submitter_type": "个人",
        "name": "",
        "contact": "",
        "region": "",
        "show_name": False,
        "status": "published",
        "client_hash": "",
    }


def test_the_comment_writer_answers_only_after_the_log_is_synced(tmp_path, monkeypatch):
    """Power loss must not take back an acknowledged comment: the writer commits under WAL with
    synchronous=NORMAL and fsyncs the log before anyone hears of the rows."""
    import asyncio

    from comments.intake import CommentWriter
    from comments.storage import inserts

    engine = make_engine(f"sqlite:///{tmp_path / 'sync.db'}")
    migrate(engine)
    draft = add_draft(engine)
    synced: list[str] = []
    release = threading.Event()
    real_sync = inserts.sync_file

    def slow_sync(path: str, fallback: str) -> None:
        synced.append(path)
        release.wait(10)
        real_sync(path, fallback)

    monkeypatch.setattr(inserts, "sync_file", slow_sync)
    writer = CommentWriter(engine, timezone="Asia/Shanghai")

    async def post() -> None:
        task = asyncio.ensure_future(writer.submit(_writer_row(draft.id, "断电也不丢的意见。")))
        for _ in range(200):  # committed, waiting for its fsync
            if synced:
                break
            await asyncio.sleep(0.01)
        assert synced and synced[0].endswith("sync.db-wal")
        await asyncio.sleep(0.2)
        assert not task.done()  # no answer before the fsync returned
        assert comment_count(engine) == 1  # the commit itself is done
        release.set()
        stored = await asyncio.wait_for(task, 5)
        assert stored.id == 1

    try:
        asyncio.run(post())
        with engine.connect() as other:  # every connection runs WAL with synchronous=NORMAL
            assert other.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert other.exec_driver_sql("PRAGMA synchronous").scalar() == 1
    finally:
        release.set()
        writer.close()
        engine.dispose()


def test_a_log_that_cannot_be_synced_leaves_the_comment_in_doubt(tmp_path, monkeypatch):
    """An fsync that fails (EIO) means the commit may not survive: 503 commit_uncertain, and
    the same idempotency key later gets the stored comment's receipt."""
    import errno

    from comments.settings import Settings
    from comments.storage import inserts

    def broken_sync(path: str, fallback: str) -> None:
        raise OSError(errno.EIO, "Input/output error")

    url = f"sqlite:///{tmp_path / 'eio.db'}"
    engine = make_engine(url)
    migrate(engine)
    add_draft(engine)
    app = create_app(Settings(database_url=url, rate_limit_per_minute=0), engine=engine)

    async def run() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            payload = {"clause": None, "body": "同步失败时的意见。", "idempotency_key": "eio-key-1"}
            monkeypatch.setattr(inserts, "sync_file", broken_sync)
            r = await client.post(URL, json=payload)
            assert r.status_code == 503, r.text
            assert r.json()["error"]["code"] == "commit_uncertain"
            monkeypatch.undo()
            again = await client.post(URL, json=payload)
            assert again.status_code == 201, again.text
            assert comment_count(engine) == 1

    try:
        import anyio

        anyio.run(run)
    finally:
        app.state.comments.close()
        engine.dispose()


def test_syncing_a_log_that_is_gone_syncs_the_database_file(tmp_path):
    from comments.storage.inserts import sync_file

    database = tmp_path / "d.db"
    database.write_bytes(b"x")
    sync_file(str(tmp_path / "d.db-wal"), str(database))  # no log: the file itself
    with pytest.raises(FileNotFoundError):
        sync_file(str(tmp_path / "none-wal"), str(tmp_path / "none.db"))


def test_a_burst_of_failures_leaves_one_structured_log_line_per_kind(caplog):
    import json

    from comments import failures

    failures.reset()
    with caplog.at_level("ERROR", logger="comments.failures"):
        for _ in range(5):
            failures.failure("database_unavailable", OSError("disk I/O error"))
        failures.failure("server_error", RuntimeError("boom"))
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "comments.failures"]
    assert lines == [
        {"event": "failure", "kind": "database_unavailable", "error": "OSError: disk I/O error"},
        {"event": "failure", "kind": "server_error", "error": "RuntimeError: boom"},
    ]
    failures.reset()


async def test_a_commit_that_does_not_come_back_is_a_503_that_says_it_may_be_stored(
    app, draft, engine, monkeypatch
):
    import threading

    intake = app.state.comments.intake
    inserter = intake.writer.inserter
    real = inserter.insert
    stalled = threading.Event()

    def stall(*args, claim, **kwargs):
        def claim_then_stall():
            wanted = claim()  # past the commit point: the write is under way
            stalled.wait(5)  # the database stops answering for a while
            return wanted

        return real(*args, claim=claim_then_stall, **kwargs)

    monkeypatch.setattr(inserter, "insert", stall)
    monkeypatch.setattr(intake, "COMMIT_WAIT", 0.3)
    transport = httpx.ASGITransport(app=app)
    body = {"body": "分区期间提交的意见。", "idempotency_key": "partition-0001"}
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        r = await client.post(URL, json=body)
        assert r.status_code == 503
        assert r.json()["error"]["code"] == "commit_uncertain"
        assert "不会重复保存" in r.json()["error"]["message"]
        stalled.set()  # the database answers again; the first attempt was committed after all
        monkeypatch.setattr(inserter, "insert", real)
        intake.writer.close()  # waits for the stalled batch
        again = await client.post(URL, json=body)
    assert again.status_code == 201
    assert [c.body for c in stored_comments(engine)] == ["分区期间提交的意见。"]


async def test_a_comment_whose_wait_ran_out_before_its_write_began_is_left_out(
    app, draft, engine, monkeypatch
):
    import threading

    intake = app.state.comments.intake
    inserter = intake.writer.inserter
    real = inserter.insert
    stalled = threading.Event()

    def stall(*args, **kwargs):
        stalled.wait(5)  # checking out a connection takes long: the write has not begun
        return real(*args, **kwargs)

    monkeypatch.setattr(inserter, "insert", stall)
    monkeypatch.setattr(intake, "COMMIT_WAIT", 0.3)
    transport = httpx.ASGITransport(app=app)
    body = {"body": "没来得及写入的意见。", "idempotency_key": "partition-0002"}
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        r = await client.post(URL, json=body)
        assert r.status_code == 503
        assert r.json() == {"error": {"code": "database_unavailable", "message": UNAVAILABLE}}
        stalled.set()  # the database answers again: the comment is not written late
        intake.writer.close()
        assert comment_count(engine) == 0
        monkeypatch.setattr(inserter, "insert", real)
        again = await client.post(URL, json=body)
    assert again.status_code == 201
    assert [c.body for c in stored_comments(engine)] == ["没来得及写入的意见。"]


async def test_a_form_post_whose_commit_is_uncertain_says_so_on_a_503_page(
    app, draft, engine, monkeypatch
):
    import threading

    intake = app.state.comments.intake
    inserter = intake.writer.inserter
    real = inserter.insert
    stalled = threading.Event()

    def stall(*args, claim, **kwargs):
        def claim_then_stall():
            wanted = claim()
            stalled.wait(5)
            return wanted

        return real(*args, claim=claim_then_stall, **kwargs)

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        page = await client.get("/drafts/tingche/comment")
        token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        monkeypatch.setattr(inserter, "insert", stall)
        monkeypatch.setattr(intake, "COMMIT_WAIT", 0.3)
        r = await client.post(
            "/drafts/tingche/comments",
            data={"body": "表单提交、结果不明的意见。", "csrf_token": token},
        )
        stalled.set()
        intake.writer.close()
    assert r.status_code == 503
    assert r.headers["Retry-After"] == "10"
    assert "无法确认您的意见是否已经保存" in r.text
    assert "尚未提交" not in r.text
    assert [c.body for c in stored_comments(engine)] == ["表单提交、结果不明的意见。"]

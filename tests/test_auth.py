"""Drafter login: sessions, CSRF, lock-out after repeated failures, tokens, role boundaries."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlmodel import Session, select

from comments import auth, storage
from comments.errors import InputError
from comments.storage import logins
from comments.storage.models import AuditLog, Drafter, LoginThrottle, utcnow
from tests.conftest import add_draft
from tests.drafter_helpers import fast_password_hashing  # noqa: F401
from tests.helpers import csrf_from

pytestmark = pytest.mark.anyio


def make_drafter(engine, name="wang", organisation="市住建局", role="drafter"):
    with Session(engine) as session:
        drafter, password, token = storage.add_drafter(
            session=session, name=name, organisation=organisation, role=role
        )
    return drafter, password, token


async def log_in(client, name, password):
    page = await client.get("/login")
    return await client.post(
        "/login",
        data={"name": name, "password": password, "csrf_token": csrf_from(page.text)},
    )


async def test_login_with_the_right_password_opens_the_workspace(client, engine):
    _, password, _ = make_drafter(engine)
    r = await log_in(client, "wang", password)
    assert r.status_code == 303 and r.headers["location"] == "/drafter"
    cookie = r.headers["set-cookie"]
    assert auth.SESSION_COOKIE in cookie
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Max-Age=28800" in cookie
    page = await client.get("/drafter")
    assert page.status_code == 200
    assert "我的草案" in page.text and "wang" in page.text


async def test_wrong_password_is_refused_without_a_session(client, engine):
    make_drafter(engine)
    r = await log_in(client, "wang", "not-the-password")
    assert r.status_code == 401
    assert "用户名或密码不正确" in r.text
    assert auth.SESSION_COOKIE not in r.headers.get("set-cookie", "")
    assert (await client.get("/drafter")).status_code == 401


async def test_login_without_csrf_token_is_refused(client, engine):
    _, password, _ = make_drafter(engine)
    r = await client.post("/login", data={"name": "wang", "password": password})
    assert r.status_code == 403
    assert auth.SESSION_COOKIE not in r.headers.get("set-cookie", "")


async def test_empty_name_or_password_gets_a_clear_error(client, engine):
    page = await client.get("/login")
    r = await client.post(
        "/login", data={"name": "", "password": "", "csrf_token": csrf_from(page.text)}
    )
    assert r.status_code == 400
    assert "请填写用户名和密码" in r.text


async def test_repeated_failures_lock_the_account_even_for_the_right_password(client, engine):
    _, password, _ = make_drafter(engine)
    for _ in range(logins.MAX_FAILURES - 1):
        assert (await log_in(client, "wang", "wrong")).status_code == 401
    locked = await log_in(client, "wang", "wrong")
    assert locked.status_code == 429
    assert "暂时锁定" in locked.text
    r = await log_in(client, "wang", password)
    assert r.status_code == 429
    assert auth.SESSION_COOKIE not in r.headers.get("set-cookie", "")
    with Session(engine) as session:
        [row] = session.exec(select(LoginThrottle)).all()
        # kept per account and client address: "wang@<pseudonym of this client>"
        assert row.name.startswith("wang@") and row.failures == logins.MAX_FAILURES


async def test_someone_guessing_from_another_address_does_not_lock_the_owner_out(app, engine):
    _, password, _ = make_drafter(engine)

    def client_from(address: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(address, 5000))
        return httpx.AsyncClient(transport=transport, base_url="http://testserver")

    async with client_from("203.0.113.66") as attacker:
        for _ in range(logins.MAX_FAILURES + 1):
            await log_in(attacker, "wang", "wrong")
        assert (await log_in(attacker, "wang", password)).status_code == 429
    async with client_from("198.51.100.7") as owner:
        r = await log_in(owner, "wang", password)
    assert r.status_code == 303 and auth.SESSION_COOKIE in r.headers.get("set-cookie", "")


async def test_logins_from_one_address_are_limited_whatever_the_names(client, engine):
    codes = [(await log_in(client, f"made-up-{i}", "wrong")).status_code for i in range(12)]
    assert codes[: auth.LoginGate.PER_MINUTE] == [401] * auth.LoginGate.PER_MINUTE
    assert codes[auth.LoginGate.PER_MINUTE :] == [429] * (12 - auth.LoginGate.PER_MINUTE)


async def test_an_address_over_its_limit_is_refused_before_its_form_is_read(client, engine):
    for i in range(auth.LoginGate.PER_MINUTE):
        await log_in(client, f"made-up-{i}", "wrong")
    # No CSRF token, not even a form: over the limit, the answer is 429 all the same (the
    # attempt is counted before anything is parsed), and it says when to try again.
    r = await client.post("/login", content=b"\xff" * 1000)
    assert r.status_code == 429, r.text
    assert "登录尝试过于频繁" in r.text and int(r.headers["retry-after"]) > 0


async def test_comments_are_taken_while_every_password_check_is_stuck(app, client, engine):
    import asyncio
    import threading

    add_draft(engine)
    gate = app.state.comments.logins
    release = threading.Event()
    stuck = [asyncio.ensure_future(gate.check(lambda: release.wait(10))) for _ in range(gate.QUEUE)]
    await asyncio.sleep(0.05)
    try:
        refused = await log_in(client, "wang", "wrong")  # the pool is full: 429 at once
        assert refused.status_code == 429 and "登录的人太多" in refused.text
        posted = await asyncio.wait_for(
            client.post(
                "/api/drafts/tingche/comments", json={"clause": None, "body": "照常提交。"}
            ),
            5,
        )
        assert posted.status_code == 201, posted.text
    finally:
        release.set()
        await asyncio.gather(*stuck)


async def test_password_checks_run_in_their_own_bounded_pool(app):
    import asyncio
    import threading

    gate = app.state.comments.logins
    release = threading.Event()
    names: list[str] = []

    def slow() -> str:
        names.append(threading.current_thread().name)
        release.wait(5)
        return "ok"

    waiting = [asyncio.ensure_future(gate.check(slow)) for _ in range(gate.QUEUE)]
    await asyncio.sleep(0.05)
    with pytest.raises(InputError) as refused:
        await gate.check(slow)  # the queue is full: refused at once, nothing more waits
    assert refused.value.status == 429
    release.set()
    assert await asyncio.gather(*waiting) == ["ok"] * gate.QUEUE
    assert names and all(n.startswith("login") for n in names)


def test_lock_out_is_kept_in_the_database_and_lifts_after_its_time(engine):
    _, password, _ = make_drafter(engine)
    now = utcnow()
    with Session(engine) as session:
        for _ in range(logins.MAX_FAILURES):
            auth.login(session, "wang", "wrong", now=now)
    # A second "process": a new session on the same database sees the lock.
    with Session(engine) as session:
        assert auth.login(session, "wang", password, now=now).wait_seconds > 0
    with Session(engine) as session:
        later = now + logins.FIRST_LOCK + timedelta(seconds=1)
        result = auth.login(session, "wang", password, now=later)
        assert result.drafter is not None and result.drafter.name == "wang"
        assert session.get(LoginThrottle, "wang") is None


def test_each_failure_after_the_lock_doubles_the_wait(engine):
    make_drafter(engine)
    now = utcnow()
    waits = []
    with Session(engine) as session:
        for i in range(logins.MAX_FAILURES + 2):
            moment = now + timedelta(hours=0, minutes=10 * i)  # each after the last lock lifted
            waits.append(auth.login(session, "wang", "wrong", now=moment).wait_seconds)
    assert waits[: logins.MAX_FAILURES - 1] == [0] * (logins.MAX_FAILURES - 1)
    assert waits[-3:] == [60, 120, 240]


async def test_logout_ends_the_session(client, engine):
    _, password, _ = make_drafter(engine)
    await log_in(client, "wang", password)
    page = await client.get("/drafter")
    r = await client.post("/logout", data={"csrf_token": csrf_from(page.text)})
    assert r.status_code == 303
    assert (await client.get("/drafter")).status_code == 401


async def test_tampered_or_expired_session_cookie_is_ignored(client, app, engine):
    drafter, _, _ = make_drafter(engine)
    secret = app.state.comments.secret
    good = auth.session_value(secret, drafter)
    client.cookies.set(auth.SESSION_COOKIE, good[:-2] + ("AA" if good[-2:] != "AA" else "BB"))
    assert (await client.get("/drafter")).status_code == 401
    with Session(engine) as session:
        assert auth.drafter_from_session(session, secret, good) is not None
        assert auth.drafter_from_session(session, secret, good, max_age=-1) is None


async def test_password_reset_ends_existing_sessions(client, engine):
    drafter, password, _ = make_drafter(engine)
    await log_in(client, "wang", password)
    assert (await client.get("/drafter")).status_code == 200
    with Session(engine) as session:
        storage.reset_drafter(session=session, drafter_id=drafter.id, actor="admin")
    assert (await client.get("/drafter")).status_code == 401


async def test_disabled_account_can_neither_log_in_nor_use_its_token(client, engine):
    drafter, password, token = make_drafter(engine)
    with Session(engine) as session:
        storage.set_drafter_active(
            session=session, drafter_id=drafter.id, active=False, actor="admin"
        )
    assert (await log_in(client, "wang", password)).status_code == 401
    r = await client.get("/drafter", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401


async def test_bearer_token_reaches_the_workspace_without_a_cookie(client, engine):
    _, _, token = make_drafter(engine)
    r = await client.get("/drafter", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200
    bad = await client.get("/drafter", headers={"Authorization": "Bearer nonsense"})
    assert bad.status_code == 401
    assert "令牌无效" in bad.text


async def test_login_redirects_only_to_local_paths(client, engine):
    _, password, _ = make_drafter(engine)
    page = await client.get("/login?next=//evil.example/x")
    r = await client.post(
        "/login",
        data={
            "name": "wang",
            "password": password,
            "next": "https://evil.example/",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert r.headers["location"] == "/drafter"


async def test_successful_login_leaves_an_audit_row(client, engine):
    _, password, _ = make_drafter(engine)
    await log_in(client, "wang", password)
    with Session(engine) as session:
        actions = [(a.actor, a.action) for a in session.exec(select(AuditLog))]
    assert ("wang", "login") in actions


def test_authorise_lets_admins_and_own_organisation_through(engine):
    draft = add_draft(engine, organisation="市住建局")
    own = Drafter(name="a", organisation="市住建局", password_hash="", token_hash="a")
    other = Drafter(name="b", organisation="市交通局", password_hash="", token_hash="b")
    admin = Drafter(name="c", organisation="", role="admin", password_hash="", token_hash="c")
    auth.authorise(own, draft)
    auth.authorise(admin, draft)
    with pytest.raises(Exception) as refused:
        auth.authorise(other, draft)
    assert refused.value.status == 403  # type: ignore[attr-defined]
    with pytest.raises(Exception) as anonymous:
        auth.authorise(None, draft)
    assert anonymous.value.status == 401  # type: ignore[attr-defined]


def test_failures_under_many_made_up_names_do_not_pile_up(engine):
    now = utcnow()
    with Session(engine) as session:
        for i in range(20):
            auth.login(session, f"nobody{i}", "wrong", now=now)
        for _ in range(logins.MAX_FAILURES):
            auth.login(session, "locked", "wrong", now=now)
        assert len(session.exec(select(LoginThrottle)).all()) == 21
        later = now + logins.FORGET_AFTER + timedelta(minutes=1)
        auth.login(session, "someone-else", "wrong", now=later)
        names = {row.name for row in session.exec(select(LoginThrottle))}
    # The old, unlocked names are forgotten; the lock of "locked" has lifted by now as well.
    assert names == {"someone-else"}


def test_a_drafts_audit_rows_are_its_own_and_its_comments(engine):
    with Session(engine) as session:
        for target in ["tingche", "tingche#3", "tingche:c1", "tingche-2", "tingche-2#1", "other"]:
            storage.audit(session, actor="t", action="x", target=target, detail="")
        session.commit()
        rows = storage.audit_log(session, limit=100, draft_slug="tingche")
    assert sorted(r.target for r in rows) == ["tingche", "tingche#3", "tingche:c1"]


async def test_a_copy_of_the_cookie_is_worthless_after_logout(client, engine):
    _, password, _ = make_drafter(engine)
    await log_in(client, "wang", password)
    kept = client.cookies.get(auth.SESSION_COOKIE)
    page = await client.get("/drafter")
    assert (
        await client.post("/logout", data={"csrf_token": csrf_from(page.text)})
    ).status_code == 303
    client.cookies.set(auth.SESSION_COOKIE, kept)  # someone kept the old cookie
    assert (await client.get("/drafter")).status_code == 401


async def test_logging_out_one_session_leaves_the_others(client, app, engine):
    drafter, password, _ = make_drafter(engine)
    secret = app.state.comments.secret
    other = auth.session_value(secret, drafter)  # the same account on another computer
    await log_in(client, "wang", password)
    page = await client.get("/drafter")
    await client.post("/logout", data={"csrf_token": csrf_from(page.text)})
    client.cookies.set(auth.SESSION_COOKIE, other)
    assert (await client.get("/drafter")).status_code == 200


async def test_the_csrf_secret_is_new_after_login(client, engine):
    _, password, _ = make_drafter(engine)
    await client.get("/login")
    before = client.cookies.get("csrftoken")
    await log_in(client, "wang", password)
    assert client.cookies.get("csrftoken") not in (None, before)

"""Every drafter route, for every role: anonymous 401, another organisation 403, never data."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from comments.storage.models import AuditLog, Comment, Draft
from tests.conftest import add_draft
from tests.drafter_helpers import (  # noqa: F401
    ORG,
    csrf_from,
    fast_password_hashing,
    log_in,
    make_account,
)

pytestmark = pytest.mark.anyio

SLUG = "tingche"
SECRET_BODY = "建议明确停车位优先分配给本小区业主，联系我13800001111。"

DRAFT_GETS = [
    f"/drafter/drafts/{SLUG}",
    f"/drafter/drafts/{SLUG}/comments",
    f"/drafter/drafts/{SLUG}/moderation",
    f"/drafter/drafts/{SLUG}/exports",
    f"/drafter/drafts/{SLUG}/export/comments.csv",
    f"/drafter/drafts/{SLUG}/export/comments.json",
    f"/drafter/drafts/{SLUG}/export/public-comments.csv",
    f"/drafter/drafts/{SLUG}/export/public-comments.json",
]
# Routes that need the digest (analysis): boundaries checked before any analysis runs.
DIGEST_GETS = [
    f"/drafter/drafts/{SLUG}/digest",
    f"/drafter/drafts/{SLUG}/clause/第一章/第一条",
    f"/drafter/drafts/{SLUG}/decisions",
    f"/drafter/drafts/{SLUG}/export/digest.md",
    f"/drafter/drafts/{SLUG}/export/feedback.md",
    f"/drafter/drafts/{SLUG}/export/feedback.docx",
]
DRAFT_POSTS = [
    (f"/drafter/drafts/{SLUG}/edit", {"title": "改掉的标题", "deadline": ""}),
    (f"/drafter/drafts/{SLUG}/period", {"action": "close", "confirm": "1"}),
    (f"/drafter/drafts/{SLUG}/moderation", {"comment_id": "1", "action": "hide", "reason": "测试"}),
    (
        f"/drafter/drafts/{SLUG}/decisions",
        {"target_kind": "comment", "target_id": "1", "outcome": "采纳", "reason": "已采纳"},
    ),
]
ADMIN_GETS = ["/drafter/admin/drafters", "/drafter/admin/audit", "/drafter/admin/audit.csv"]
ADMIN_POSTS = [
    ("/drafter/admin/drafters", {"name": "newbie", "organisation": ORG, "role": "drafter"}),
    ("/drafter/admin/drafters/1/active", {"active": "0"}),
    ("/drafter/admin/drafters/1/reset", {}),
]


@pytest.fixture
def setup(engine):
    own = make_account(engine, "own", ORG)
    other = make_account(engine, "other", "市交通局")
    admin = make_account(engine, "boss", "", role="admin")
    add_draft(engine, organisation=ORG)
    return {"own": own, "other": other, "admin": admin}


@pytest.fixture
async def commented(client, setup):
    r = await client.post(
        f"/api/drafts/{SLUG}/comments",
        json={
            "clause": "第一章/第一条",
            "body": SECRET_BODY,
            "name": "李四",
            "contact": "li@example.com",
        },
    )
    assert r.status_code == 201
    return setup


def snapshot(engine):
    """What the routes could change: the draft, the comments, the audit rows."""
    with Session(engine) as session:
        draft = session.exec(select(Draft)).one()
        comments = [(c.id, c.status) for c in session.exec(select(Comment))]
        audit = len(session.exec(select(AuditLog)).all())
    return (draft.title, draft.status, draft.deadline), comments, audit


def assert_no_data(r):
    assert SECRET_BODY not in r.text and "李四" not in r.text and "li@example.com" not in r.text


@pytest.mark.parametrize(
    "path", ["/drafter", "/drafter/upload", *DRAFT_GETS, *DIGEST_GETS, *ADMIN_GETS]
)
async def test_anonymous_gets_401_and_no_data(client, commented, path):
    r = await client.get(path)
    assert r.status_code == 401
    assert_no_data(r)


async def test_anonymous_html_page_offers_the_login_form(client, commented):
    r = await client.get(f"/drafter/drafts/{SLUG}")
    assert r.status_code == 401
    assert 'action="/login"' in r.text
    assert f'name="next" value="/drafter/drafts/{SLUG}"' in r.text


@pytest.mark.parametrize("path", [*DRAFT_GETS, *DIGEST_GETS])
async def test_drafter_of_another_organisation_gets_403_and_no_data(client, commented, path):
    r = await client.get(path, headers=commented["other"].bearer)
    assert r.status_code == 403
    assert_no_data(r)


@pytest.mark.parametrize("path", DRAFT_GETS)
@pytest.mark.parametrize("who", ["own", "admin"])
async def test_own_organisation_and_admin_may_read(client, commented, path, who):
    r = await client.get(path, headers=commented[who].bearer)
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("path", ADMIN_GETS)
async def test_admin_pages_refuse_plain_drafters(client, commented, path):
    r = await client.get(path, headers=commented["own"].bearer)
    assert r.status_code == 403
    ok = await client.get(path, headers=commented["admin"].bearer)
    assert ok.status_code == 200


@pytest.mark.parametrize("path,data", DRAFT_POSTS + ADMIN_POSTS)
async def test_anonymous_posts_change_nothing(client, engine, commented, path, data):
    before = snapshot(engine)
    r = await client.post(path, data=data)
    assert r.status_code == 401
    assert snapshot(engine) == before


@pytest.mark.parametrize("path,data", DRAFT_POSTS)
async def test_posts_from_another_organisation_change_nothing(
    client, engine, commented, path, data
):
    csrf = await log_in(client, commented["other"])
    before = snapshot(engine)
    r = await client.post(path, data={**data, "csrf_token": csrf})
    assert r.status_code == 403
    assert snapshot(engine) == before


@pytest.mark.parametrize("path,data", ADMIN_POSTS)
async def test_admin_posts_from_a_drafter_change_nothing(client, engine, commented, path, data):
    csrf = await log_in(client, commented["own"])
    before = snapshot(engine)
    r = await client.post(path, data={**data, "csrf_token": csrf})
    assert r.status_code == 403
    assert snapshot(engine) == before


@pytest.mark.parametrize("path,data", DRAFT_POSTS + ADMIN_POSTS)
async def test_session_posts_without_csrf_token_are_refused(client, engine, commented, path, data):
    await log_in(client, commented["admin"])
    before = snapshot(engine)
    r = await client.post(path, data=data)
    assert r.status_code == 403
    assert "表单已过期" in r.text
    r = await client.post(path, data={**data, "csrf_token": "forged"})
    assert r.status_code == 403
    assert snapshot(engine) == before


async def test_logout_without_csrf_token_keeps_the_session(client, commented):
    await log_in(client, commented["own"])
    r = await client.post("/logout")
    assert r.status_code == 403
    assert (await client.get("/drafter")).status_code == 200


@pytest.mark.parametrize("path,data", DRAFT_POSTS)
async def test_own_drafter_posts_with_csrf_token_succeed(client, engine, commented, path, data):
    csrf = await log_in(client, commented["own"])
    r = await client.post(path, data={**data, "csrf_token": csrf})
    assert r.status_code == 303, r.text
    assert snapshot(engine)[2] > 0


async def test_dashboard_lists_only_the_drafts_of_the_own_organisation(client, engine, setup):
    add_draft(engine, slug="jiaotong", organisation="市交通局")
    own = await client.get("/drafter", headers=setup["own"].bearer)
    assert "/drafter/drafts/tingche" in own.text and "/drafter/drafts/jiaotong" not in own.text
    admin = await client.get("/drafter", headers=setup["admin"].bearer)
    assert "/drafter/drafts/tingche" in admin.text and "/drafter/drafts/jiaotong" in admin.text


async def test_unknown_draft_is_404_for_a_drafter(client, setup):
    r = await client.get("/drafter/drafts/nope", headers=setup["own"].bearer)
    assert r.status_code == 404
    page = await client.get("/login")
    assert csrf_from(page.text)


async def test_the_first_drafter_set_up_as_the_docs_say_can_open_the_example_draft(
    client, engine, settings
):
    from comments.seed import EXAMPLE_SLUG, load_example_if_empty

    load_example_if_empty(engine, settings)
    csrf = await log_in(client, make_account(engine, "first", "市住房和城乡建设局"))
    assert csrf
    dashboard = await client.get("/drafter")
    assert f"/drafter/drafts/{EXAMPLE_SLUG}" in dashboard.text
    assert (await client.get(f"/drafter/drafts/{EXAMPLE_SLUG}")).status_code == 200

"""The application mounted under a path prefix, as an office embeds it in a larger site."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from tests.helpers import comment_count, csrf_from

pytestmark = pytest.mark.anyio

P = "/comments"


@pytest.fixture
async def mounted(app, draft):
    site = Starlette(routes=[Mount(P, app=app)])
    transport = httpx.ASGITransport(app=site)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def test_every_public_route_answers_under_a_prefix_the_comment_post_included(mounted, engine):
    r = await mounted.post(f"{P}/api/drafts/tingche/comments", json={"body": "建议明确收费标准。"})
    assert r.status_code == 201, r.text
    receipt = r.json()["receipt"]
    assert r.headers["x-content-type-options"] == "nosniff"
    for path in (
        "/api/openapi.json",
        "/api/drafts",
        "/api/drafts/tingche",
        f"/api/receipts/{receipt}",
        "/",
        "/drafts/tingche",
        "/drafts/tingche/comment",
        "/receipts",
        f"/receipts/{receipt}",
        "/login",
        "/static/site.css",
    ):
        r = await mounted.get(P + path)
        assert r.status_code == 200, (path, r.status_code)
    form = await mounted.get(f"{P}/drafts/tingche/comment")
    r = await mounted.post(
        f"{P}/drafts/tingche/comments",
        data={"csrf_token": csrf_from(form.text), "body": "表单提交的意见。"},
    )
    assert r.status_code == 303
    assert comment_count(engine) == 2
    # No decision recorded yet: the public feedback report answers 404, in the page shape.
    assert (await mounted.get(f"{P}/drafts/tingche/feedback")).status_code == 404


async def test_errors_under_a_prefix_keep_their_shape(mounted, engine, settings):
    r = await mounted.post(f"{P}/api/drafts/tingche/comments", json={"body": ""})
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "empty_comment"
    r = await mounted.post(f"{P}/api/drafts/nope/comments", json={"body": "意见"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    big = b'{"body": "' + b"x" * (settings.max_body_bytes + 10) + b'"}'
    r = await mounted.post(
        f"{P}/api/drafts/tingche/comments",
        content=big,
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 413 and r.json()["error"]["code"] == "body_too_large"
    r = await mounted.get(f"{P}/drafts/nope")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert comment_count(engine) == 0

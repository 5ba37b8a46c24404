"""The moderation queue in pages: each section 20 comments at a time, and back to the same page
after publishing or hiding one."""

from __future__ import annotations

import re

import pytest

from comments.web.drafter.comments import MODERATION_PAGE
from tests.conftest import add_draft
from tests.drafter_helpers import ORG, fast_password_hashing, log_in, make_account  # noqa: F401

pytestmark = pytest.mark.anyio

SLUG = "tingche"
HELD = 45  # three pages of the 待审核 section


def _shown(html: str) -> list[int]:
    """Ids of the comments on the page, in order (each item's anchor is ``c{id}``)."""
    return [int(n) for n in re.findall(r'<article[^>]*id="c(\d+)"', html)]


@pytest.fixture
async def queue(client, engine):
    add_draft(engine, organisation=ORG)
    ids = []
    for n in range(HELD):
        r = await client.post(
            f"/api/drafts/{SLUG}/comments",
            json={"clause": "第一章/第一条", "body": f"第{n}条意见，请联系我 1380000{n:04d}。"},
        )
        assert r.status_code == 201
        ids.append(r.json()["id"])
    csrf = await log_in(client, make_account(engine, "own", ORG))
    return {"ids": ids, "csrf": csrf}


async def test_each_section_shows_one_page_with_links_to_the_others(client, queue) -> None:
    url = f"/drafter/drafts/{SLUG}/moderation"
    first = await client.get(url)
    assert first.status_code == 200
    assert "待审核（45）" in first.text  # the heading counts the whole section
    page_one = _shown(first.text)
    assert len(page_one) == MODERATION_PAGE
    assert "第 1 / 3 页，共 45 条" in first.text
    assert 'href="?pending_page=2#pending-h"' in first.text
    assert "上一页" not in first.text
    seen = list(page_one)
    for number in (2, 3):
        r = await client.get(url, params={"pending_page": str(number)})
        assert f"第 {number} / 3 页" in r.text
        previous = "?#pending-h" if number == 2 else f"?pending_page={number - 1}#pending-h"
        assert f'href="{previous}"' in r.text
        seen += _shown(r.text)
    assert sorted(seen) == sorted(queue["ids"])  # every held comment on exactly one page
    # A page past the end shows the last; a page that is not a number is refused.
    beyond = await client.get(url, params={"pending_page": "99"})
    assert "第 3 / 3 页" in beyond.text
    assert len(_shown(beyond.text)) == HELD - 2 * MODERATION_PAGE
    bad = await client.get(url, params={"pending_page": "二"})
    assert bad.status_code == 400
    assert "页码" in bad.text


async def test_publishing_on_page_two_returns_to_page_two(client, queue) -> None:
    url = f"/drafter/drafts/{SLUG}/moderation"

    def moderate(comment: int, action: str, page: str):
        return client.post(
            url,
            data={
                "csrf_token": queue["csrf"],
                "comment_id": str(comment),
                "action": action,
                "reason": "号码已遮盖，内容与条款有关",
                "pending_page": page,
            },
        )

    page = await client.get(url, params={"pending_page": "2"})
    target = _shown(page.text)[0]
    assert 'name="pending_page" value="2"' in page.text  # each form carries the page
    r = await moderate(target, "publish", "2")
    assert r.status_code == 303
    assert r.headers["location"] == f"{url}?done=1&pending_page=2"
    back = await client.get(r.headers["location"])
    assert "已处理" in back.text
    assert "待审核（44）" in back.text
    assert target not in _shown(back.text)
    assert "第 2 / 3 页" in back.text
    # A bad page number in the form is refused before anything is changed.
    r = await moderate(_shown(back.text)[0], "hide", "x")
    assert r.status_code == 400
    again = await client.get(url, params={"pending_page": "2"})
    assert "已隐藏（0）" in again.text and "待审核（44）" in again.text

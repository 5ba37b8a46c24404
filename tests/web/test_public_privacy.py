"""Nothing private reaches the public: every public page, Markdown file, export and API answer,
walked after comments full of personal data were posted, published and decided on."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from sqlmodel import Session

from comments import storage
from comments.storage import review
from tests.conftest import add_draft
from tests.drafter_helpers import (  # noqa: F401
    ORG,
    fast_password_hashing,
    log_in,
    make_account,
    publish_now,
)

pytestmark = pytest.mark.anyio

SLUG = "tingche"
CLAUSE = "第一章/第一条"

# The forms of personal data people type, each with the part that must never be shown.
VARIANTS = [
    ("13812345678", "13812345678"),
    ("138 1234 5678", "1234 5678"),
    ("138-1234-5678", "1234-5678"),
    ("138.1234.5678", "1234.5678"),
    ("138–1234–5678", "1234–5678"),
    ("(138)1234-5678", "1234-5678"),
    ("+86 138 1234 5678", "1234 5678"),
    ("１３８１２３４５６７８", "１２３４５６７８"),
    ("(028)87654321", "87654321"),
    ("028-87654321", "87654321"),
    ("02887654321", "87654321"),
    # ID numbers with a valid check digit (the last one), as real ones have
    ("110101199003071233", "199003071233"),
    ("110101 19900307 1233", "19900307 1233"),
    ("11010119900307109X", "19900307109X"),
    ("110101900307123", "900307123"),
    ("zhang.san@example.com", "zhang.san@"),
    ("zhang@example。com", "zhang@"),
    ("张三@例子.中国", "张三@"),
    ("成都市武侯区人民南路四段57号2栋", "57号2栋"),
    ("新都区斑竹园镇三河村5组23号", "5组23号"),
    ("某村3组18号", "3组18号"),
    ("阳光小区5栋2单元302室", "2单元302室"),
    ("锦江区东大街100号5栋2单元1202", "2单元1202"),
]


def _text(suffix: str) -> str:
    return f"建议将“报修电话”改为“报修电话和联系人（{suffix}）”。"


@pytest.fixture
async def exposed(client, engine, app):
    own = make_account(engine, "own", ORG)
    add_draft(engine, organisation=ORG)
    ids = []
    for i, (raw, _) in enumerate(VARIANTS):
        r = await client.post(
            f"/api/drafts/{SLUG}/comments",
            json={
                "clause": CLAUSE,
                "body": f"第{i}条：{_text(raw)}",
                "name": f"王五 {raw}",
                "show_name": True,
                "region": f"住址 {raw}",
            },
        )
        assert r.status_code == 201, r.text
        ids.append(r.json())
    csrf = await log_in(client, own)
    for c in ids:  # every held comment is published by the drafter
        r = await client.post(
            f"/drafter/drafts/{SLUG}/moderation",
            data={
                "csrf_token": csrf,
                "comment_id": str(c["id"]),
                "action": "publish",
                "reason": "公开",
            },
        )
        assert r.status_code in (303, 409), r.text  # 409: it was never held
    with Session(engine) as session:
        draft = storage.draft_by_slug(session, SLUG)
        for i, (raw, _) in enumerate(VARIANTS):
            review.record_decision(
                session=session,
                draft=draft,
                target_kind="suggestion",
                target_id=f"{CLAUSE}:s{i}",
                clause_key=CLAUSE,
                label=_text(raw),
                outcome="部分采纳",
                reason=f"已研究，联系人 {raw} 另行答复。",
                members=[ids[i]["id"]],
                actor="own",
            )
    publish_now(app, engine, SLUG)  # what the public sees is what was published
    return {"csrf": csrf, "receipts": [c["receipt"] for c in ids]}


def docx_text(content: bytes) -> str:
    """Every text part of a Word file (the document, its headers, its properties)."""
    with zipfile.ZipFile(io.BytesIO(content)) as parts:
        return "".join(
            parts.read(name).decode("utf-8") for name in parts.namelist() if name.endswith(".xml")
        )


async def test_no_public_surface_shows_any_form_of_personal_data(client, exposed):
    paths = [
        "/",
        f"/drafts/{SLUG}",
        f"/drafts/{SLUG}/comment?clause={CLAUSE}",
        f"/drafts/{SLUG}/feedback",
        f"/drafts/{SLUG}/feedback.md",
        "/api/drafts",
        f"/api/drafts/{SLUG}",
        f"/drafter/drafts/{SLUG}/export/public-comments.csv",
        f"/drafter/drafts/{SLUG}/export/public-comments.json",
        f"/drafter/drafts/{SLUG}/export/feedback.md",
        f"/drafts/{SLUG}/feedback.docx",
        f"/drafter/drafts/{SLUG}/export/feedback.docx",
    ]
    for receipt in exposed["receipts"]:
        paths += [f"/receipts/{receipt}", f"/api/receipts/{receipt}"]
    seen = 0
    for path in paths:
        r = await client.get(path)
        assert r.status_code == 200, (path, r.status_code)
        text = docx_text(r.content) if path.endswith(".docx") else r.text
        for raw, secret in VARIANTS:
            assert secret not in text, (path, raw)
        seen += 1
    assert seen == len(paths)
    # The reports still say what was decided: masked, not emptied.
    feedback = (await client.get(f"/drafts/{SLUG}/feedback")).text
    assert "报修电话和联系人" in feedback and "部分采纳" in feedback
    assert re.search(r"\*{3,}|＊", feedback)
    word = docx_text((await client.get(f"/drafts/{SLUG}/feedback.docx")).content)
    assert "报修电话和联系人" in word and "部分采纳" in word
    assert re.search(r"\*{3,}|＊", word)
    receipt = (await client.get(f"/receipts/{exposed['receipts'][0]}")).text
    assert "部分采纳" in receipt and "另行答复" in receipt  # published, masked, not emptied

"""The drafters' JSON and Markdown digest over the API, and `comments digest` on the command line."""

from __future__ import annotations

import json

import pytest

from comments.cli import main
from tests.conftest import add_draft
from tests.drafter_helpers import ORG, fast_password_hashing, make_account  # noqa: F401

pytestmark = pytest.mark.anyio

POSTS = [
    ("第一章/第一条", "强烈反对，这样会大大增加小区的负担。"),
    ("第一章/第一条", "支持这一条，早该如此。"),
    ("第一章/第二条/第二款", "建议将“业主大会”改为“业主大会或者业主委员会”。"),
    (None, "收费标准由谁监督？"),
]


async def post_all(client) -> list[int]:
    ids = []
    for clause, body in POSTS:
        r = await client.post("/api/drafts/tingche/comments", json={"clause": clause, "body": body})
        assert r.status_code == 201
        ids.append(r.json()["id"])
    return ids


async def test_digest_json_accounts_for_every_comment_with_the_contract_fields(client, engine):
    add_draft(engine, organisation=ORG)
    ids = await post_all(client)
    me = make_account(engine, "起草人")
    r = await client.get("/api/drafts/tingche/digest", headers=me.bearer)
    assert r.status_code == 200, r.text
    digest = r.json()
    notes = {c["id"]: c for c in digest["comments"]}
    assert sorted(notes) == sorted(ids)
    for note in notes.values():
        assert {"id", "clause", "stance", "polarity", "cluster", "campaign", "flags"} <= set(note)
        assert note["stance"] in {"support", "oppose", "suggest", "question", "other"}
        assert note["polarity"] in {"pos", "neg", "neu"}
        assert isinstance(note["flags"], list)
    assert notes[ids[0]]["stance"] == "oppose"
    assert notes[ids[2]]["stance"] == "suggest"
    assert notes[ids[3]]["clause"] is None
    assert digest["totals"]["comments"] == len(POSTS)


async def test_digest_markdown_is_served_as_markdown(client, engine):
    add_draft(engine, organisation=ORG)
    await post_all(client)
    me = make_account(engine, "起草人")
    r = await client.get("/api/drafts/tingche/digest.md", headers=me.bearer)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/markdown")
    assert r.text.startswith("# ")
    assert "社区停车管理办法" in r.text


async def test_digest_refuses_anonymous_bad_tokens_and_other_organisations(client, engine):
    add_draft(engine, organisation=ORG)
    await post_all(client)
    other = make_account(engine, "别家", organisation="另一个局")
    for path in ["/api/drafts/tingche/digest", "/api/drafts/tingche/digest.md"]:
        r = await client.get(path)
        assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorised"
        r = await client.get(path, headers={"Authorization": "Bearer not-a-token"})
        assert r.status_code == 401 and "body" not in r.text
        r = await client.get(path, headers=other.bearer)
        assert r.status_code == 403
        assert "强烈反对" not in r.text


async def test_digest_of_an_unknown_draft_is_404_for_a_drafter(client, engine):
    me = make_account(engine, "起草人")
    r = await client.get("/api/drafts/nope/digest", headers=me.bearer)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


async def test_digest_of_a_draft_without_comments_is_sane(client, engine):
    add_draft(engine, organisation=ORG)
    me = make_account(engine, "起草人")
    r = await client.get("/api/drafts/tingche/digest", headers=me.bearer)
    assert r.status_code == 200
    assert r.json()["totals"]["comments"] == 0 and r.json()["comments"] == []


async def test_cli_digest_prints_json_and_markdown(
    client, engine, database_url, monkeypatch, capsys
):
    add_draft(engine, organisation=ORG)
    ids = await post_all(client)
    monkeypatch.setenv("COMMENTS_DATABASE_URL", database_url)
    assert main(["digest", "tingche", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert sorted(c["id"] for c in data["comments"]) == sorted(ids)
    assert main(["digest", "tingche", "--format", "markdown"]) == 0
    assert capsys.readouterr().out.startswith("# ")
    assert main(["digest", "nope"]) == 1
    assert "nope" in capsys.readouterr().err

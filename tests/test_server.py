"""The real server over TCP: `python -m comments serve` on a free port."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.servers import free_port, running_server, server_env


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    env = server_env(free_port(), f"sqlite:///{tmp_path / 'server.db'}")
    with running_server(env, tmp_path, log=tmp_path / "serve.log") as url:
        yield url


def test_served_example_draft_takes_a_comment_and_returns_it_by_receipt(server: str) -> None:
    drafts = httpx.get(server + "/api/drafts").json()["drafts"]
    assert [d["slug"] for d in drafts] == ["informatization-draft"]
    example = drafts[0]
    assert example["is_example"] is True
    assert example["accepting_comments"] is True
    assert example["days_left"] == 30
    tree = httpx.get(server + "/api/drafts/informatization-draft").json()
    first_part = tree["nodes"][1] if tree["nodes"][0]["kind"] == "preamble" else tree["nodes"][0]
    clause = first_part["children"][0]["key"]
    r = httpx.post(
        server + "/api/drafts/informatization-draft/comments",
        json={"clause": clause, "body": "建议把农村宽带覆盖写得更具体。"},
    )
    assert r.status_code == 201, r.text
    receipt = r.json()["receipt"]
    got = httpx.get(f"{server}/api/receipts/{receipt}").json()
    assert got["body"] == "建议把农村宽带覆盖写得更具体。"
    assert got["clause"] == clause
    page = httpx.get(server + "/drafts/informatization-draft")
    assert page.status_code == 200 and "示例草案" in page.text

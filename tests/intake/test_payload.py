"""The comment payload: one definition for its checks and its documentation."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from comments.errors import InputError
from comments.intake import DraftSnapshot, payload_schema, validate_comment
from comments.settings import Settings
from comments.web.app import create_app

SNAPSHOT = DraftSnapshot(1, "x", "open", None, None, frozenset({"第一条"}))
TODAY = date(2026, 1, 1)


def test_the_documented_limit_is_the_checked_limit() -> None:
    schema = payload_schema(120)
    assert schema["required"] == ["body"]
    assert schema["properties"]["body"]["maxLength"] == 120
    validate_comment({"body": "长" * 120}, SNAPSHOT, max_chars=120, today=TODAY)
    with pytest.raises(InputError) as caught:
        validate_comment({"body": "长" * 121}, SNAPSHOT, max_chars=120, today=TODAY)
    assert caught.value.code == "comment_too_long"


def test_every_field_limit_in_the_schema_is_enforced() -> None:
    props = payload_schema(5000)["properties"]
    for field in ("name", "contact", "region"):
        limit = props[field]["maxLength"]
        validate_comment({"body": "意见", field: "字" * limit}, SNAPSHOT, max_chars=50, today=TODAY)
        with pytest.raises(InputError) as caught:
            validate_comment(
                {"body": "意见", field: "字" * (limit + 1)}, SNAPSHOT, max_chars=50, today=TODAY
            )
        assert caught.value.code == "field_too_long"
    assert set(props["submitter_type"]["enum"]) >= {"个人", "企业"}


def test_limits_count_characters_after_cleaning() -> None:
    row = validate_comment({"body": "长\u200b" * 10 + "\r\n"}, SNAPSHOT, max_chars=10, today=TODAY)
    assert row["body"] == "长" * 10


def test_a_missing_body_is_an_empty_comment() -> None:
    with pytest.raises(InputError) as caught:
        validate_comment({"clause": "第一条"}, SNAPSHOT, max_chars=10, today=TODAY)
    assert caught.value.code == "empty_comment"


@pytest.mark.anyio
async def test_the_served_document_follows_the_setting(tmp_path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/c.db", max_comment_chars=321)
    app = create_app(settings)
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            doc = (await client.get("/api/openapi.json")).json()
    finally:
        app.state.comments.close()
        app.state.comments.engine.dispose()
    assert doc["components"]["schemas"]["NewComment"]["properties"]["body"]["maxLength"] == 321

"""Fuzzing the JSON API from its own OpenAPI document (hypothesis strategies built from it).

Whatever arrives: never a 500, always the one error shape with a Chinese message, nothing stored
on refusal, and an accepted comment stored and read back without losing a visible character.
(The draft parser is fuzzed in tests/test_drafts_properties.py.)
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any
from urllib.parse import quote

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comments.intake import clean_text
from comments.settings import Settings
from comments.web.openapi import document
from tests.helpers import comment_count, stored_comments

OPENAPI = document(Settings().max_comment_chars)

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CJK = re.compile(r"[\u4e00-\u9fff]")
CLAUSES = ["序言", "第一章", "第一章/第一条", "第一章/第二条/第二款"]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref:
        node: Any = OPENAPI
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]
        return resolve(node)
    return schema


def from_schema(schema: dict[str, Any], *, strict: bool = False) -> st.SearchStrategy[Any]:
    """Values that fit the schema; unless ``strict``, also values just past its limits and
    values of the wrong type."""
    schema = resolve(schema)
    kind = schema.get("type")
    if "enum" in schema:
        valid: st.SearchStrategy[Any] = st.sampled_from(schema["enum"])
    elif kind == "string" and "条款" in schema.get("description", ""):
        # The clause: real keys; anything else is an unknown clause (404).
        valid = st.sampled_from(CLAUSES) if strict else st.sampled_from(CLAUSES) | st.text()
    elif kind == "string":
        limit = schema.get("maxLength", 300)
        valid = st.text(min_size=1, max_size=min(limit, 300))
        if not strict:
            valid = valid | st.text(
                alphabet="意见建议（）。\n\t\u200b\x00 ", min_size=limit - 2, max_size=limit + 3
            )
    elif kind == "boolean":
        valid = st.booleans()
    elif kind == "integer":
        valid = st.integers()
    elif kind == "object":
        properties = schema.get("properties", {})
        required = set(schema.get("required", []))
        valid = st.fixed_dictionaries(
            {k: from_schema(v, strict=strict) for k, v in properties.items() if k in required},
            optional={
                k: from_schema(v, strict=strict) for k, v in properties.items() if k not in required
            },
        )
    else:
        valid = json_values
    if schema.get("nullable"):
        valid = st.none() | valid
    if strict:
        return valid
    return st.one_of(valid, valid, valid, json_values)  # mostly well-formed, sometimes not


def post_operation() -> tuple[str, dict[str, Any]]:
    for path, item in OPENAPI["paths"].items():
        if "post" in item and path.endswith("/comments"):
            body = item["post"]["requestBody"]["content"]["application/json"]["schema"]
            return path, body
    raise AssertionError("the OpenAPI document has no comment post")


POST_PATH, POST_SCHEMA = post_operation()
payloads = (
    from_schema(POST_SCHEMA, strict=True)
    | from_schema(POST_SCHEMA)
    | st.dictionaries(st.text(max_size=8), json_values)
)
raw_bodies = st.binary(max_size=200) | payloads.map(
    lambda p: json.dumps(p, ensure_ascii=False).encode()
)


def check_error(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        error = response.json()["error"]
        assert set(error) == {"code", "message"}
        assert re.fullmatch(r"[a-z_]+", error["code"])
        assert CJK.search(error["message"]), error


async def call(app: Any, method: str, path: str, **kwargs: Any) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.request(method, path, **kwargs)


def test_posting_anything_the_schema_allows_or_almost_allows_never_fails(app, engine, draft):
    path = POST_PATH.replace("{slug}", "tingche")

    @FUZZ
    @given(payload=payloads)
    def run(payload: Any) -> None:
        before = comment_count(engine)
        r = asyncio.run(call(app, "POST", path, json=payload))
        check_error(r)
        if r.status_code == 201:
            receipt = r.json()["receipt"]
            stored = stored_comments(engine)[-1]
            assert stored.receipt == receipt
            assert stored.body == clean_text(payload["body"], multiline=True)  # nothing lost
            assert stored.body.strip() and len(stored.body) <= 5000
            back = asyncio.run(call(app, "GET", f"/api/receipts/{receipt}")).json()
            assert back["body"] == stored.body
        else:
            assert r.status_code in (400, 403, 404, 415)  # 415: no JSON body at all
            assert comment_count(engine) == before

    run()
    assert comment_count(engine) > 0  # the strategies reach the accepting path, not only refusals


def test_raw_bytes_on_the_comment_endpoint_get_a_clear_error_or_a_receipt(app, engine, draft):
    path = POST_PATH.replace("{slug}", "tingche")

    @FUZZ
    @given(body=raw_bodies)
    def run(body: bytes) -> None:
        before = comment_count(engine)
        r = asyncio.run(
            call(app, "POST", path, content=body, headers={"content-type": "application/json"})
        )
        check_error(r)
        assert comment_count(engine) == before + (1 if r.status_code == 201 else 0)

    run()


def test_any_path_parameter_on_any_get_operation_gets_a_clear_answer(app, draft):
    operations = [p for p, item in OPENAPI["paths"].items() if "get" in item and "{" in p]
    assert len(operations) >= 2
    secured = {p for p in operations if OPENAPI["paths"][p]["get"].get("security")}

    @FUZZ
    @given(operation=st.sampled_from(operations), value=st.text(min_size=1, max_size=40))
    def run(operation: str, value: str) -> None:
        path = re.sub(r"{\w+}", quote(value, safe=""), operation)
        r = asyncio.run(call(app, "GET", path))
        check_error(r)
        if r.status_code == 307:  # "/api/drafts/%2F" → Starlette's trailing-slash redirect
            assert r.headers["location"].startswith("http://t/api/")
            return
        # Anonymous on a drafters' operation: 401 (404 when the value leaves no route to match),
        # never a page or a crash.
        assert r.status_code in ((401, 404) if operation in secured else (200, 400, 404))
        assert r.headers["content-type"].startswith("application/json")

    run()

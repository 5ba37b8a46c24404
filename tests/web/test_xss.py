"""Every user-supplied string is rendered escaped on every page: a list of classic payloads.

Payloads go into everything a user can write: a draft's title, issuer, contact, headings and text
(uploaded by a drafter), and a comment's body, name and region (posted by anyone). Every GET page
of the application is then fetched, public and drafters' alike, and parsed: no element, attribute
or URL scheme from a payload may appear, only their escaped text.
"""

from __future__ import annotations

import dataclasses
import re
from html.parser import HTMLParser

import pytest
from markupsafe import escape
from sqlmodel import Session
from starlette.routing import Route

from comments import storage
from comments.drafts import DraftTree, Node
from tests.test_auth import make_drafter

pytestmark = pytest.mark.anyio

PAYLOADS = [
    "<script>alert('xss-1')</script>",
    '"><img src=x onerror=alert("xss-2")>',
    "<svg/onload=alert(3)>",
    "'\"><iframe src=//evil.example/xss-4></iframe>",
    "</textarea><script>alert(5)</script>",
    "<a href=\"javascript:alert('xss-6')\">点我</a>",
    "<body onload=alert(7)>",
    "<style>*{display:none}</style>",
    "<meta http-equiv=refresh content='0;url=//evil.example'>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(10)>",
    "<<script>alert(11)//<</script>",
    "<ScRiPt SrC=//evil.example/xss.js></ScRiPt>",
]
ORG = "市住建局"
URL_ATTRIBUTES = {"src", "href", "action", "formaction", "content", "data", "srcset"}


def hostile_tree() -> DraftTree:
    p = PAYLOADS
    return DraftTree(
        title=f"停车办法{p[0]}",
        issuer=f"住建局{p[1]}",
        contact=f"电话{p[2]}",
        nodes=[
            Node(key="序言", kind="preamble", text=f"序言{p[3]}"),
            Node(
                key="第一章",
                kind="chapter",
                label="第一章",
                number=1,
                heading=f"总则{p[4]}",
                children=[
                    Node(
                        key="第一章/第一条",
                        kind="article",
                        label="第一条",
                        number=1,
                        text=f"适用范围{p[5]}\n第二行{p[6]}",
                    ),
                    Node(
                        key="第一章/第二条",
                        kind="article",
                        label="第二条",
                        number=2,
                        text=f"收费{p[7]}{p[8]}",
                    ),
                ],
            ),
        ],
    )


class Injected(HTMLParser):
    """Collects what a payload would have added to the document if it were not escaped."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # Inline <svg> charts are the application's own; an injected one needs an on* handler.
        if tag in {"iframe", "object", "embed", "base"} or (tag == "body" and attrs):
            self.found.append(f"<{tag}>")
        if tag == "script" and not any(
            n == "src" and v and v.startswith("/static/") for n, v in attrs
        ):
            self.found.append("<script> not from /static/")
        if tag == "style" or (tag == "meta" and any(n == "http-equiv" for n, _ in attrs)):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag}[{name}]")
            if name in URL_ATTRIBUTES and value and re.match(r"\s*javascript:", value, re.I):
                self.found.append(f"{tag}[{name}=javascript:]")
            if name in URL_ATTRIBUTES and value and "evil.example" in value:
                self.found.append(f"{tag}[{name}] points off-site")


def injected(html: str) -> list[str]:
    parser = Injected()
    parser.feed(html)
    return parser.found


@pytest.fixture
async def hostile(client, engine):
    with Session(engine) as session:
        draft = storage.import_draft(
            session=session,
            tree=dataclasses.replace(hostile_tree(), source=" ".join(PAYLOADS)),
            source_name="x.txt",
            slug="xss",
            organisation=ORG,
        )
    receipts = []
    for i, payload in enumerate(PAYLOADS):
        r = await client.post(
            "/api/drafts/xss/comments",
            json={
                "clause": "第一章/第一条" if i % 2 else None,
                "body": f"意见{payload}\n第二段{payload}",
                "name": f"张三{payload}"[:100],
                "region": f"A市{payload}"[:100],
                "contact": f"138{payload}"[:200],
                "show_name": True,
            },
        )
        assert r.status_code == 201, r.text
        receipts.append(r.json()["receipt"])
    _drafter, _password, token = make_drafter(engine, organisation=ORG)
    return draft, receipts, {"Authorization": f"Bearer {token}"}


def get_pages(app) -> list[str]:
    """Every GET route of the application, public and drafters'."""
    paths = []
    for route in app.routes:
        if isinstance(route, Route) and "GET" in (route.methods or ()):
            paths.append(route.path)
    return paths


async def test_every_page_renders_every_payload_escaped(app, client, hostile):
    draft, receipts, bearer = hostile
    values = {"slug": "xss", "receipt": receipts[0], "key": "第一章/第一条"}
    fetched = []
    for pattern in get_pages(app):
        names = re.findall(r"{(\w+)(?::\w+)?}", pattern)
        if any(n not in values for n in names):
            continue
        path = re.sub(r"{(\w+)(?::\w+)?}", lambda m: values[m.group(1)], pattern)
        r = await client.get(path, headers=bearer)
        if r.status_code != 200 or not r.headers["content-type"].startswith("text/html"):
            continue
        fetched.append(path)
        assert injected(r.text) == [], path
        for payload in PAYLOADS:
            assert payload not in r.text, (path, payload)
    for receipt in receipts:  # every comment's own page
        r = await client.get(f"/receipts/{receipt}")
        assert r.status_code == 200 and injected(r.text) == []
        fetched.append(r.url.path)
    for page in ("/", "/drafts/xss", "/drafter", "/drafter/drafts/xss", "/receipts"):
        assert page in fetched
    # The text is there, escaped, not dropped.
    page = await client.get("/drafts/xss")
    assert str(escape(PAYLOADS[5])) in page.text
    receipt_page = await client.get(f"/receipts/{receipts[0]}")
    assert f"意见{escape(PAYLOADS[0])}" in receipt_page.text


async def test_comment_form_with_an_error_echoes_the_input_escaped(client, hostile):
    page = await client.get("/drafts/xss/comment?clause=第一章/第一条")
    assert injected(page.text) == []
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = await client.post(
        "/drafts/xss/comments",
        data={
            "csrf_token": token,
            "clause": "第一章/第一条",
            "body": "",  # refused: the form comes back filled in
            "name": PAYLOADS[1],
            "region": PAYLOADS[4],
        },
    )
    assert r.status_code == 400
    assert injected(r.text) == []
    assert str(escape(PAYLOADS[1])) in r.text


async def test_receipt_lookup_echoes_a_bad_receipt_escaped(client):
    for payload in PAYLOADS:
        r = await client.get("/receipts", params={"receipt": payload})
        assert r.status_code == 400
        assert injected(r.text) == [] and payload not in r.text


async def test_json_api_returns_payloads_as_data_not_markup(client, hostile):
    _draft, receipts, _bearer = hostile
    r = await client.get(f"/api/receipts/{receipts[0]}")
    assert r.headers["content-type"].startswith("application/json")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.json()["body"] == f"意见{PAYLOADS[0]}\n第二段{PAYLOADS[0]}"  # kept, not mangled
    tree = await client.get("/api/drafts/xss")
    assert tree.json()["title"] == f"停车办法{PAYLOADS[0]}"


@pytest.mark.parametrize("name", ["digest.md", "feedback.md"])
async def test_markdown_exports_carry_no_raw_html(app, engine, hostile, name):
    from comments.exports import export_text

    draft, _receipts, _bearer = hostile
    text = export_text(engine, app.state.comments.digests, draft, name, tz="Asia/Shanghai")
    assert "停车办法" in text  # the draft's title, as text
    for tag in ("<script", "<img", "<svg", "<iframe", "<a href", "<style", "<meta", "<body"):
        assert tag not in text.lower(), tag


def test_payload_list_is_not_trivially_empty():
    assert all(injected(p) for p in PAYLOADS if not p.startswith("<<")), "each payload is live"

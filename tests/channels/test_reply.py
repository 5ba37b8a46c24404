"""The reply to a message sent by e-mail through a local SMTP server; contacts expire."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from comments.channels import import_files
from comments.settings import Settings
from comments.storage.models import AuditLog, Comment, InboundMessage, utcnow
from comments.storage.retention import purge_contacts
from tests.channels.test_intake import eml
from tests.conftest import add_draft
from tests.drafter_helpers import ORG, fast_password_hashing, log_in, make_account  # noqa: F401
from tests.servers import free_port

pytestmark = pytest.mark.anyio


def send_token(page: str) -> str:
    found = re.search(r'name="send_token" value="([^"]+)"', page)
    assert found, "the page has the send form"
    return found.group(1)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[object] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp():
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


@pytest.fixture
def settings(database_url: str, smtp) -> Settings:
    _, port = smtp
    return Settings(
        database_url=database_url,
        secret_key="test-secret",
        rate_limit_per_minute=0,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_sender="scjxwxxh@example.gov.cn",
        public_url="https://yijian.example.gov.cn",
    )


async def test_the_reply_lists_every_receipt_and_is_sent_to_the_sender(client, engine, smtp):
    inbox, _ = smtp
    draft = add_draft(engine, organisation=ORG)
    body = "第一条：支持。\n第二条：收费应当公示。"
    import_files(engine, draft, [("m.eml", eml(body))], actor="t", max_chars=5000)
    me = make_account(engine, "收文员", ORG)
    csrf = await log_in(client, me)
    with Session(engine) as session:
        message = session.exec(select(InboundMessage)).one()
        receipts = [c.receipt for c in session.exec(select(Comment))]
    page = await client.get(f"/drafter/drafts/tingche/messages/{message.id}")
    assert "把回复发送到来信人的邮箱" in page.text and "zhangsan@example.cn" not in page.text
    r = await client.post(
        f"/drafter/drafts/tingche/messages/{message.id}/send",
        data={"csrf_token": csrf, "send_token": send_token(page.text)},
    )
    assert r.status_code == 303, r.text
    [sent] = inbox.messages
    assert sent.rcpt_tos == ["zhangsan@example.cn"]  # type: ignore[attr-defined]
    text = sent.content.decode("utf-8", "replace")  # type: ignore[attr-defined]
    assert "Subject:" in text
    import email
    from email import policy

    parsed = email.message_from_bytes(sent.content, policy=policy.default)  # type: ignore[attr-defined]
    content = parsed.get_content()
    assert all(f"https://yijian.example.gov.cn/receipts/{r}" in content for r in receipts)
    with Session(engine) as session:
        assert session.exec(select(AuditLog).where(AuditLog.action == "send_reply")).first()


async def test_a_failed_send_is_a_clear_error(client, engine, settings, smtp):
    _, port = smtp
    app = client._transport.app  # type: ignore[attr-defined]
    state = app.state.comments
    state.settings = settings.with_overrides(smtp_port=free_port())  # nobody listens there
    draft = add_draft(engine, organisation=ORG)
    import_files(engine, draft, [("m.eml", eml("第一条：支持。"))], actor="t", max_chars=5000)
    me = make_account(engine, "收文员", ORG)
    csrf = await log_in(client, me)
    with Session(engine) as session:
        message = session.exec(select(InboundMessage)).one()
    url = f"/drafter/drafts/tingche/messages/{message.id}"
    token = send_token((await client.get(url)).text)
    r = await client.post(f"{url}/send", data={"csrf_token": csrf, "send_token": token})
    assert r.status_code == 502 and "未能发出" in r.text
    # Nothing went out, so the same form may try again once the server answers.
    state.settings = settings
    r = await client.post(f"{url}/send", data={"csrf_token": csrf, "send_token": token})
    assert r.status_code == 303 and r.headers["location"].endswith("?sent=1")
    assert len(smtp[0].messages) == 1


async def test_a_second_submit_of_the_same_send_form_sends_nothing(client, engine, smtp):
    inbox, _ = smtp
    draft = add_draft(engine, organisation=ORG)
    import_files(engine, draft, [("m.eml", eml("第一条：支持。"))], actor="t", max_chars=5000)
    csrf = await log_in(client, make_account(engine, "收文员", ORG))
    with Session(engine) as session:
        message = session.exec(select(InboundMessage)).one()
    url = f"/drafter/drafts/tingche/messages/{message.id}"
    form = {"csrf_token": csrf, "send_token": send_token((await client.get(url)).text)}
    first, second = await asyncio.gather(
        client.post(f"{url}/send", data=form), client.post(f"{url}/send", data=form)
    )
    third = await client.post(f"{url}/send", data=form)
    locations = sorted(r.headers["location"] for r in (first, second, third))
    assert locations == [f"{url}?repeated=1", f"{url}?repeated=1", f"{url}?sent=1"]
    assert len(inbox.messages) == 1
    page = await client.get(f"{url}?repeated=1")
    assert "这份回复已经提交发送过，没有重复发送" in page.text and "发送记录：" in page.text
    with Session(engine) as session:
        audits = session.exec(select(AuditLog).where(AuditLog.action == "send_reply")).all()
    assert len(audits) == 1
    # A new page is a new form: sending again on purpose still works.
    again = {"csrf_token": csrf, "send_token": send_token(page.text)}
    assert (await client.post(f"{url}/send", data=again)).headers["location"] == f"{url}?sent=1"
    assert len(inbox.messages) == 2


async def test_a_send_without_the_forms_token_is_refused(client, engine, smtp):
    draft = add_draft(engine, organisation=ORG)
    import_files(engine, draft, [("m.eml", eml("第一条：支持。"))], actor="t", max_chars=5000)
    csrf = await log_in(client, make_account(engine, "收文员", ORG))
    with Session(engine) as session:
        message = session.exec(select(InboundMessage)).one()
    r = await client.post(
        f"/drafter/drafts/tingche/messages/{message.id}/send", data={"csrf_token": csrf}
    )
    assert r.status_code == 400 and "发送表单已过期，请刷新页面后重新发送" in r.text
    assert smtp[0].messages == []


def test_a_senders_address_is_erased_with_the_other_contacts(engine):
    draft = add_draft(engine)
    import_files(engine, draft, [("m.eml", eml("第一条：支持。"))], actor="t", max_chars=5000)
    result = purge_contacts(engine, retention_days=30, now=utcnow() + timedelta(days=31))
    assert result.erased == 1
    with Session(engine) as session:
        message = session.exec(select(InboundMessage)).one()
        comment = session.exec(select(Comment)).one()
    assert message.contact == "" and comment.contact == ""
    assert message.text  # the message itself is the record and stays

"""The reply to a message sent by e-mail through a local SMTP server; contacts expire."""

from __future__ import annotations

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
    import_files(engine, draft, [("m.eml", eml(body))], actor="t")
    me = make_account(engine, "收文员", ORG)
    csrf = await log_in(client, me)
    with Session(engine) as session:
        message = session.exec(select(InboundMessage)).one()
        receipts = [c.receipt for c in session.exec(select(Comment))]
    page = await client.get(f"/drafter/drafts/tingche/messages/{message.id}")
    assert "把回复发送到来信人的邮箱" in page.text and "zhangsan@example.cn" not in page.text
    r = await client.post(
        f"/drafter/drafts/tingche/messages/{message.id}/send", data={"csrf_token": csrf}
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
    import_files(engine, draft, [("m.eml", eml("第一条：支持。"))], actor="t")
    me = make_account(engine, "收文员", ORG)
    csrf = await log_in(client, me)
    with Session(engine) as session:
        message = session.exec(select(InboundMessage)).one()
    r = await client.post(
        f"/drafter/drafts/tingche/messages/{message.id}/send", data={"csrf_token": csrf}
    )
    assert r.status_code == 502 and "未能发出" in r.text


def test_a_senders_address_is_erased_with_the_other_contacts(engine):
    draft = add_draft(engine)
    import_files(engine, draft, [("m.eml", eml("第一条：支持。"))], actor="t")
    result = purge_contacts(engine, retention_days=30, now=utcnow() + timedelta(days=31))
    assert result.erased == 1
    with Session(engine) as session:
        message = session.exec(select(InboundMessage)).one()
        comment = session.exec(select(Comment)).one()
    assert message.contact == "" and comment.contact == ""
    assert message.text  # the message itself is the record and stays

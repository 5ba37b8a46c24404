"""A letter's closing signature stays with the message and out of the published comments;
nothing that may be comment text is cut."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from comments.channels import import_files
from comments.channels.signature import strip_signature
from comments.storage.models import Comment, InboundMessage
from tests.channels.test_intake import docx_bytes, eml
from tests.conftest import add_draft

BODY = "关于第一条，建议增加电动车停放区域。"


@pytest.mark.parametrize(
    ("ending", "name"),
    [
        ("\n此致 敬礼 张三 2026年11月3日", "张三"),
        ("\n此致\n敬礼！\n张三\n2026年11月3日", "张三"),
        ("\n——李四", "李四"),
        ("\n—— 李四 2026-11-03", "李四"),
        ("\n市民王五", "王五"),
        ("\n谢谢！\n赵小六\n2026.11.3", "赵小六"),
        ("\n此致\n敬礼\n欧阳娜娜 敬上\n二〇二六年十一月三日", "欧阳娜娜"),
        ("\n\n  此致，\n  敬礼\n  孙七  \n", "孙七"),
    ],
)
def test_a_trailing_signature_is_taken_off_with_its_name(ending: str, name: str) -> None:
    signed = strip_signature(BODY + ending)
    assert signed.text == BODY and signed.name == name


@pytest.mark.parametrize(
    "text",
    [
        BODY + "\n王五",  # a bare name: no cue that it signs the letter
        BODY + "\n此致\n敬礼",  # no name to hide
        BODY + "\n业主委员会",
        BODY + "\n居民区停车难",
        BODY + "\n——不合理",
        BODY + " 此致敬礼！张三",  # not on a line of its own
        BODY + "\n此致\n敬礼\n张三\n我再补充一句：收费要公示。",  # text after it
        "——李四",  # nothing but the signature
        "第一条：支持",
        "第二条应当修改为：由业主大会决定收费标准",
    ],
)
def test_text_that_may_be_the_comment_is_never_cut(text: str) -> None:
    assert strip_signature(text).text == text


def test_the_senders_own_name_signs_without_another_cue() -> None:
    assert strip_signature(BODY + "\n张三", sender="张三").text == BODY
    assert strip_signature(BODY + "\n张三", sender="李四").text == BODY + "\n张三"


def test_an_imported_letter_publishes_no_signature_and_keeps_it_in_the_message(engine) -> None:
    draft = add_draft(engine)
    letter = docx_bytes("尊敬的起草单位：", BODY, "此致", "敬礼", "市民王五", "2026年11月3日")
    mail = eml("第二条：收费应当公示。\n\n——李四\n2026-11-03", ident="<m2@example.cn>")
    import_files(engine, draft, [("信.docx", letter), ("m.eml", mail)], actor="t", max_chars=5000)
    with Session(engine) as session:
        comments = list(session.exec(select(Comment).order_by(Comment.id)))
        messages = list(session.exec(select(InboundMessage).order_by(InboundMessage.id)))
    assert [c.body for c in comments] == [f"尊敬的起草单位：\n{BODY}", "第二条：收费应当公示。"]
    assert not any(c.show_name for c in comments)
    assert "市民王五" in messages[0].text and "李四" in messages[1].text
    assert messages[0].sender == "王五" and comments[0].name == "王五"
    assert messages[1].sender == "张三"  # the From: header wins over the signature

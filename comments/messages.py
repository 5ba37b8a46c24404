"""User-facing messages that more than one place says, defined once."""

from __future__ import annotations

from comments.errors import InputError

DRAFT_NOT_FOUND = "没有找到这份草案。"
BAD_RECEIPT = "回执编号格式不正确，应为 12 位字母数字，如 7K3QFM-9X2AB4（较早的回执为 10 位）。"
DEADLINE_PAST = "截止日期不能早于今天。"
LOGIN_REQUIRED = "请先登录起草单位账号。"
NO_FEEDBACK = "尚未发布意见采纳情况：起草单位正在研究意见，研究完毕后将在此公布。"


def draft_not_found() -> InputError:
    """The one answer for a draft that does not exist or is not published: the two cannot be
    told apart from outside."""
    return InputError("not_found", DRAFT_NOT_FOUND, status=404)


def receipt_not_found(receipt: str) -> InputError:
    return InputError("not_found", f"没有找到回执 {receipt}。", status=404)


def bad_receipt() -> InputError:
    return InputError("bad_receipt", BAD_RECEIPT)


def no_feedback() -> InputError:
    """Before the drafters publish, every public surface of the feedback report says so."""
    return InputError("no_feedback", NO_FEEDBACK, status=404)

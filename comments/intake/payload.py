"""The comment payload: one definition that both validates a submission and documents it.

``payload_model(max_chars)`` builds the pydantic model of ``POST /api/drafts/{slug}/comments``
(and of the HTML form, which posts the same fields). Each field's check is a validator on the
model, so the OpenAPI document (``model_json_schema()``) and the checks cannot drift apart: a
longer ``COMMENTS_MAX_COMMENT_CHARS`` changes both. The checks raise ``InputError`` with the
service's own codes and messages, in field order.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, create_model

from comments.errors import InputError
from comments.storage.models import SUBMITTER_TYPES

NAME_CHARS = 100
CONTACT_CHARS = 200
REGION_CHARS = 100

# Characters never stored: C0/C1 controls (newline and tab are handled apart), zero-width and
# bidirectional controls that hide or reorder text (the Arabic letter mark and the Mongolian vowel
# separator among them), the soft hyphen, the Hangul fillers that render as blanks, tag
# characters, lone surrogates and private use.
_UNWANTED = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u2069\u3164\ufeff\uffa0\ud800-\udfff"
    "\ue000-\uf8ff\U000e0000-\U000e007f\U000f0000-\U0010ffff]"
)


def clean_text(value: str, *, multiline: bool) -> str:
    """Drop invisible and control characters; keep newlines only when multiline."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if not value.isascii():
        value = unicodedata.normalize("NFC", value)
    value = _UNWANTED.sub("", value)
    if multiline:
        value = value.replace("\t", " ")
        if "\n\n\n" in value or " \n" in value:
            value = re.sub(r"[ ]+\n", "\n", value)
            value = re.sub(r"\n{3,}", "\n\n", value)
    else:
        value = re.sub(r"[\t\n ]+", " ", value)
    return value.strip()


def _clause(raw: Any) -> str | None:
    if raw in ("", None):
        return None
    if not isinstance(raw, str):
        raise InputError("bad_clause", "clause 应为条款编号文本，或为 null 表示对全文提意见。")
    return raw


def _body(max_chars: int) -> Any:
    def check(raw: Any) -> str:
        if raw is None:
            raise InputError("empty_comment", "请填写意见内容。")
        if not isinstance(raw, str):
            raise InputError("bad_field", "body（意见内容）应为文本。")
        body = clean_text(raw, multiline=True)
        if not body:
            raise InputError("empty_comment", "意见内容不能为空。")
        if len(body) > max_chars:
            raise InputError(
                "comment_too_long", f"意见不能超过 {max_chars} 字（现为 {len(body)} 字）。"
            )
        return body

    return check


def _submitter_type(raw: Any) -> str:
    value = raw or "个人"
    if value not in SUBMITTER_TYPES:
        raise InputError(
            "bad_submitter_type", f"提交者类型应为：{'、'.join(SUBMITTER_TYPES)} 之一。"
        )
    return str(value)


def _line(limit: int, label: str) -> Any:
    def check(raw: Any) -> str:
        if raw is None:
            return ""
        if not isinstance(raw, str):
            raise InputError("bad_field", f"{label}应为文本。")
        value = clean_text(raw, multiline=False)
        if len(value) > limit:
            raise InputError("field_too_long", f"{label}不能超过 {limit} 个字符。")
        return value

    return check


_KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")


def _idempotency_key(raw: Any) -> str | None:
    if raw in ("", None):
        return None
    if not isinstance(raw, str) or not _KEY.fullmatch(raw):
        raise InputError(
            "bad_idempotency_key", "idempotency_key 应为 8–64 位字母、数字、连字符或下划线。"
        )
    return raw


_YES = frozenset({"1", "on", "true", "yes"})
_NO = frozenset({"", "0", "off", "false", "no"})


def _show_name(raw: Any) -> bool:
    """Consent to publish the name: only an explicit yes counts; anything unclear is refused."""
    if raw is None or isinstance(raw, bool):
        return bool(raw)
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str) and raw.strip().lower() in _YES | _NO:  # an HTML checkbox
        return raw.strip().lower() in _YES
    raise InputError("bad_field", "show_name（是否公开署名）应为 true 或 false。")


def _text(limit: int, description: str) -> Any:
    # The limit counts characters after cleaning (invisible characters removed, CRLF → LF),
    # which is what the validator checks.
    return Field(default="", description=description, json_schema_extra={"maxLength": limit})


@functools.cache
def payload_model(max_chars: int) -> type[BaseModel]:
    """The model of a submitted comment for a service whose comments have at most ``max_chars``."""
    return create_model(
        "NewComment",
        __config__=ConfigDict(extra="ignore"),
        clause=(
            Annotated[str | None, BeforeValidator(_clause)],
            Field(default=None, description="条款的 key；null 表示对草案全文的总体意见"),
        ),
        body=(
            Annotated[str, BeforeValidator(_body(max_chars))],
            Field(description="意见内容", json_schema_extra={"maxLength": max_chars}),
        ),
        submitter_type=(
            Annotated[Literal[SUBMITTER_TYPES], BeforeValidator(_submitter_type)],  # type: ignore[valid-type]
            Field(default="个人", description="提交者类型"),
        ),
        name=(
            Annotated[str, BeforeValidator(_line(NAME_CHARS, "姓名"))],
            _text(NAME_CHARS, "姓名"),
        ),
        contact=(
            Annotated[str, BeforeValidator(_line(CONTACT_CHARS, "联系方式"))],
            _text(CONTACT_CHARS, "联系方式（仅起草单位可见）"),
        ),
        region=(
            Annotated[str, BeforeValidator(_line(REGION_CHARS, "地区"))],
            _text(REGION_CHARS, "所在地区"),
        ),
        show_name=(
            Annotated[bool, BeforeValidator(_show_name)],
            Field(default=False, description="是否公开署名"),
        ),
        idempotency_key=(
            Annotated[str | None, BeforeValidator(_idempotency_key)],
            Field(
                default=None,
                description="客户端为这条意见选的随机键（也可放在 Idempotency-Key 请求头里）："
                "网络中断后用同一个键和同样的内容重试，得到的是第一次的回执，意见不会存两份",
                json_schema_extra={"pattern": "^[A-Za-z0-9_-]{8,64}$"},
            ),
        ),
    )


def check_payload(payload: Any, max_chars: int) -> BaseModel:
    """The validated payload, or the ``InputError`` of its first bad field."""
    try:
        return payload_model(max_chars).model_validate(payload)
    except ValidationError as exc:  # what the field validators do not see: a missing body
        first = exc.errors()[0]
        if first["loc"] and first["loc"][0] == "body":
            raise InputError("empty_comment", "请填写意见内容。") from None
        raise InputError("bad_field", f"字段 {first['loc']} 不合规。") from None


def payload_schema(max_chars: int) -> dict[str, Any]:
    """The JSON schema of the payload, as the OpenAPI document shows it."""
    schema = payload_model(max_chars).model_json_schema()
    schema.pop("title", None)
    for prop in schema["properties"].values():
        prop.pop("title", None)
    return schema

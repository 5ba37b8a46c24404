"""Sending an office's reply to a message that came by e-mail (off unless ``COMMENTS_SMTP_HOST``)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from comments.errors import InputError
from comments.settings import Settings

TIMEOUT = 10.0


def can_send(settings: Settings, address: str) -> bool:
    return bool(settings.smtp_host and settings.smtp_sender and "@" in address)


def send_reply(settings: Settings, *, to: str, subject: str, text: str, office: str) -> str:
    """Send ``text`` to ``to``; returns the Message-ID. ``InputError`` (502) when it fails."""
    if not can_send(settings, to):
        raise InputError("mail_off", "未配置发信服务器，或来信没有电子邮件地址。", status=409)
    message = EmailMessage()
    message["From"] = formataddr((office, settings.smtp_sender))
    message["To"] = to
    message["Subject"] = subject
    ident = make_msgid(domain=settings.smtp_sender.rpartition("@")[2] or None)
    message["Message-ID"] = ident
    message.set_content(text)
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password)
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise InputError(
            "mail_failed",
            f"回复邮件未能发出（{type(exc).__name__}），请稍后重试或下载回复文本自行发送。",
            status=502,
        ) from None
    return ident

"""What the command line shows on a terminal: its argument parser, in Chinese, and a progress bar.

``Parser`` is ``argparse.ArgumentParser`` with its own words in Chinese: a bad command line gets
one line saying what is wrong (``comments export: 缺少参数：slug``), then the usage, and exit
status 2 as before. ``ProgressBar`` draws on stderr only when stderr is a terminal;
``import_note`` says after an import whether the draft takes comments.
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date
from typing import TYPE_CHECKING, NoReturn

from comments.period import period_state

if TYPE_CHECKING:
    from comments.storage.models import Draft

# argparse's messages (Python 3.11-3.13), matched whole, in the order tried.
_MESSAGES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"the following arguments are required: (.+)"), r"缺少参数：\1"),
    (re.compile(r"unrecognized arguments: (.+)"), r"无法识别的参数：\1"),
    (re.compile(r"one of the arguments (.+) is required"), r"参数 \1 必须给出其中一个"),
    (
        re.compile(r"argument COMMAND: invalid choice: (.+?) \(choose from (.+)\)"),
        r"没有命令 \1（可用：\2）",
    ),
    (
        re.compile(r"argument (.+?): invalid choice: (.+?) \(choose from (.+)\)"),
        r"\1 的取值 \2 无效（可选：\3）",
    ),
    (re.compile(r"argument (.+?): invalid int value: (.+)"), r"\1 应为整数，收到 \2"),
    (re.compile(r"argument (.+?): invalid (\w+) value: (.+)"), r"\1 的取值 \3 无效"),
    (re.compile(r"argument (.+?): expected one argument"), r"\1 后面缺少取值"),
    (re.compile(r"argument (.+?): not allowed with argument (.+)"), r"\1 不能与 \2 同时使用"),
    (re.compile(r"argument (.+?): ignored explicit argument (.+)"), r"\1 不接受取值 \2"),
    (re.compile(r"argument (.+?): (.+)"), r"\1：\2"),  # a type's own message (already Chinese)
]
_HELP_WORDS = [
    ("usage: ", "用法："),
    ("positional arguments:", "参数："),
    ("options:", "选项："),
    ("show this help message and exit", "显示本帮助并退出"),
]


def chinese(message: str) -> str:
    """One of argparse's error messages in Chinese (unchanged if it is none of them)."""
    for pattern, replacement in _MESSAGES:
        if pattern.fullmatch(message):
            return pattern.sub(replacement, message)
    return message


class Parser(argparse.ArgumentParser):
    """``ArgumentParser`` speaking Chinese; its subcommands' parsers are of this class too."""

    def format_usage(self) -> str:
        return _translated(super().format_usage())

    def format_help(self) -> str:
        return _translated(super().format_help())

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {chinese(message)}\n{self.format_usage()}")


def _translated(text: str) -> str:
    for english, own in _HELP_WORDS:
        text = text.replace(english, own, 1)
    return text


class ProgressBar:
    """A one-line progress bar on stderr, drawn only when stderr is a terminal."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.enabled = sys.stderr.isatty()
        self.shown = -1

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        percent = done * 100 // total
        if percent == self.shown:
            return
        self.shown = percent
        filled = percent * 30 // 100
        sys.stderr.write(
            f"\r{self.label} [{'#' * filled}{'.' * (30 - filled)}] {percent:3d}%  {done:,}/{total:,}"
        )
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def import_note(draft: Draft, today: date) -> str:
    """After ``comments import``: whether the draft now takes comments, and until when."""
    state = period_state(draft, today)
    if state == "unpublished":
        return f"未发布：在工作区 /drafter/drafts/{draft.slug} 开放征求意见。"
    if state == "ended":
        return (
            f"注意：截止日期 {draft.deadline} 已过，这份草案不接收意见；"
            "请在工作区修改截止日期，或用 --deadline 重新导入。"
        )
    if draft.deadline is None:
        return "已开放征求意见，没有截止日期：请在工作区设定，或用 --deadline 指定。"
    return f"已开放征求意见，截止 {draft.deadline}。"

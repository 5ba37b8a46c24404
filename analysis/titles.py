"""How the report cites the draft: 《关于…（征求意见稿）》意见采纳情况说明, and Chinese numerals for
its headings. Clauses are named by ``analysis.citation.clause_names``."""

from __future__ import annotations

from analysis.models import GENERAL_KEY, UNKNOWN_KEY

DIGITS = "零一二三四五六七八九"
_PARENS = str.maketrans({"(": "（", ")": "）"})
_DRAFT_MARK = "（征求意见稿）"
BUCKET_TITLES = {GENERAL_KEY: "总体意见", UNKNOWN_KEY: "未对应到具体条款的意见"}


def chinese_number(n: int) -> str:
    """1 → 一, 15 → 十五, 31 → 三十一, 105 → 一百零五 (up to 999; larger stay in digits)."""
    if n < 0 or n > 999:
        return str(n)
    if n < 10:
        return DIGITS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else DIGITS[tens]) + "十" + (DIGITS[ones] if ones else "")
    hundreds, rest = divmod(n, 100)
    head = DIGITS[hundreds] + "百"
    if rest == 0:
        return head
    if rest < 10:
        return head + "零" + DIGITS[rest]
    tens, ones = divmod(rest, 10)
    return head + DIGITS[tens] + "十" + (DIGITS[ones] if ones else "")


def draft_citation(draft_title: str) -> str:
    """The draft as a title is cited: 《关于…的实施意见（征求意见稿）》.

    Without an outer 《》 of its own (inner ones become 〈〉, as they must inside a title), marked
    as the 征求意见稿 once.

    >>> draft_citation("关于加快推进信息化发展的实施意见")
    '《关于加快推进信息化发展的实施意见（征求意见稿）》'
    >>> draft_citation("《信息化实施意见》(征求意见稿)")
    '《信息化实施意见（征求意见稿）》'
    """
    title = " ".join(draft_title.split()).translate(_PARENS)
    if title.endswith(_DRAFT_MARK):
        title = title[: -len(_DRAFT_MARK)].rstrip()
    if title.startswith("《") and title.endswith("》") and title.count("《") == 1:
        title = title[1:-1].strip()
    title = title.replace("《", "〈").replace("》", "〉")
    if "征求意见稿" not in title:
        title += _DRAFT_MARK
    return f"《{title}》" if title != _DRAFT_MARK else "《征求意见稿》"


def feedback_title(draft_title: str) -> str:
    """The report's title, never with a doubled 关于: 《关于…（征求意见稿）》意见采纳情况说明."""
    return f"{draft_citation(draft_title)}意见采纳情况说明"

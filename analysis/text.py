"""Text normalisation for comments: width, invisible characters, traditional script, tokens.

``normalize`` is cheap and safe on any string; ``tokens`` loads jieba on first use (~0.4 s).

Traditional → simplified conversion uses snownlp's own table (``snownlp/normal/zh.py``, the
table behind ``SnowNLP(text).han``) with the same longest-match rule, read straight from the
file: ``import snownlp`` costs ~3 s because it loads every model, and a comment service must not
stall on the first comment written in traditional characters. The table is read only when a
character outside the simplified set is seen.

>>> normalize("ＡＢＣ１２３　這個規定")
'ABC123 这个规定'
>>> sentences("建议删除。为什么？好的")
['建议删除。', '为什么？', '好的']
"""

from __future__ import annotations

import ast
import importlib.util
import re
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path

__all__ = ["has_traditional", "nfkc", "normalize", "sentences", "to_simplified", "tokens"]

# Control characters (except tab/newline, turned into spaces later), zero-width characters,
# bidirectional marks, the BOM and variation selectors: invisible, and used to dodge filters.
INVISIBLE = re.compile(
    "[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f"
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"
    "\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]"
)
_SPACE = re.compile(r"\s+")
_SURROGATE = re.compile("[\ud800-\udfff]")
# A sentence ends at 。！？!? ； or a line break, keeping closing quotes/brackets with it.
_SENTENCE = re.compile(r"[^。！？!?；;\n]*(?:[。！？!?；;]+[”’」』）)】]*|\n|$)")

_lock = threading.Lock()


def _zh_table_path() -> Path | None:
    spec = importlib.util.find_spec("snownlp")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "normal" / "zh.py"
    return path if path.is_file() else None


@lru_cache(maxsize=1)
def _zh_table() -> dict[str, str]:
    """snownlp's traditional → simplified table, parsed without importing snownlp."""
    path = _zh_table_path()
    if path is None:
        return {}
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return {}
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "zh2hans" for t in node.targets)
            and isinstance(node.value, ast.Dict)
        ):
            value = ast.literal_eval(node.value)
            if isinstance(value, dict):
                return {str(k): str(v) for k, v in value.items() if k and v is not None}
    return {}


def _simplified_ok(ch: str) -> bool:
    """True for characters of GB 2312, the simplified character set (余, 覆, 著 are in it)."""
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


@lru_cache(maxsize=1)
def _conversions() -> dict[str, str]:
    """The entries of the table that touch at least one traditional-only character.

    snownlp's table also maps valid simplified characters and words (余→馀, 覆→复, 使用→享用);
    applying those would corrupt simplified text, so an entry is kept only when its source
    holds a character outside GB 2312.
    """
    return {k: v for k, v in _zh_table().items() if k != v and not all(map(_simplified_ok, k))}


# Once built, read without the lock: a character class of them (a regex scans a text several
# times faster than a set lookup per character).
_loaded_traditional: re.Pattern[str] | None = None


def _traditional_chars() -> re.Pattern[str]:
    """Single characters that mark traditional text: in the table and outside GB 2312."""
    global _loaded_traditional
    if _loaded_traditional is None:
        chars = {ch for key in _conversions() for ch in key if not _simplified_ok(ch)}
        _loaded_traditional = re.compile("[" + "".join(map(re.escape, sorted(chars))) + "]")
    return _loaded_traditional


@lru_cache(maxsize=1)
def _trie() -> dict[str, object]:
    root: dict[str, object] = {}
    for key, value in _conversions().items():
        node = root
        for ch in key:
            child = node.get(ch)
            if not isinstance(child, dict):
                child = {}
                node[ch] = child
            node = child
        node[""] = value
    return root


def has_traditional(text: str) -> bool:
    """True when ``text`` holds at least one traditional-only character."""
    # Only CJK characters can be traditional; skip the set lookups for pure ASCII text.
    if not text or text.isascii():
        return False
    chars = _loaded_traditional
    if chars is None:
        with _lock:
            chars = _traditional_chars()
    return chars.search(text) is not None


def to_simplified(text: str) -> str:
    """Convert traditional characters and phrases to simplified, longest match first.

    >>> to_simplified("資費降低的規定太好了")
    '资费降低的规定太好了'
    """
    if not has_traditional(text):
        return text
    with _lock:
        root = _trie()
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        node: object = root
        j = i
        found: tuple[int, str] | None = None
        while j < n and isinstance(node, dict) and text[j] in node:
            node = node[text[j]]
            j += 1
            if isinstance(node, dict) and "" in node:
                found = (j, str(node[""]))
        if found is None:
            out.append(text[i])
            i += 1
        else:
            out.append(found[1])
            i = found[0]
    return "".join(out)


# Full-width ASCII and the ideographic space: NFKC maps each to one ASCII character. These are
# nearly all a Chinese comment needs of NFKC (，（）：；！？); done first by a lookup per match,
# the rest of the text is usually NFKC already and the quick check lets it through.
_FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]")
_FULL_WIDTH_ASCII = {chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)} | {"\u3000": " "}


def _full_width_ascii(match: re.Match[str]) -> str:
    return _FULL_WIDTH_ASCII[match.group()]


def nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, two to three times faster on Chinese text.

    >>> nfkc("建议（一）：删除第５条，") == unicodedata.normalize("NFKC", "建议（一）：删除第５条，")
    True
    """
    if text.isascii():
        return text
    if _FULL_WIDTH.search(text) is not None:
        text = _FULL_WIDTH.sub(_full_width_ascii, text)
    if unicodedata.is_normalized("NFKC", text):
        return text
    return unicodedata.normalize("NFKC", text)


def normalize(text: str) -> str:
    """NFKC (full/half width), invisible characters removed, simplified script, one space.

    Never raises: ``None`` or non-strings give ``""``.

    >>> normalize("  強烈反對\u200b！！  ")
    '强烈反对!!'
    """
    if not isinstance(text, str) or not text:
        return ""
    # Lone surrogates (from bad decoding upstream) cannot be normalised or encoded: drop them.
    if _SURROGATE.search(text):
        text = _SURROGATE.sub("", text)
    text = nfkc(text)
    text = INVISIBLE.sub("", text)
    text = to_simplified(text)
    return _SPACE.sub(" ", text).strip()


def sentences(text: str) -> list[str]:
    """Split into sentences at 。！？!?； and line breaks; empty pieces dropped."""
    if not isinstance(text, str) or not text.strip():
        return []
    out: list[str] = []
    for match in _SENTENCE.finditer(text):
        piece = _SPACE.sub(" ", match.group(0)).strip()
        if piece and not all(unicodedata.category(ch).startswith("P") for ch in piece):
            out.append(piece)
        elif piece and out:
            out[-1] += piece
    return out


@lru_cache(maxsize=1)
def _jieba() -> object:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def tokens(text: str) -> list[str]:
    """Words of the normalised text (jieba, precise mode), stopwords and punctuation removed.

    >>> tokens("我们建议取消这项收费")
    ['建议', '取消', '这项', '收费']
    """
    from analysis.lexicon import STOPWORDS

    clean = normalize(text)
    if not clean:
        return []
    with _lock:
        jieba = _jieba()
    words = jieba.lcut(clean)  # type: ignore[attr-defined]
    out: list[str] = []
    for word in words:
        w = word.strip()
        if not w or w in STOPWORDS:
            continue
        if all(unicodedata.category(ch)[0] in "PSZC" for ch in w):
            continue
        out.append(w.lower())
    return out

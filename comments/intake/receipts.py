"""Receipt numbers: made when a comment is stored, typed back by people to look it up."""

from __future__ import annotations

import re
import secrets
import time
import unicodedata

# Crockford's base32 without I, L, O, U: nothing to misread when written down or read aloud.
RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

# ``XXXXXX-XXXXXX``; receipts issued before time prefixes were added have ``XXXXX-XXXXX``.
RECEIPT_RE = re.compile(
    r"^(?:[0-9A-HJKMNP-TV-Z]{6}-[0-9A-HJKMNP-TV-Z]{6}|[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5})$"
)

RECEIPT_TICK = 0.01  # seconds: comments committed within one tick share a receipt prefix


def new_receipt() -> str:
    """Twelve symbols from an unambiguous alphabet, as ``XXXXXX-XXXXXX``: see ``new_receipts``."""
    return new_receipts(1)[0]


def new_receipts(n: int, now: float | None = None) -> list[str]:
    """``n`` receipts: two symbols of clock, then ten symbols (50 bits) from the system's
    random source, drawn once for them all.

    The clock symbols (10 ms ticks, cycling every 10.24 s) are there for the database, not for
    people: receipts committed together share a prefix, so their entries in the unique index
    land on a few neighbouring pages instead of one random page each. With fully random keys
    that index cost several times more per comment (benchmarks/intake_cpu.py). The 50 random bits,
    what makes a receipt unguessable, are the same as before.
    """
    tick = int((time.time() if now is None else now) / RECEIPT_TICK) & 1023
    prefix = _PAIRS[tick]
    pool = secrets.token_bytes(8 * n)
    out = []
    for i in range(n):
        value = int.from_bytes(pool[8 * i : 8 * i + 8], "big") >> 14  # 50 bits
        a, b, c, d, e = (value >> 40, (value >> 30) & 1023, (value >> 20) & 1023,
                         (value >> 10) & 1023, value & 1023)  # fmt: skip
        out.append(f"{prefix}{_PAIRS[a]}{_PAIRS[b]}-{_PAIRS[c]}{_PAIRS[d]}{_PAIRS[e]}")
    return out


# Two symbols for every 10-bit value: a receipt is built from five look-ups, not ten.
_PAIRS = [RECEIPT_ALPHABET[v >> 5] + RECEIPT_ALPHABET[v & 31] for v in range(1024)]


def normalise_receipt(raw: str) -> str | None:
    """Accept what people type: lower case, no dash, O for 0, I/L for 1, full-width letters and
    digits (an input method's full-width mode), any kind of dash or space. None if malformed."""
    folded = unicodedata.normalize("NFKC", raw)  # ＲＢＧ－１２ -> RBG-12, U+3000 -> space
    cleaned = re.sub(r"[\s\-\u2010-\u2015\u2212\u30fc\uff70]", "", folded).upper()
    cleaned = cleaned.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))
    if len(cleaned) not in (10, 12):
        return None
    half = len(cleaned) // 2
    receipt = f"{cleaned[:half]}-{cleaned[half:]}"
    return receipt if RECEIPT_RE.match(receipt) else None

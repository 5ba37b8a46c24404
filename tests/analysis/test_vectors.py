"""Static token vectors: the shipped table loads and is small; the build is reproducible."""

from __future__ import annotations

from collections import Counter

import numpy as np

from analysis import vectors

COUNTS = Counter({"宽带": 9, "网速": 7, "太慢": 4, "宽": 12, "带": 11, "网": 9, "速": 8, "慢": 5})


def fake_encoder(batch: list[str]) -> np.ndarray:
    """A deterministic stand-in for the encoder: a vector seeded by each token's characters."""
    rows = []
    for token in batch:
        seed = sum(ord(ch) * (i + 1) for i, ch in enumerate(token)) % (2**32)
        rows.append(np.random.RandomState(seed).randn(16))
    return np.array(rows)


def test_the_shipped_table_loads_and_is_small() -> None:
    assert vectors.PATH.exists()
    assert vectors.size_bytes() < 20 * 1024 * 1024
    table = vectors.load()
    assert table is not None
    assert table.vectors.dtype == np.float16
    assert len(table.tokens) == table.vectors.shape[0] == len(table.weights)
    assert {"宽带", "基站", "老年人"} <= set(table.tokens)


def test_paraphrases_with_few_shared_characters_are_closer_than_other_points() -> None:
    a, b, c = vectors.embed(["网速太慢", "宽带卡得要死", "基站辐射影响健康"])
    assert a @ b > a @ c


def test_distillation_is_reproducible_on_a_tiny_case(tmp_path) -> None:
    tokens, freq = vectors.choose_vocabulary(COUNTS, 6)
    assert tokens == vectors.choose_vocabulary(COUNTS, 6)[0]
    first = vectors.distil(tokens, freq, fake_encoder, dims=3)
    second = vectors.distil(tokens, freq, fake_encoder, dims=3)
    assert np.array_equal(first.vectors, second.vectors)
    vectors.save(first, tmp_path / "v.npz")
    loaded = vectors.load(tmp_path / "v.npz")
    assert loaded is not None and loaded.tokens == first.tokens
    assert np.array_equal(loaded.vectors, first.vectors)
    index = vectors.build_index(loaded)
    counts = vectors.token_counts(["宽带网速太慢", "zz"], index)
    assert counts[0].sum() > 0 and counts[1].sum() == 0


def test_a_text_without_known_tokens_embeds_as_zeros() -> None:
    out = vectors.embed(["zzz", "宽带"])
    assert out is not None
    assert not out[0].any() and abs(np.linalg.norm(out[1]) - 1) < 1e-6

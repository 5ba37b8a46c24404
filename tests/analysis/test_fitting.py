"""Training helpers: a fit on the used columns of a hashed matrix is the fit on all of them."""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression

from analysis import fitting


def _hashed(seed: int, n: int = 120, width: int = 4096) -> tuple[csr_matrix, list[str]]:
    rng = np.random.default_rng(seed)
    cols = rng.integers(0, 300, size=(n, 6)) * 13  # 300 of 4,096 columns ever hold a value
    rows = np.repeat(np.arange(n), 6)
    x = csr_matrix((rng.random(n * 6) + 0.5, (rows, cols.ravel())), shape=(n, width))
    labels = ["against" if c[0] % 2 else "favor" for c in cols]
    labels[:10] = ["none"] * 10
    return x, labels


def test_used_columns_are_those_holding_a_value() -> None:
    x, _ = _hashed(1)
    used, cut = fitting.used_columns(x)
    assert set(used) == set(np.unique(x.nonzero()[1]))
    assert cut.shape == (x.shape[0], len(used))
    assert (cut != x[:, used]).nnz == 0


def test_a_fit_on_the_used_columns_equals_the_fit_on_all_of_them() -> None:
    x, labels = _hashed(2)
    classes = ("favor", "against", "none")
    weights = [1.0 + (i % 3) for i in range(len(labels))]
    model = fitting.fit_logistic(x, labels, weights, classes, c=2.0)
    full = LogisticRegression(C=2.0, max_iter=300, tol=1e-3)  # fit_logistic's settings
    full.fit(x, labels, sample_weight=np.asarray(weights))
    reference = fitting.as_linear(full, classes)
    assert model.weight.shape == (x.shape[1], 3)
    unused = np.setdiff1d(np.arange(x.shape[1]), fitting.used_columns(x)[0])
    assert not model.weight[unused].any()
    # The same optimisation: an empty column's gradient is always zero, its weight stays zero.
    assert np.allclose(model.weight, reference.weight, atol=1e-9)
    assert np.allclose(model.bias, reference.bias, atol=1e-9)

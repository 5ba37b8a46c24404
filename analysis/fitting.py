"""scikit-learn fitting shared by the training scripts: logistic regressions turned into the
numpy models of ``analysis.grams`` / ``analysis.stance_model``, out-of-fold scores for stackers,
and feature rows picked by example. Imported only when training (scikit-learn and scipy are
needed here, never when scoring)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from analysis.grams import Features, LinearModel
from analysis.stance_model import Stacker
from analysis.training_data import Example

__all__ = [
    "FOLDS",
    "Rows",
    "as_linear",
    "fit_logistic",
    "fit_stacker",
    "fold_of",
    "out_of_fold",
    "shipped_scores",
    "to_csr",
    "used_columns",
]

FOLDS = 5


def to_csr(x: Features) -> Any:
    """A feature batch as a scipy csr matrix."""
    from scipy.sparse import csr_matrix

    return csr_matrix((x.vals, (x.rows, x.cols)), shape=(x.n, x.width))


def fold_of(key: str, seed: int) -> int:
    return hashlib.blake2b(f"{seed}:{key}".encode(), digest_size=8).digest()[1] % FOLDS


def fit_logistic(
    x: object, y: Sequence[str], weights: Sequence[float], classes: Sequence[str], c: float
) -> LinearModel:
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=c, max_iter=300, tol=1e-3)
    used, x_used = used_columns(x)
    clf.fit(x_used, list(y), sample_weight=np.asarray(weights, dtype=np.float64))
    return as_linear(clf, classes, used=used, width=x.shape[1])  # type: ignore[attr-defined]


def used_columns(x: Any) -> tuple[np.ndarray, Any]:
    """The columns of a csr matrix that hold a value, and the matrix cut down to them.

    Hashed features leave most of the 2^18 columns empty in any training set. Under the L2
    penalty an empty column's weight is exactly zero, so fitting on the used columns alone
    reaches the same model; it spares the optimiser a parameter vector ten to a hundred times
    longer than it needs.
    """
    used = np.flatnonzero(np.bincount(x.indices, minlength=x.shape[1]))
    return used, x[:, used]


def as_linear(
    clf: object,
    classes: Sequence[str],
    *,
    used: np.ndarray | None = None,
    width: int | None = None,
) -> LinearModel:
    """A fitted sklearn classifier as a ``LinearModel`` over ``classes``; fitted on the ``used``
    columns of a ``width``-column matrix, its weights go back to their columns (zero elsewhere)."""
    coef = np.asarray(clf.coef_, dtype=np.float64)  # type: ignore[attr-defined]
    if used is not None and width is not None:
        full = np.zeros((coef.shape[0], width))
        full[:, used] = coef
        coef = full
    bias = np.asarray(clf.intercept_, dtype=np.float64)  # type: ignore[attr-defined]
    learned = [str(c) for c in clf.classes_]  # type: ignore[attr-defined]
    if coef.shape[0] == 1:  # two classes: sklearn keeps one row, the log-odds of the second
        coef = np.vstack([np.zeros_like(coef[0]), coef[0]])
        bias = np.asarray([0.0, bias[0]])
    weight = np.zeros((coef.shape[1], len(classes)))
    out_bias = np.full(len(classes), -30.0)
    for j, name in enumerate(learned):
        weight[:, classes.index(name)] = coef[j]
        out_bias[classes.index(name)] = bias[j]
    return LinearModel(tuple(classes), weight, out_bias)


def fit_stacker(
    x: np.ndarray, y: Sequence[str], weights: Sequence[float], classes: Sequence[str], c: float
) -> Stacker:
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=c, max_iter=5000, tol=1e-6)
    clf.fit(x, list(y), sample_weight=np.asarray(weights, dtype=np.float64))
    lin = as_linear(clf, classes)
    return Stacker(lin.classes, lin.weight, lin.bias)


def shipped_scores(model: LinearModel, x: object) -> np.ndarray:
    """Level-one scores of a csr matrix (the float16 rounding is applied as when shipped)."""
    w = model.weight.astype(np.float16).astype(np.float64)
    return np.asarray(x @ w) + model.bias  # type: ignore[operator]


def out_of_fold(
    train: Sequence[Example],
    labels: Sequence[str],
    weights: Sequence[float],
    score: Sequence[Example],
    classes: Sequence[str],
    c: float,
    seed: int,
    x_train: object,
    x_score: object,
) -> tuple[LinearModel, np.ndarray]:
    """The model on all of ``train``, and each ``score`` row's scores from a model that did not
    see that row's fold."""
    full = fit_logistic(x_train, labels, weights, classes, c)
    folds_train = np.asarray([fold_of(e.id, seed) for e in train])
    folds_score = np.asarray([fold_of(e.id, seed) for e in score])
    out = np.zeros((len(score), len(classes)))
    for k in range(FOLDS):
        keep = np.flatnonzero(folds_train != k)
        rows = np.flatnonzero(folds_score == k)
        if not len(rows):
            continue
        model = fit_logistic(
            x_train[keep],  # type: ignore[index]
            [labels[i] for i in keep],
            [weights[i] for i in keep],
            classes,
            c,
        )
        out[rows] = shipped_scores(model, x_score[rows])  # type: ignore[index]
    return full, out


class Rows:
    """Feature rows of many examples, picked by example."""

    def __init__(self, examples: Sequence[Example], *parts: object) -> None:
        from scipy.sparse import vstack

        self.x = vstack(parts).tocsr()  # type: ignore[call-overload]
        self.index = {e.id: i for i, e in enumerate(examples)}

    def of(self, examples: Sequence[Example]) -> Any:
        return self.x[[self.index[e.id] for e in examples]]

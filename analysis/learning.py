"""Learning a draft's corrected stances: the shipped model, adapted to what a person said.

When drafters correct the stance of some comments, the learned model (``analysis.stance_model``)
is adapted to this draft alone: a residual multinomial logistic regression over the model's own
hashed n-gram features is fitted on the corrected comments, stacked on the model's five-way
log-odds and pulled toward zero (the shipped model) by an L2 penalty ``PENALTY``. It is solved in
its dual form (the representer theorem): the residual of a comment is a similarity-weighted sum
over the corrected ones, the similarity being the cosine of their n-gram rows, so a correction
moves the comments that read like it and leaves the rest. Every step is deterministic.

The stances it changes are proposals, never confirmations (``stance_source="neighbour"``), and a
person's stance is never touched. Figures, and where it loses: docs/evaluation.md, section 五.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import Executor

import numpy as np
from scipy import sparse

from analysis.grams import log_softmax
from analysis.models import STANCES
from analysis.stance_model import StanceModels

__all__ = ["PENALTY", "learn_stances", "model_readings"]

PENALTY = 0.1  # L2 pull toward the shipped model (tuned on comments_dev's dev part only)
_MAX_ITER = 200
MAX_LEARNED = 2000  # corrected comments the fit uses at most (spread evenly over the draft)
CHUNK = 5000  # other comments read at once
PARTS = 8  # at most this many parts for worker processes: each is sent the direction matrix


def model_readings(
    texts: Sequence[str], targets: Sequence[str], models: StanceModels | None = None
) -> tuple[np.ndarray, sparse.csr_matrix, np.ndarray] | None:
    """The learned model's five-way log-odds (``STANCES`` order), each comment's L2-normalised
    hashed n-gram row, and which comments the model reads at all (text with letters and a
    target: the others get the cue rules' answer in ``classify_many``). ``None`` without the
    model file. ``models``: other weights than the shipped ones (the benchmark's retrained)."""
    from analysis.stance import _target_text, load_models, read_rules, stance_scores
    from analysis.stance_model import BITS, features
    from analysis.stance_rules import _MEANINGFUL
    from analysis.text import normalize

    models = models or load_models()
    if models is None:
        return None
    clean = [normalize(t) for t in texts]
    readings = [read_rules(t) for t in clean]
    x = features(clean, [_target_text(t) for t in targets], [r.cues for r in readings])
    scores = stance_scores(models, x, readings)
    order = [models.stance_stack.classes.index(s) for s in STANCES]
    grams = x.cols < (1 << BITS)  # the hashed n-grams, without the dense indicators
    rows = sparse.csr_matrix(
        (x.vals[grams], (x.rows[grams], x.cols[grams])), shape=(x.n, 1 << BITS)
    )
    norms = np.sqrt(np.asarray(rows.multiply(rows).sum(axis=1)).ravel())
    rows = sparse.diags(1.0 / np.where(norms > 0, norms, 1.0)) @ rows
    read = np.asarray(
        [
            bool(_MEANINGFUL.search(c)) and bool(t.strip())
            for c, t in zip(clean, targets, strict=True)
        ]
    )
    return scores[:, order], rows.tocsr(), read


def _fit(kernel: np.ndarray, base: np.ndarray, target: np.ndarray, penalty: float) -> np.ndarray:
    """Dual weights ``A`` minimising cross-entropy of ``base + kernel @ A`` against the one-hot
    ``target`` plus ``penalty / 2 · tr(Aᵀ kernel A)`` (the residual's L2 norm in feature space)."""
    from scipy.optimize import minimize

    shape = target.shape

    def loss(flat: np.ndarray) -> tuple[float, np.ndarray]:
        a = flat.reshape(shape)
        ka = kernel @ a
        logp = log_softmax(base + ka)
        value = -float((target * logp).sum()) + 0.5 * penalty * float((a * ka).sum())
        grad = kernel @ (np.exp(logp) - target + penalty * a)
        return value, grad.ravel()

    result = minimize(
        loss, np.zeros(target.size), jac=True, method="L-BFGS-B", options={"maxiter": _MAX_ITER}
    )
    return np.asarray(result.x).reshape(shape)


def learn_stances(
    comments: Mapping[int, tuple[str, str]],
    person: Mapping[int, str],
    stance: Mapping[int, str],
    *,
    penalty: float = PENALTY,
    models: StanceModels | None = None,
    pool: Executor | None = None,
) -> dict[int, str]:
    """Stances proposed for the comments a person did not correct, learned from those they did.

    ``comments``: id -> (body, target text) of the draft's visible comments; ``person``: id ->
    the stance a person set; ``stance``: the analysis' current stance of each id. Returns the
    ids whose stance the adapted model reads differently (id -> the stance proposed); a comment
    the model does not read (no letters, no target) is left as it is. ``pool``: worker processes
    that read the other comments (with the shipped model only).

    >>> learn_stances({1: ("支持", "第一条")}, {}, {1: "support"})
    {}
    """
    ids = sorted(comments)
    known = [i for i in ids if person.get(i) in STANCES]
    if len(known) > MAX_LEARNED:  # the fit is k x k: an even spread of the corrections
        step = len(known) / MAX_LEARNED
        known = [known[int(j * step)] for j in range(MAX_LEARNED)]
    if not known or len(known) == len(ids):
        return {}
    found = model_readings([comments[i][0] for i in known], [comments[i][1] for i in known], models)
    if found is None:
        return {}
    scores, rows, _ = found
    target = np.zeros((len(known), len(STANCES)))
    target[np.arange(len(known)), [STANCES.index(person[i]) for i in known]] = 1.0
    weights = _fit((rows @ rows.T).toarray(), scores, target, penalty)
    # The residual of any comment is its row · (the corrected rows' transpose · weights): one
    # sparse 2^BITS x 5 matrix, so the others are read by chunks (in worker processes when
    # there is a pool), never held as an n x k kernel.
    direction = sparse.csr_matrix(rows.T @ weights)
    rest = [i for i in ids if i not in person]
    size = CHUNK if pool is None else max(CHUNK, -(-len(rest) // PARTS))
    jobs = [
        (
            rest[j : j + size],
            (
                [comments[i][0] for i in rest[j : j + size]],
                [comments[i][1] for i in rest[j : j + size]],
            ),
        )
        for j in range(0, len(rest), size)
    ]
    out: dict[int, str] = {}
    if pool is None or models is not None:
        answers = ((chunk, adapted(*args, direction, models)) for chunk, args in jobs)
    else:
        futures = [(chunk, pool.submit(adapted, *args, direction)) for chunk, args in jobs]
        answers = ((chunk, future.result()) for chunk, future in futures)
    for chunk, read in answers:
        for i, value in zip(chunk, read, strict=True):
            if value is not None and value != stance.get(i):
                out[i] = value
    return out


def adapted(
    texts: Sequence[str],
    targets: Sequence[str],
    direction: sparse.csr_matrix,
    models: StanceModels | None = None,
) -> list[str | None]:
    """The adapted model's stance of each text (``None`` where the model does not read it)."""
    found = model_readings(texts, targets, models)
    if found is None:
        return [None] * len(texts)
    scores, rows, read = found
    best = (scores + (rows @ direction).toarray()).argmax(axis=1)
    return [STANCES[int(b)] if r else None for b, r in zip(best, read, strict=True)]

"""How sure a ranking's top match is: the "already checked" flag's calibration.

A query's best candidate (by the fused score) is right more often the higher its cosine
to the query. The cosine is absolute: the fused score's features are relative to each
signal's top 50, and a lead over the other candidates means little in a desk that holds
two fact-checks (both were tried: each flagged most of the seed article against two
unrelated fact-checks). :class:`MatchConfidence` is a logistic curve over the cosine,
fitted on the candidates the *held-out* fusion puts first for the CLEF-2020 train
queries (each fold ranked by a fusion fitted on the other folds); CLEF queries all have
a match, so the curve is P(right | a match exists), and the cosine keeps claims with
no match below the threshold as long as nothing in the collection says nearly the same.
``threshold`` is the lowest probability at which the flagged train queries' top match
was right at least ``target_precision`` of the time (the lower end of the 95% interval
of their precision, so a new collection is unlikely to fall below it). Built by
``python -m app.similarity train-confidence``; stored as ``data/confidence.json``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_CONFIDENCE_PATH = DATA_DIR / "confidence.json"
FEATURES = ("cosine",)


def confidence_features(cosines: Sequence[float], top: int = 0) -> np.ndarray:
    """``(cosine,)`` of the candidate at position ``top`` of one query's candidates."""
    values = np.asarray(cosines, dtype=np.float64)
    return np.array([float(values[top]) if values.size else 0.0], dtype=np.float64)


@dataclass(frozen=True)
class MatchConfidence:
    """P(the top match is right) from :func:`confidence_features`, and the flag's threshold."""

    coef: np.ndarray
    intercept: float
    threshold: float
    meta: dict = field(default_factory=dict, compare=False)

    def probability(self, features: np.ndarray) -> float:
        z = float(np.dot(self.coef, np.asarray(features, dtype=np.float64)) + self.intercept)
        return 1.0 / (1.0 + np.exp(-z))

    def save(self, path: str | Path, **meta) -> None:
        body = {"features": list(FEATURES), "coef": [round(float(c), 6) for c in self.coef],
                "intercept": round(float(self.intercept), 6), "threshold": round(float(self.threshold), 4),
                **self.meta, **meta}
        Path(path).write_text(json.dumps(body, indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path = DEFAULT_CONFIDENCE_PATH) -> "MatchConfidence":
        body = json.loads(Path(path).read_text(encoding="utf-8"))
        if tuple(body.get("features", ())) != FEATURES:
            raise ValueError(f"{path} holds another calibration; run `python -m app.similarity train-confidence`")
        meta = {k: v for k, v in body.items() if k not in ("features", "coef", "intercept", "threshold")}
        return cls(np.asarray(body["coef"], dtype=np.float64), float(body["intercept"]), float(body["threshold"]),
                   meta)


def fit_confidence(rows: np.ndarray, correct: np.ndarray, *, target_precision: float = 0.9,
                   c: float = 1.0) -> MatchConfidence:
    """Fit the curve on ``rows`` (one :func:`confidence_features` row per query) and pick
    the lowest threshold whose flagged queries are right ``target_precision`` of the time."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, max_iter=5000).fit(rows, correct.astype(int))
    coef, intercept = model.coef_[0], float(model.intercept_[0])
    probs = 1.0 / (1.0 + np.exp(-(rows @ coef + intercept)))
    threshold = choose_threshold(probs, correct, target_precision)
    return MatchConfidence(coef, intercept, threshold)


def choose_threshold(probs: np.ndarray, correct: np.ndarray, target_precision: float) -> float:
    """The lowest probability ``t`` at which the queries with probability >= ``t`` are
    right at least ``target_precision`` of the time, counting their precision by the lower
    end of its 95% Wilson interval (a margin for queries unlike the training ones); 1.0
    when no such set exists."""
    order = np.argsort(-probs, kind="stable")
    hits = np.cumsum(np.asarray(correct, dtype=np.float64)[order])
    n = np.arange(1, len(order) + 1)
    ok = np.flatnonzero(wilson_lower(hits, n) >= target_precision)
    return float(probs[order][ok[-1]]) if ok.size else 1.0


def wilson_lower(hits: np.ndarray, n: np.ndarray, z: float = 1.96) -> np.ndarray:
    """Lower end of the Wilson score interval of ``hits / n``."""
    p = hits / n
    centre = p + z * z / (2 * n)
    spread = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - spread) / (1 + z * z / n)


_DEFAULT: MatchConfidence | None = None


def default_confidence() -> MatchConfidence:
    """The committed calibration (read once per process)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = MatchConfidence.load(DEFAULT_CONFIDENCE_PATH)
    return _DEFAULT

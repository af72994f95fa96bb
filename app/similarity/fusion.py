"""Fusion: one score per candidate from its signals (text cosine, title cosine, lexical).

A fusion reads only :class:`Candidates`, the per-candidate signals of one query, never
the whole collection. So the candidates may come from anywhere: the exact in-memory
index or an ANN index for the cosines, the in-process BM25 or the database's full-text
search for the lexical score. What it needs is that, for each signal, the candidates
include that signal's top ``depth`` documents (its own "top list"); statistics are
taken over those top lists, so a deeper pool does not change the scores.

Two fusions:

* :class:`LearnedFusion` (the default): a linear model over scale-free features of each
  signal (the value, its z-score and gap against the signal's top list, the reciprocal
  log rank, and for the lexical score its share of the best), trained pairwise on the
  CLEF-2020 2a *train* queries by ``python -m app.similarity train-fusion``; the weights
  are a small JSON in ``app/similarity/data/``.
* :class:`ZScoreFusion`: fixed weights over z-scores against the top lists (the older
  rule ``z(cos) + title * z(title cos) + lexical * z(lexical)``).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_FUSION_PATH = DATA_DIR / "fusion.json"
DEFAULT_DEPTH = 50

SIGNALS = ("cosine", "title_cosine", "lexical")


@dataclass(frozen=True)
class Candidates:
    """The signals of one query's candidate documents, aligned arrays.

    Attributes:
        ids: Document ids.
        cosine: Cosine of the query to each document's text.
        title_cosine: Cosine to its title (the text cosine when it has no title).
        lexical: A lexical relevance score, higher is better, 0 when the document does not
            match (BM25 in process, or a database's full-text rank).
    """

    ids: np.ndarray
    cosine: np.ndarray
    title_cosine: np.ndarray
    lexical: np.ndarray

    def __post_init__(self) -> None:
        n = len(self.ids)
        for name in SIGNALS:
            if len(getattr(self, name)) != n:
                raise ValueError(f"{name} has {len(getattr(self, name))} values for {n} ids")

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def build(cls, ids, cosine, title_cosine=None, lexical=None) -> "Candidates":
        """Candidates from plain sequences; a missing title cosine is the text cosine, a
        missing lexical score 0."""
        cosine = np.asarray(cosine, dtype=np.float64)
        return cls(
            ids=np.asarray(ids, dtype=np.int64),
            cosine=cosine,
            title_cosine=cosine if title_cosine is None else np.asarray(title_cosine, dtype=np.float64),
            lexical=np.zeros_like(cosine) if lexical is None else np.asarray(lexical, dtype=np.float64),
        )


class Fusion(Protocol):
    """Anything that scores candidates (higher is better)."""

    depth: int

    def scores(self, candidates: Candidates) -> np.ndarray: ...


def _top_stats(values: np.ndarray, depth: int) -> tuple[float, float, float]:
    """Mean, std and max of the ``depth`` largest values (positive ones for the lexical score)."""
    if values.size == 0:
        return 0.0, 1.0, 0.0
    top = np.sort(values)[::-1][:depth]
    std = float(top.std())
    return float(top.mean()), std if std > 1e-9 else 1.0, float(top[0])


def _ranks(values: np.ndarray) -> np.ndarray:
    """1-based rank of each value among the candidates (ties: the earlier position first)."""
    order = np.lexsort((np.arange(values.size), -values))
    ranks = np.empty(values.size, dtype=np.float64)
    ranks[order] = np.arange(1, values.size + 1)
    return ranks


FEATURES = (
    "cos", "cos_z", "cos_gap", "cos_rr",
    "title", "title_z", "title_gap", "title_rr",
    "lex_share", "lex_z", "lex_rr",
)


def features(candidates: Candidates, depth: int = DEFAULT_DEPTH) -> np.ndarray:
    """The ``(n, len(FEATURES))`` feature matrix of the candidates.

    Per dense signal: the cosine, its z-score against the signal's top ``depth``, its gap
    to the best, and ``1 / log2(1 + rank)`` for ranks within ``depth`` (0 below). For the
    lexical score, which may come on any scale: its share of the best, its z-score
    against the top matches, and the same reciprocal rank; all 0 where it does not match.
    """
    n = len(candidates)
    out = np.zeros((n, len(FEATURES)), dtype=np.float64)
    if n == 0:
        return out
    col = 0
    for values in (candidates.cosine, candidates.title_cosine):
        values = np.asarray(values, dtype=np.float64)
        mean, std, best = _top_stats(values, depth)
        ranks = _ranks(values)
        out[:, col] = values
        out[:, col + 1] = (values - mean) / std
        out[:, col + 2] = values - best
        out[:, col + 3] = np.where(ranks <= depth, 1.0 / np.log2(1.0 + ranks), 0.0)
        col += 4
    lexical = np.asarray(candidates.lexical, dtype=np.float64)
    matched = lexical > 0
    if matched.any():
        mean, std, best = _top_stats(lexical[matched], depth)
        ranks = _ranks(lexical)
        out[:, col] = np.where(matched, lexical / best, 0.0)
        out[:, col + 1] = np.where(matched, (lexical - mean) / std, (0.0 - mean) / std)
        out[:, col + 2] = np.where(matched & (ranks <= depth), 1.0 / np.log2(1.0 + ranks), 0.0)
    return out


@dataclass(frozen=True)
class LearnedFusion:
    """A linear score over :func:`features` (weights learned pairwise on train queries)."""

    weights: np.ndarray
    depth: int = DEFAULT_DEPTH
    meta: dict = field(default_factory=dict, compare=False)

    def scores(self, candidates: Candidates) -> np.ndarray:
        return features(candidates, self.depth) @ self.weights

    def save(self, path: str | Path, **meta) -> None:
        body = {"kind": "learned", "features": list(FEATURES), "depth": self.depth,
                "weights": [round(float(w), 6) for w in self.weights], **self.meta, **meta}
        Path(path).write_text(json.dumps(body, indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path = DEFAULT_FUSION_PATH) -> "LearnedFusion":
        body = json.loads(Path(path).read_text(encoding="utf-8"))
        if tuple(body.get("features", ())) != FEATURES:
            raise ValueError(f"{path} holds weights for other features; run "
                             "`python -m app.similarity train-fusion`")
        meta = {k: v for k, v in body.items() if k not in ("kind", "features", "depth", "weights")}
        return cls(np.asarray(body["weights"], dtype=np.float64), int(body["depth"]), meta)


@dataclass(frozen=True)
class ZScoreFusion:
    """``z(cos) + title * z(title cos) + lexical * z(lexical)``, z against each top list."""

    title: float = 0.6
    lexical: float = 0.25
    depth: int = DEFAULT_DEPTH

    def scores(self, candidates: Candidates) -> np.ndarray:
        f = features(candidates, self.depth)
        return (f[:, FEATURES.index("cos_z")] + self.title * f[:, FEATURES.index("title_z")]
                + self.lexical * f[:, FEATURES.index("lex_z")])


_DEFAULT: LearnedFusion | None = None


def default_fusion() -> LearnedFusion:
    """The committed learned fusion (read once per process)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = LearnedFusion.load(DEFAULT_FUSION_PATH)
    return _DEFAULT


def pairwise_training_rows(groups: Sequence[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Difference rows for pairwise logistic regression.

    Args:
        groups: Per query, ``(feature matrix of its candidates, boolean relevance)``.

    Returns:
        ``(X, y)``: for each relevant candidate and each other candidate of its query,
        the row ``relevant - other`` labelled 1 and its negation labelled 0.
    """
    rows, labels = [], []
    for feats, relevant in groups:
        relevant = np.asarray(relevant, dtype=bool)
        if not relevant.any() or relevant.all():
            continue
        for i in np.flatnonzero(relevant):
            diff = feats[i] - feats[~relevant]
            rows += [diff, -diff]
            labels += [1] * len(diff) + [0] * len(diff)
    if not rows:
        raise ValueError("no query has both a relevant and an irrelevant candidate")
    return np.vstack(rows), np.array(labels)

"""Hybrid ranking: dense cosine (claim text, optional title) fused with BM25 by z-scores.

Each signal is turned into a z-score over the whole collection for the query at hand,
then summed with fixed weights::

    score = z(cos(query, text)) + title * z(cos(query, title)) + lexical * z(BM25(text + title))

The weights in :data:`DEFAULT_WEIGHTS` were chosen by grid search on the CLEF-2020
CheckThat! 2a *train* queries (not dev). Only candidates that are in the top ``pool``
of at least one signal are fused, so a query costs two matrix-vector products, one
sparse BM25 pass and some O(n) statistics.
"""
from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from typing import Collection, Iterable, NamedTuple, Sequence

import numpy as np

from app.similarity.index import VectorIndex, top_k
from app.similarity.lexical import BM25Index, tokenize
from app.similarity.text import clean_query_text

__all__ = ["DEFAULT_WEIGHTS", "FusionWeights", "HybridRanker", "Match", "clean_query_text", "fuse", "zscore_stats"]


@dataclass(frozen=True)
class FusionWeights:
    """Weights of the z-scored signals relative to the text cosine (weight 1)."""

    title: float = 0.6
    lexical: float = 0.25


# Chosen on CLEF-2020 2a train (800 tweets) by grid search, see bench notes in the report.
DEFAULT_WEIGHTS = FusionWeights(title=0.6, lexical=0.25)


class Match(NamedTuple):
    """One ranked document: fused score first, then the raw signals behind it."""

    id: int
    score: float
    cosine: float
    title_cosine: float | None
    bm25: float


def zscore_stats(values: np.ndarray, n: int) -> tuple[float, float]:
    """Mean and std of ``values`` padded with zeros up to ``n`` entries (a signal's
    statistics over a collection of ``n`` documents, or over a sample of ``n``)."""
    if n <= 0:
        return 0.0, 1.0
    total = float(values.sum(dtype=np.float64))
    mean = total / n
    var = float(np.square(values, dtype=np.float64).sum()) / n - mean * mean
    return mean, max(var, 0.0) ** 0.5


def fuse(
    cosine: np.ndarray,
    lexical: np.ndarray,
    stats: dict[str, tuple[float, float]],
    *,
    title_cosine: np.ndarray | None = None,
    weights: FusionWeights = DEFAULT_WEIGHTS,
) -> np.ndarray:
    """Fused scores of candidates from their explicit signals.

    Args:
        cosine: Each candidate's cosine to the query (text vectors).
        lexical: Each candidate's lexical score (BM25 or the database's full-text rank).
        stats: ``(mean, std)`` of each signal over the collection for this query, under
            ``"cos"``, ``"bm25"`` and (with titles) ``"title"``: see :func:`zscore_stats`.
        title_cosine: Each candidate's cosine to its title, or None (no title signal).
        weights: Weights of title and lexical z-scores relative to the text cosine's.

    Returns:
        ``z(cos) + title * z(title cos) + lexical * z(lexical)`` per candidate.
    """
    def z(values: np.ndarray, key: str) -> np.ndarray:
        mean, std = stats[key]
        return (values - mean) / std if std > 0 else np.zeros_like(values)

    fused = z(np.asarray(cosine, dtype=np.float32), "cos")
    if title_cosine is not None and weights.title != 0:
        fused = fused + weights.title * z(np.asarray(title_cosine, dtype=np.float32), "title")
    if weights.lexical != 0:
        fused = fused + weights.lexical * z(np.asarray(lexical, dtype=np.float32), "bm25")
    return fused


def _lookup(ids: np.ndarray, values: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Values of ``wanted`` ids from a sparse ``(ids, values)`` pair, 0 where absent."""
    out = np.zeros(wanted.shape[0], dtype=np.float32)
    if ids.size == 0:
        return out
    order = np.argsort(ids, kind="stable")
    sorted_ids = ids[order]
    pos = np.minimum(np.searchsorted(sorted_ids, wanted), sorted_ids.size - 1)
    found = sorted_ids[pos] == wanted
    out[found] = values[order[pos[found]]]
    return out


class HybridRanker:
    """A searchable collection of documents (claims or evidence) for one embedding model.

    Holds a :class:`VectorIndex` of text vectors, an optional one of title vectors, and
    a :class:`BM25Index` of text + title. Keep one instance per collection and model in
    memory, fill it from stored ``(id, text, vector)`` rows at start, and call ``add``
    / ``remove`` as documents are ingested, edited or deleted. Methods take an internal
    lock, so web threads may rank while another thread edits.

    Args:
        dim: Dimension of the embedding model's vectors.
        weights: Fusion weights (see :class:`FusionWeights`).
        pool: Candidates taken from the top of each signal before fusing.
    """

    def __init__(self, dim: int, *, weights: FusionWeights = DEFAULT_WEIGHTS, pool: int = 100):
        self.dim = int(dim)
        self.weights = weights
        self.pool = int(pool)
        self.text_index = VectorIndex(self.dim)
        self.title_index = VectorIndex(self.dim)
        self.lexical = BM25Index()
        self._lock = threading.RLock()

    @classmethod
    def from_rows(
        cls,
        dim: int,
        rows: Iterable[tuple[int, str, np.ndarray]],
        *,
        weights: FusionWeights = DEFAULT_WEIGHTS,
        pool: int = 100,
    ) -> "HybridRanker":
        """Build a ranker from ``(id, text, vector)`` rows, e.g. read from the database."""
        ranker = cls(dim, weights=weights, pool=pool)
        ids, texts, vectors = [], [], []
        for id_, text, vector in rows:
            ids.append(id_)
            texts.append(text)
            vectors.append(np.asarray(vector, dtype=np.float32))
        if ids:
            ranker.add(ids, texts, np.stack(vectors))
        return ranker

    def __len__(self) -> int:
        return len(self.text_index)

    def __contains__(self, id_: object) -> bool:
        return id_ in self.text_index

    def __repr__(self) -> str:
        return f"HybridRanker(dim={self.dim}, size={len(self)}, weights={self.weights})"

    @property
    def nbytes(self) -> int:
        """Bytes held by the vector matrices (the BM25 dictionaries are not counted)."""
        return self.text_index.nbytes + self.title_index.nbytes

    def add(
        self,
        ids: Sequence[int],
        texts: Sequence[str],
        vectors: np.ndarray,
        *,
        titles: Sequence[str | None] | None = None,
        title_vectors: np.ndarray | None = None,
    ) -> None:
        """Add or replace documents.

        Args:
            ids: Integer ids (re-adding an id replaces the document, title included).
            texts: The document texts (used for BM25).
            vectors: ``(len(ids), dim)`` embeddings of the texts.
            titles: Optional titles, ``None`` for documents without one.
            title_vectors: Embeddings of the titles, rows for ``None`` titles ignored;
                required when any title is given.
        """
        with self._lock:
            self._add(ids, texts, vectors, titles, title_vectors)

    def _add(self, ids, texts, vectors, titles, title_vectors) -> None:
        ids = [int(i) for i in ids]
        if len(texts) != len(ids):
            raise ValueError("ids and texts differ in length")
        titles = list(titles) if titles is not None else [None] * len(ids)
        if len(titles) != len(ids):
            raise ValueError("ids and titles differ in length")
        with_title = [i for i, title in enumerate(titles) if title]
        if with_title and title_vectors is None:
            raise ValueError("titles given without title_vectors")
        self.text_index.add(ids, vectors)
        self.title_index.remove(ids)
        if with_title:
            title_vectors = np.asarray(title_vectors)
            self.title_index.add([ids[i] for i in with_title], title_vectors[with_title])
        for id_, text, title in zip(ids, texts, titles):
            self.lexical.add_terms(id_, tokenize(f"{text} {title}" if title else text))

    def remove(self, ids: Iterable[int]) -> None:
        """Remove documents; unknown ids are ignored."""
        ids = [int(i) for i in ids]
        with self._lock:
            self.text_index.remove(ids)
            self.title_index.remove(ids)
            self.lexical.remove(ids)

    def rank(
        self,
        query_text: str,
        query_vector: np.ndarray,
        k: int = 10,
        *,
        exclude: Collection[int] = (),
    ) -> list[Match]:
        """Rank stored documents against one query.

        Args:
            query_text: The query as text (already cleaned with :func:`clean_query_text`
                if it is social-media text), used for BM25.
            query_vector: Its embedding from the same model as the stored vectors.
            k: Number of matches to return at most.
            exclude: Ids to leave out (e.g. the query document itself).

        Returns:
            Up to ``k`` :class:`Match` tuples, best first.
        """
        terms = tokenize(query_text)
        with self._lock:
            return self._rank(terms, query_vector, k, exclude)

    def related(self, id_: int, k: int = 5, *, exclude: Collection[int] = ()) -> list[Match]:
        """Rank the documents most related to a stored document, leaving it out.

        Uses the stored text vector and the stored BM25 terms of ``id_``, so no model is
        needed. Raises ``KeyError`` if ``id_`` is not in the ranker.
        """
        id_ = int(id_)
        with self._lock:
            return self._rank(
                self.lexical.terms_of(id_), self.text_index.get(id_), k, {id_, *map(int, exclude)}
            )

    def _rank(
        self, terms: Sequence[str] | Counter, vector: np.ndarray, k: int, exclude: Collection[int]
    ) -> list[Match]:
        n = len(self.text_index)
        if k <= 0 or n == 0:
            return []
        w = self.weights
        row_ids = self.text_index.ids
        cos = self.text_index.similarities(vector)
        pool = self.pool + len(exclude)
        candidates = [row_ids[top_k(cos, pool)]]
        stats = {"cos": zscore_stats(cos, n)}

        use_title = w.title != 0 and len(self.title_index) > 0
        if use_title:
            title_cos = self.title_index.similarities(vector)
            title_ids = self.title_index.ids
            candidates.append(title_ids[top_k(title_cos, pool)])
            # Documents without a title count with their text cosine as title cosine.
            missing = n - len(self.title_index)
            if missing:
                has_title = np.isin(row_ids, title_ids)
                stats["title"] = zscore_stats(np.concatenate([title_cos, cos[~has_title]]), n)
            else:
                stats["title"] = zscore_stats(title_cos, n)

        use_lexical = w.lexical != 0
        if use_lexical:
            bm_ids, bm_scores = self.lexical.score_all(terms)
        else:
            bm_ids, bm_scores = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        if bm_ids.size:
            candidates.append(bm_ids[top_k(bm_scores, pool)])
        stats["bm25"] = zscore_stats(bm_scores, n)

        pool_ids = np.unique(np.concatenate(candidates))
        if exclude:
            pool_ids = pool_ids[~np.isin(pool_ids, np.fromiter(map(int, exclude), dtype=np.int64))]
        if pool_ids.size == 0:
            return []

        pool_cos = cos[self.text_index.rows(pool_ids)]
        pool_title = None
        if use_title:
            pool_title = np.array(
                [
                    title_cos[self.title_index.rows([i])[0]] if i in self.title_index else c
                    for i, c in zip(pool_ids.tolist(), pool_cos.tolist())
                ],
                dtype=np.float32,
            )
        pool_bm = _lookup(bm_ids, bm_scores, pool_ids)
        fused = fuse(pool_cos, pool_bm if use_lexical else np.zeros_like(pool_bm), stats,
                     title_cosine=pool_title, weights=w)

        best = top_k(fused, k)
        return [
            Match(
                id=int(pool_ids[i]),
                score=float(fused[i]),
                cosine=float(pool_cos[i]),
                title_cosine=None if pool_title is None else float(pool_title[i]),
                bm25=float(pool_bm[i]),
            )
            for i in best
        ]

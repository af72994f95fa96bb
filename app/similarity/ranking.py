"""Hybrid ranking: dense cosine (claim text, optional title) and BM25, fused per candidate.

A query gathers candidates (the top ``pool`` documents by text cosine, by title cosine
and by BM25), reads each candidate's signals into :class:`~app.similarity.fusion.Candidates`
and lets a :class:`~app.similarity.fusion.Fusion` score them. The default fusion is the
learned one committed in ``app/similarity/data/fusion.json`` (trained on the CLEF-2020
CheckThat! 2a *train* queries, see :mod:`app.similarity.fusion`); ``weights=FusionWeights(...)``
selects the fixed z-score rule instead. The lexical hits can come from outside
(``lexical_hits=``, e.g. a database's full-text search) instead of the in-process BM25.
"""
from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from typing import Collection, Iterable, NamedTuple, Sequence

import numpy as np

from app.similarity.fusion import Candidates, Fusion, ZScoreFusion, default_fusion
from app.similarity.index import VectorIndex, top_k
from app.similarity.lexical import BM25Index, tokenize
from app.similarity.text import clean_query_text

__all__ = ["DEFAULT_WEIGHTS", "FusionWeights", "HybridRanker", "Match", "clean_query_text"]


@dataclass(frozen=True)
class FusionWeights:
    """Weights of the z-scored signals relative to the text cosine (weight 1), for
    :class:`~app.similarity.fusion.ZScoreFusion`."""

    title: float = 0.6
    lexical: float = 0.25

    def fusion(self) -> ZScoreFusion:
        return ZScoreFusion(title=self.title, lexical=self.lexical)


# The fixed rule's weights, chosen on CLEF-2020 2a train (800 tweets) by grid search.
DEFAULT_WEIGHTS = FusionWeights(title=0.6, lexical=0.25)


class Match(NamedTuple):
    """One ranked document: fused score first, then the raw signals behind it."""

    id: int
    score: float
    cosine: float
    title_cosine: float | None
    bm25: float  # the lexical score (BM25 in process, or what ``lexical_hits`` gave)


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
        weights: Use the fixed z-score rule with these weights instead of ``fusion``.
        fusion: How candidates are scored (default: the committed learned fusion).
        pool: Candidates taken from the top of each signal before fusing (at least the
            fusion's ``depth``).
    """

    def __init__(
        self,
        dim: int,
        *,
        weights: FusionWeights | None = None,
        fusion: Fusion | None = None,
        pool: int = 100,
    ):
        if weights is not None and fusion is not None:
            raise ValueError("give weights or fusion, not both")
        self.dim = int(dim)
        self.weights = weights
        self.fusion: Fusion = fusion or (weights.fusion() if weights is not None else default_fusion())
        self.pool = max(int(pool), int(self.fusion.depth))
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
        weights: FusionWeights | None = None,
        fusion: Fusion | None = None,
        pool: int = 100,
    ) -> "HybridRanker":
        """Build a ranker from ``(id, text, vector)`` rows, e.g. read from the database."""
        ranker = cls(dim, weights=weights, fusion=fusion, pool=pool)
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
        return f"HybridRanker(dim={self.dim}, size={len(self)}, fusion={self.fusion})"

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
        lexical_hits: tuple[Sequence[int], Sequence[float]] | None = None,
    ) -> list[Match]:
        """Rank stored documents against one query.

        Args:
            query_text: The query as text (already cleaned with :func:`clean_query_text`
                if it is social-media text), used for BM25.
            query_vector: Its embedding from the same model as the stored vectors.
            k: Number of matches to return at most.
            exclude: Ids to leave out (e.g. the query document itself).
            lexical_hits: ``(ids, scores)`` of a lexical search done elsewhere (e.g. the
                database's full-text search; at least its top ``pool``), used instead of
                the in-process BM25.

        Returns:
            Up to ``k`` :class:`Match` tuples, best first.
        """
        terms = tokenize(query_text) if lexical_hits is None else None
        with self._lock:
            return self._rank(terms, query_vector, k, exclude, lexical_hits)

    def related(self, id_: int, k: int = 5, *, exclude: Collection[int] = ()) -> list[Match]:
        """Rank the documents most related to a stored document, leaving it out.

        Uses the stored text vector and the stored BM25 terms of ``id_``, so no model is
        needed. Raises ``KeyError`` if ``id_`` is not in the ranker.
        """
        id_ = int(id_)
        with self._lock:
            return self._rank(
                self.lexical.terms_of(id_), self.text_index.get(id_), k, {id_, *map(int, exclude)}, None
            )

    def candidates(
        self,
        terms: Sequence[str] | Counter | None,
        vector: np.ndarray,
        exclude: Collection[int] = (),
        lexical_hits: tuple[Sequence[int], Sequence[float]] | None = None,
    ) -> Candidates:
        """The union of each signal's top ``pool`` (less ``exclude``) with all their signals.

        ``lexical_hits`` replaces the in-process BM25 over ``terms`` when given.
        """
        with self._lock:
            return self._candidates(terms, vector, exclude, lexical_hits)

    def _candidates(self, terms, vector, exclude, lexical_hits) -> Candidates:
        empty = Candidates.build([], [])
        if len(self.text_index) == 0:
            return empty
        row_ids = self.text_index.ids
        cos = self.text_index.similarities(vector)
        pool = self.pool + len(exclude)
        lists = [row_ids[top_k(cos, pool)]]
        has_titles = len(self.title_index) > 0
        if has_titles:
            title_cos = self.title_index.similarities(vector)
            title_ids = self.title_index.ids
            # Documents without a title count with their text cosine as title cosine.
            no_title = ~np.isin(row_ids, title_ids)
            all_title_ids = np.concatenate([title_ids, row_ids[no_title]])
            all_title_cos = np.concatenate([title_cos, cos[no_title]])
            lists.append(all_title_ids[top_k(all_title_cos, pool)])
        if lexical_hits is not None:
            bm_ids = np.asarray(lexical_hits[0], dtype=np.int64)
            bm_scores = np.asarray(lexical_hits[1], dtype=np.float32)
            known = np.isin(bm_ids, row_ids)
            bm_ids, bm_scores = bm_ids[known], bm_scores[known]
        elif terms:
            bm_ids, bm_scores = self.lexical.score_all(terms)
        else:
            bm_ids, bm_scores = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        if bm_ids.size:
            lists.append(bm_ids[top_k(bm_scores, pool)])
        ids = np.unique(np.concatenate(lists))
        if exclude:
            ids = ids[~np.isin(ids, np.fromiter(map(int, exclude), dtype=np.int64))]
        if ids.size == 0:
            return empty
        pool_cos = cos[self.text_index.rows(ids)]
        pool_title = pool_cos
        if has_titles:
            pool_title = np.array(
                [title_cos[self.title_index.rows([i])[0]] if i in self.title_index else c
                 for i, c in zip(ids.tolist(), pool_cos.tolist())], dtype=np.float32)
        return Candidates.build(ids, pool_cos, pool_title, _lookup(bm_ids, bm_scores, ids))

    def _rank(self, terms, vector, k, exclude, lexical_hits) -> list[Match]:
        if k <= 0 or len(self.text_index) == 0:
            return []
        found = self._candidates(terms, vector, exclude, lexical_hits)
        if len(found) == 0:
            return []
        fused = self.fusion.scores(found)
        has_titles = len(self.title_index) > 0
        return [
            Match(
                id=int(found.ids[i]),
                score=float(fused[i]),
                cosine=float(found.cosine[i]),
                title_cosine=float(found.title_cosine[i]) if has_titles else None,
                bm25=float(found.lexical[i]),
            )
            for i in top_k(fused, k)
        ]

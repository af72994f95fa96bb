"""BM25 lexical index that supports add and remove, for the hybrid ranker."""
from __future__ import annotations

import math
import re
from array import array
from collections import Counter
from typing import Collection, Iterable, Sequence

import numpy as np

_TOKEN = re.compile(r"[a-z0-9]+")

# A small English stop list: function words that carry no topic.
STOP_WORDS = frozenset(
    """a about after all also am an and any are as at be been being but by can could did do
    does doing for from had has have having he her here hers him his how i if in into is it
    its just me more most my no nor not of off on once only or other our ours out over own
    s same she should so some such t than that the their theirs them then there these they
    this those through to too under until up very was we were what when where which while
    who whom why will with would you your yours""".split()
)


def tokenize(text: str) -> list[str]:
    """Lowercase ``text`` and return its alphanumeric tokens, stop words removed.

    A trailing plural/possessive ``s`` is dropped from words longer than three letters
    (``claims`` -> ``claim``), a cheap stand-in for stemming.
    """
    tokens = []
    for token in _TOKEN.findall(text.lower().replace("’", "'")):
        if token in STOP_WORDS:
            continue
        if len(token) > 3 and token.endswith("s") and not token.endswith("ss"):
            token = token[:-1]
        tokens.append(token)
    return tokens


class BM25Index:
    """Okapi BM25 over integer ids, kept up to date by ``add``/``remove``.

    Statistics (document frequencies, average length) always reflect the current
    documents; IDF is the always-positive ``log(1 + (N - df + 0.5) / (df + 0.5))``.

    Storage is compact: each document holds a slot (freed slots are reused); each term
    keeps its postings as two ``array('i')`` (slots, term counts) so a query over the
    whole collection is a few vectorised numpy operations per query term, and removing
    a document is a C-speed scan of its terms' postings plus a swap with the last entry.
    """

    def __init__(self, *, k1: float = 1.5, b: float = 0.75):
        self.k1 = k1
        self.b = b
        self._slot_of: dict[int, int] = {}
        self._slot_ids = np.zeros(64, dtype=np.int64)
        self._lengths = np.zeros(64, dtype=np.float32)
        self._free: list[int] = []
        self._used = 0  # slots ever handed out (live + free)
        self._doc_terms: dict[int, array] = {}  # slot -> [term id, count, term id, count, ...]
        self._term_id: dict[str, int] = {}
        self._terms: list[str] = []
        self._post_slots: list[array] = []  # term id -> slots holding the term
        self._post_tfs: list[array] = []  # term id -> counts, aligned with _post_slots
        self._arrays: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # lazy numpy copies
        self._total_len = 0

    def __len__(self) -> int:
        return len(self._slot_of)

    def __contains__(self, id_: object) -> bool:
        return id_ in self._slot_of

    def __repr__(self) -> str:
        return f"BM25Index(size={len(self)}, terms={len(self._terms)})"

    @property
    def avgdl(self) -> float:
        """Average document length in tokens (1.0 when empty)."""
        return self._total_len / len(self._slot_of) if self._slot_of and self._total_len else 1.0

    def _new_slot(self) -> int:
        if self._free:
            return self._free.pop()
        if self._used == self._slot_ids.shape[0]:
            self._slot_ids = np.concatenate([self._slot_ids, np.zeros_like(self._slot_ids)])
            self._lengths = np.concatenate([self._lengths, np.zeros_like(self._lengths)])
        self._used += 1
        return self._used - 1

    def _intern(self, term: str) -> int:
        tid = self._term_id.get(term)
        if tid is None:
            tid = self._term_id[term] = len(self._terms)
            self._terms.append(term)
            self._post_slots.append(array("i"))
            self._post_tfs.append(array("i"))
        return tid

    def add(self, ids: Sequence[int], texts: Sequence[str]) -> None:
        """Index texts under ids; re-adding an id replaces its text."""
        if len(ids) != len(texts):
            raise ValueError("ids and texts differ in length")
        for id_, text in zip(ids, texts):
            self.add_terms(int(id_), tokenize(text))

    def add_terms(self, id_: int, terms: Sequence[str]) -> None:
        """Index an already tokenised document under ``id_`` (replacing any old one)."""
        id_ = int(id_)
        self.remove([id_])
        slot = self._slot_of[id_] = self._new_slot()
        packed = array("i")
        for term, count in Counter(terms).items():
            tid = self._intern(term)
            packed.extend((tid, count))
            self._post_slots[tid].append(slot)
            self._post_tfs[tid].append(count)
            self._arrays.pop(tid, None)
        self._doc_terms[slot] = packed
        self._slot_ids[slot] = id_
        self._lengths[slot] = len(terms)
        self._total_len += len(terms)

    def remove(self, ids: Iterable[int]) -> None:
        """Drop ids from the index; unknown ids are ignored."""
        for id_ in ids:
            slot = self._slot_of.pop(int(id_), None)
            if slot is None:
                continue
            packed = self._doc_terms.pop(slot)
            for tid in packed[::2]:
                slots, tfs = self._post_slots[tid], self._post_tfs[tid]
                at = slots.index(slot)
                slots[at], tfs[at] = slots[-1], tfs[-1]
                slots.pop()
                tfs.pop()
                self._arrays.pop(tid, None)
            self._total_len -= int(self._lengths[slot])
            self._lengths[slot] = 0.0
            self._free.append(slot)

    def terms_of(self, id_: int) -> Counter:
        """The term counts stored for ``id_`` (KeyError if absent)."""
        packed = self._doc_terms[self._slot_of[int(id_)]]
        return Counter({self._terms[tid]: count for tid, count in zip(packed[::2], packed[1::2])})

    def _df(self, tid: int) -> int:
        return len(self._post_slots[tid])

    def idf(self, term: str) -> float:
        """Inverse document frequency of one (already tokenised) term."""
        tid = self._term_id.get(term)
        df = 0 if tid is None else self._df(tid)
        return math.log(1.0 + (len(self._slot_of) - df + 0.5) / (df + 0.5))

    def _query_weights(self, query: str | Sequence[str] | Counter) -> dict[int, float]:
        """Term id -> idf x query count, for query terms present in the index."""
        if isinstance(query, str):
            query = tokenize(query)
        counts = query if isinstance(query, Counter) else Counter(query)
        n = len(self._slot_of)
        weights = {}
        for term, count in counts.items():
            tid = self._term_id.get(term)
            if tid is not None and (df := self._df(tid)):
                weights[tid] = math.log(1.0 + (n - df + 0.5) / (df + 0.5)) * count
        return weights

    def _posting_arrays(self, tid: int) -> tuple[np.ndarray, np.ndarray]:
        arrays = self._arrays.get(tid)
        if arrays is None:
            arrays = self._arrays[tid] = (
                np.array(self._post_slots[tid], dtype=np.intp),
                np.array(self._post_tfs[tid], dtype=np.float32),
            )
        return arrays

    def score_all(self, query: str | Sequence[str] | Counter) -> tuple[np.ndarray, np.ndarray]:
        """Score every document that shares a term with ``query``.

        Args:
            query: Query text, a list of tokens, or a ``Counter`` of tokens.

        Returns:
            ``(ids, scores)``: int64 ids and float32 scores of the documents with a
            non-zero score, in no particular order. All other documents score 0.
        """
        weights = self._query_weights(query)
        if not weights:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        acc = np.zeros(self._used, dtype=np.float32)
        norm = self.k1 * (1.0 - self.b + self.b * self._lengths[: self._used] / self.avgdl)
        for tid, weight in weights.items():
            slots, tf = self._posting_arrays(tid)
            acc[slots] += weight * tf * (self.k1 + 1.0) / (tf + norm[slots])
        hit = np.flatnonzero(acc)
        return self._slot_ids[hit], acc[hit]

    def scores(self, query: str | Sequence[str] | Counter, ids: Sequence[int]) -> np.ndarray:
        """BM25 score of ``query`` for each of ``ids`` (0 for ids not in the index).

        Returns:
            A float32 array aligned with ``ids``.
        """
        out = np.zeros(len(ids), dtype=np.float32)
        weights = self._query_weights(query)
        if not weights:
            return out
        avgdl = self.avgdl
        for i, id_ in enumerate(ids):
            slot = self._slot_of.get(int(id_))
            if slot is None:
                continue
            packed = self._doc_terms[slot]
            tf = dict(zip(packed[::2], packed[1::2]))
            norm = self.k1 * (1.0 - self.b + self.b * float(self._lengths[slot]) / avgdl)
            out[i] = sum(w * tf[t] * (self.k1 + 1.0) / (tf[t] + norm) for t, w in weights.items() if t in tf)
        return out

    def search(
        self, query: str | Sequence[str] | Counter, k: int = 5, exclude: Collection[int] = ()
    ) -> list[tuple[int, float]]:
        """Return the ``k`` best-scoring ``(id, score)`` pairs, best first (score > 0 only)."""
        ids, scores = self.score_all(query)
        if exclude:
            keep = ~np.isin(ids, np.fromiter((int(i) for i in exclude), dtype=np.int64))
            ids, scores = ids[keep], scores[keep]
        order = np.lexsort((ids, -scores))[: max(k, 0)]
        return [(int(ids[i]), float(scores[i])) for i in order]

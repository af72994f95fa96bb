"""Keep each process's in-memory ranker in step with the embeddings table.

Embedding rows are immutable (an edit writes a new row), so a process catches up by
loading the rows it has not seen. It looks at the ids above the highest it has seen less a
margin (a transaction that committed late may hold a lower id than rows already read); a
periodic count check rebuilds after deletions or anything the margin missed.
Every gunicorn worker holds its own copy and syncs before each lookup.
"""
from __future__ import annotations

import threading
import time
from typing import Iterator, Optional

import numpy as np
import sqlalchemy as sa

from app.extensions import db
from app.models import Claim, Embedding, Evidence
from app.similarity import HybridRanker, vector_from_bytes

ID_MARGIN = 256  # rows other transactions may insert while one ingest is still open (its write
#                   transaction is short: vectors are computed before it begins)
COUNT_CHECK_SECONDS = 30.0


def owner_text_column(kind: str):
    """The column whose text a ranker of ``kind`` indexes for BM25, and its table."""
    if kind == "claim":
        return Claim.content, Claim
    return sa.func.coalesce(Evidence.title, "") + " " + sa.func.coalesce(Evidence.excerpt, ""), Evidence


class RankerStore:
    """One model's ranker over claims or evidence, synced from the database."""

    def __init__(self, kind: str, model: str) -> None:
        self.kind, self.model = kind, model
        self.ranker: Optional[HybridRanker] = None
        self.seen: set[int] = set()
        self.max_seen = 0
        self.lock = threading.RLock()
        self._last_count_check = 0.0

    def _rows(self, where) -> Iterator[tuple[int, int, str, bytes]]:
        text, owner = owner_text_column(self.kind)
        stmt = (sa.select(Embedding.id, Embedding.owner_id, text, Embedding.vector, Embedding.dim)
                .join(owner, owner.id == Embedding.owner_id)
                .where(Embedding.model == self.model, Embedding.owner_kind == self.kind, where))
        yield from db.session.execute(stmt.execution_options(yield_per=2000))

    def _add_rows(self, rows) -> None:
        ids, texts, vectors = [], [], []
        for row_id, owner_id, text, blob, dim in rows:
            if self.ranker is None:
                self.ranker = HybridRanker(dim)
            self.seen.add(row_id)
            self.max_seen = max(self.max_seen, row_id)
            ids.append(owner_id)
            texts.append(text or "")
            vectors.append(vector_from_bytes(blob, dim))
            if len(ids) >= 5000:
                self.ranker.add(ids, texts, np.stack(vectors))
                ids, texts, vectors = [], [], []
        if ids:
            self.ranker.add(ids, texts, np.stack(vectors))

    def rebuild(self) -> None:
        """Load every stored vector of this model and kind."""
        self.ranker, self.seen, self.max_seen = None, set(), 0
        self._add_rows(self._rows(sa.true()))
        self._last_count_check = time.monotonic()

    def sync(self) -> Optional[HybridRanker]:
        """Catch up with rows written since the last look; the ranker, or None when empty."""
        with self.lock:
            if self.ranker is None:
                self.rebuild()
                return self.ranker
            floor = max(0, self.max_seen - ID_MARGIN)
            # A primary-key range (cheap on every backend); model and kind are checked here.
            recent = db.session.execute(sa.select(Embedding.id, Embedding.model, Embedding.owner_kind)
                                        .where(Embedding.id > floor)).all()
            missing = [i for i, model, kind in recent
                       if model == self.model and kind == self.kind and i not in self.seen]
            if missing:
                self._add_rows(self._rows(Embedding.id.in_(missing)))
            if time.monotonic() - self._last_count_check > COUNT_CHECK_SECONDS:
                self._last_count_check = time.monotonic()
                _text, owner = owner_text_column(self.kind)
                stored = db.session.scalar(
                    sa.select(sa.func.count(Embedding.id)).join(owner, owner.id == Embedding.owner_id)
                    .where(Embedding.model == self.model, Embedding.owner_kind == self.kind))
                if stored != len(self.ranker or ()):
                    self.rebuild()
            return self.ranker

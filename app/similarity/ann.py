"""A nearest-neighbour index kept in files that every process maps read-only (no Flask).

One directory holds one collection (say, the claims' text vectors under one model). A
*writer* (one process at a time, under an ``fcntl`` lock) publishes *generations*;
*readers* memory-map the live generation read-only, so every worker shares its pages,
and pick up a new one at their next :meth:`AnnReader.refresh` without a restart.

A generation is a *base* and a *journal*:

- the base is an HNSW graph (usearch) once the collection holds ``exact_below`` vectors
  or more, and a flat matrix searched exactly below that (as fast there, and exact).
  Above ``shard_size`` vectors the HNSW base is split into shards (key modulo the shard
  count), each its own graph, searched one after the other and merged. Dense
  neighbourhoods (many near-duplicates, as a million claims about the same events have)
  defeat one big graph: its search stops early, in the right place but short of a sixth of
  the true ten nearest (recall@10 0.84 at ef 64, 0.95 at ef 512); in shards each
  neighbourhood is thinner and the search finds them (0.998 at ef 64, bench/related.py).
  Keeping full-precision vectors to rescore more candidates does not help: the neighbours
  missed are not among the graph's candidates at all;
- the journal holds the changes since the base, as fixed-size ``(op, key, vector)``
  records appended by the writer: an add (or a replacement) hides the base's vector of
  that key, a delete is a tombstone. Readers search it exactly and merge;
- when the journal reaches ``journal_max`` records the writer *compacts*: it writes a new
  base holding everything (in a background thread) and swaps it in atomically.

Files in the directory::

    CURRENT               name of the live generation (e.g. ``g000007``), replaced atomically
    writer.lock           the writers' lock; readers never take it
    build.lock            held while a rebuild from the source of truth runs
    pending.journal       changes made while that rebuild runs (they go into its journal)
    gNNNNNN.json          what the generation holds: model, dim, base kind, counts
    gNNNNNN.usearch       the HNSW base (kind "hnsw"), or its shards
    gNNNNNN.sK.usearch    gNNNNNN.s0.usearch, .s1. ... when it has more than one
    gNNNNNN.keys.npy      the flat base's ids, sorted, and its unit vectors row by row
    gNNNNNN.vectors.npy   (kind "flat")
    gNNNNNN.sample.npy    ids and vectors of a fixed random sample of the collection, for
    gNNNNNN.sample_vectors.npy   the z-score statistics of the fusion
    gNNNNNN.journal       the changes since the base

Keys are non-negative integer ids (claim or evidence ids); similarities are cosines of
unit vectors.
"""
from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import re
import threading
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Collection, Iterable, Iterator, Optional, Sequence

import numpy as np

from app.similarity.index import normalize_rows, top_k

log = logging.getLogger(__name__)

FORMAT = 1
ADD, DELETE = 1, 2
_GENERATION = re.compile(r"^g(\d{6,})$")


def journal_dtype(dim: int) -> np.dtype:
    """One journal record: operation, key, and the key's vector (zeros for a delete)."""
    return np.dtype([("op", "<i8"), ("key", "<i8"), ("vector", "<f4", (dim,))])


@dataclass(frozen=True)
class AnnSettings:
    """How a collection is indexed.

    Args:
        exact_below: Below this many vectors the base is a flat matrix searched exactly.
        journal_max: Journal records that make the writer compact into a new base.
        sample_size: Vectors kept as the fixed random sample for z-score statistics.
        connectivity: HNSW edges per node ("M").
        expansion_add: HNSW search depth while inserting ("efConstruction").
        expansion_search: HNSW search depth while querying ("ef"); readers may override.
        dtype: Scalar type of the HNSW vectors ("f32", "f16" or "i8").
        threads: Threads for building (0: all cores).
        shard_size: Vectors per HNSW graph: a base is built in ``ceil(count / shard_size)``
            shards (key modulo their number); compactions keep the shards until they hold
            half as much again on average, then rebuild in more (so a growing collection
            is rebuilt whole only each time it grows by half).
    """

    exact_below: int = 20_000
    journal_max: int = 10_000
    sample_size: int = 4096
    connectivity: int = 16
    expansion_add: int = 64
    expansion_search: int = 64
    dtype: str = "f16"
    threads: int = 0
    shard_size: int = 250_000

    def shards_for(self, count: int) -> int:
        """How many HNSW shards a base of ``count`` vectors is built with."""
        return max(1, -(-int(count) // max(1, self.shard_size)))

    def outgrown(self, count: int, shards: int) -> bool:
        """True when ``shards`` graphs are too few for ``count`` vectors (rebuild in more)."""
        return count > shards * max(1, self.shard_size) * 3 // 2


@dataclass(frozen=True)
class GenerationInfo:
    """What ``gNNNNNN.json`` says about a generation."""

    name: str
    model: str
    dim: int
    base: str  # "hnsw" or "flat"
    count: int  # vectors in the base
    sample: int
    created: float
    settings: dict
    shards: int = 1  # HNSW graphs the base is split into (by key modulo this)

    @classmethod
    def read(cls, path: Path) -> "GenerationInfo":
        data = json.loads(path.read_text())
        if data.get("format") != FORMAT:
            raise ValueError(f"{path}: unknown index format {data.get('format')!r}")
        data.pop("format")
        return cls(**data)

    def write(self, path: Path) -> None:
        _write_atomic(path, json.dumps({"format": FORMAT, **asdict(self)}, indent=1).encode())


class IndexUnavailable(RuntimeError):
    """The directory holds no generation for the wanted model (build one first)."""


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _hnsw_index(dim: int, settings: AnnSettings):
    from usearch.index import Index

    return Index(ndim=dim, metric="ip", dtype=settings.dtype, connectivity=settings.connectivity,
                 expansion_add=settings.expansion_add, expansion_search=settings.expansion_search)


def shard_part(shard: int, shards: int) -> str:
    """File suffix of an HNSW shard (a single graph keeps the plain ``.usearch``)."""
    return "usearch" if shards == 1 else f"s{shard}.usearch"


def _shard_of(keys: np.ndarray, shards: int) -> np.ndarray:
    return np.asarray(keys, dtype=np.int64) % shards


def read_current(directory: Path) -> Optional[str]:
    """The live generation's name, or None when the directory holds none."""
    try:
        name = (directory / "CURRENT").read_text().strip()
    except FileNotFoundError:
        return None
    return name if _GENERATION.match(name) else None


# --- reading -----------------------------------------------------------------------------


class _Journal:
    """A reader's view of one generation's journal: memory-mapped records and which are live."""

    def __init__(self, path: Path, dim: int):
        self.path, self.dtype = path, journal_dtype(dim)
        self.records: np.ndarray = np.zeros(0, dtype=self.dtype)
        self.live = np.zeros(0, dtype=bool)
        self.last: dict[int, int] = {}  # key -> position of its latest record
        self.new_keys: list[int] = []  # keys first seen by the last refresh

    def __len__(self) -> int:
        return self.records.shape[0]

    def refresh(self) -> bool:
        """Map records appended since the last look; True when there were any."""
        try:
            size = os.stat(self.path).st_size
        except FileNotFoundError:
            return False
        count = size // self.dtype.itemsize
        seen = len(self)
        if count <= seen:
            return False
        self.records = np.memmap(self.path, dtype=self.dtype, mode="r", shape=(count,))
        live = np.zeros(count, dtype=bool)
        live[:seen] = self.live
        self.new_keys = []
        ops = np.asarray(self.records["op"][seen:count]).tolist()
        keys = np.asarray(self.records["key"][seen:count]).tolist()
        for pos, op, key in zip(range(seen, count), ops, keys):
            previous = self.last.get(key)
            if previous is not None:
                live[previous] = False
            else:
                self.new_keys.append(key)
            self.last[key] = pos
            live[pos] = op == ADD
        self.live = live
        return True

    def has(self, key: int) -> Optional[bool]:
        """True/False when the journal decides whether ``key`` is present, None when silent."""
        pos = self.last.get(key)
        return None if pos is None else bool(self.live[pos])

    def search(self, vector: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(keys, cosines) of the best ``k`` live records, best first."""
        if not self.live.any():
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        scores = self.records["vector"] @ vector
        scores[~self.live] = -np.inf
        best = top_k(scores, min(k, int(self.live.sum())))
        return np.asarray(self.records["key"][best], dtype=np.int64), scores[best].astype(np.float32)

    def live_count(self) -> int:
        return int(self.live.sum())


class AnnReader:
    """Search a collection's live generation, memory-mapped read-only. Never writes.

    Call :meth:`refresh` before a lookup (once per web request is enough): it costs two
    ``stat`` calls and maps a new generation or new journal records when there are any.
    Thread-safe.

    Args:
        directory: The collection's directory.
        model: The embedding model the vectors must come from; a generation of another
            model is ignored (as if there were none).
        expansion_search: HNSW search depth ("ef"); None keeps the generation's setting.
    """

    def __init__(self, directory: str | os.PathLike, *, model: Optional[str] = None,
                 expansion_search: Optional[int] = None):
        self.directory = Path(directory)
        self.model = model
        self.expansion_search = expansion_search
        self.info: Optional[GenerationInfo] = None
        self._hnsw = None
        self._flat_keys: Optional[np.ndarray] = None
        self._flat_vectors: Optional[np.ndarray] = None
        self.sample_ids = np.zeros(0, dtype=np.int64)
        self.sample_vectors = np.zeros((0, 0), dtype=np.float32)
        self._journal: Optional[_Journal] = None
        self._current_stamp: Optional[tuple] = None
        self._hidden_in_base = 0
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        name = self.info.name if self.info else None
        return f"AnnReader({str(self.directory)!r}, generation={name}, size={len(self) if self.info else 0})"

    @property
    def available(self) -> bool:
        return self.info is not None

    @property
    def exact(self) -> bool:
        """True when lookups are exact (a flat base)."""
        return self.info is not None and self.info.base == "flat"

    def refresh(self) -> bool:
        """Follow ``CURRENT`` and the journal; True when a generation is available."""
        with self._lock:
            stamp = self._stamp()
            if stamp != self._current_stamp:
                for _attempt in range(5):
                    try:
                        self._open(read_current(self.directory))
                        break
                    except FileNotFoundError:  # the writer swapped again and removed it: re-read
                        time.sleep(0.01)
                self._current_stamp = self._stamp()
            if self._journal is not None and self._journal.refresh():
                self._count_hidden(self._journal.new_keys)
            return self.info is not None

    def _count_hidden(self, keys: list[int]) -> None:
        """Count the base vectors the journal's keys hide (for ``len``)."""
        self._hidden_in_base += sum(1 for key in keys if self._in_base(key))

    def _stamp(self) -> Optional[tuple]:
        try:
            st = os.stat(self.directory / "CURRENT")
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _open(self, name: Optional[str]) -> None:
        if name is None:
            self._close()
            return
        if self.info is not None and self.info.name == name:
            return
        info = GenerationInfo.read(self.directory / f"{name}.json")
        if self.model is not None and info.model != self.model:
            log.warning("index %s holds vectors of %r, not %r: ignored", self.directory, info.model, self.model)
            self._close()
            return
        hnsw = flat_keys = flat_vectors = None
        if info.base == "hnsw":
            from usearch.index import Index

            hnsw = []
            for shard in range(info.shards):
                path = self.directory / f"{name}.{shard_part(shard, info.shards)}"
                graph = Index.restore(str(path), view=True)
                if graph is None:
                    raise FileNotFoundError(path)
                if self.expansion_search:
                    graph.expansion_search = self.expansion_search
                hnsw.append(graph)
        else:
            flat_keys = np.load(self.directory / f"{name}.keys.npy", mmap_mode="r")
            flat_vectors = np.load(self.directory / f"{name}.vectors.npy", mmap_mode="r")
        sample_ids = np.load(self.directory / f"{name}.sample.npy", mmap_mode="r")
        sample_vectors = np.load(self.directory / f"{name}.sample_vectors.npy", mmap_mode="r")
        journal = _Journal(self.directory / f"{name}.journal", info.dim)
        journal.refresh()
        self.info, self._hnsw, self._flat_keys, self._flat_vectors = info, hnsw, flat_keys, flat_vectors
        self.sample_ids, self.sample_vectors, self._journal = sample_ids, sample_vectors, journal
        self._hidden_in_base = 0
        self._count_hidden(journal.new_keys)

    def _close(self) -> None:
        self.info = self._hnsw = self._flat_keys = self._flat_vectors = self._journal = None
        self.sample_ids = np.zeros(0, dtype=np.int64)
        self.sample_vectors = np.zeros((0, 0), dtype=np.float32)

    def _require(self) -> GenerationInfo:
        if self.info is None:
            raise IndexUnavailable(f"no index in {self.directory} (build one: flask reindex)")
        return self.info

    def _in_base(self, key: int) -> bool:
        if self._hnsw is not None:
            return bool(self._hnsw[key % len(self._hnsw)].contains(key))
        pos = int(np.searchsorted(self._flat_keys, key))
        return pos < self._flat_keys.shape[0] and int(self._flat_keys[pos]) == key

    def __contains__(self, key: object) -> bool:
        with self._lock:
            if self.info is None or not isinstance(key, (int, np.integer)) or key < 0:
                return False
            decided = self._journal.has(int(key))
            return self._in_base(int(key)) if decided is None else decided

    def __len__(self) -> int:
        """Live vectors (base less the keys the journal changed, plus its live records)."""
        with self._lock:
            if self.info is None:
                return 0
            return self.info.count - self._hidden_in_base + self._journal.live_count()

    def search(self, vector: np.ndarray, k: int = 10, *, exclude: Collection[int] = ()) -> list[tuple[int, float]]:
        """The ``k`` nearest keys to ``vector`` as ``(key, cosine)``, best first.

        Approximate on an HNSW base (recall@10 measured in bench/related.py), exact on a
        flat one; the journal is always searched exactly.
        """
        vector = np.asarray(vector, dtype=np.float32).reshape(-1)
        norm = float(np.linalg.norm(vector))
        if norm > 0 and abs(norm - 1.0) > 1e-4:
            vector = vector / norm
        with self._lock:
            info = self._require()
            if k <= 0:
                return []
            excluded = {int(i) for i in exclude}
            journal = self._journal
            hidden = journal.last  # keys whose base vector the journal replaced or deleted
            want = k + len(excluded)
            j_keys, j_scores = journal.search(vector, want)
            b_keys, b_scores = self._search_base(vector, want, hidden)
        keys = np.concatenate([b_keys, j_keys])
        scores = np.concatenate([b_scores, j_scores])
        order = np.lexsort((keys, -scores))
        out = []
        for pos in order:
            key = int(keys[pos])
            if key not in excluded:
                out.append((key, float(scores[pos])))
                if len(out) == k:
                    break
        return out

    def _search_base(self, vector: np.ndarray, want: int, hidden: dict) -> tuple[np.ndarray, np.ndarray]:
        if self.info.count == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        if self._hnsw is None:
            keys_all = self._flat_keys
            scores = np.asarray(self._flat_vectors @ vector, dtype=np.float32)
            if hidden:
                keys = np.fromiter(hidden, dtype=np.int64, count=len(hidden))
                pos = np.searchsorted(keys_all, keys)
                found = pos < keys_all.shape[0]
                pos, keys = pos[found], keys[found]
                scores[pos[np.asarray(keys_all[pos]) == keys]] = -np.inf
            best = top_k(scores, min(want, scores.shape[0]))
            best = best[np.isfinite(scores[best])]
            return np.asarray(keys_all[best], dtype=np.int64), scores[best]
        count = want + min(len(hidden), want)
        while True:
            keys, scores = self._search_shards(vector, min(count, self.info.count), want, hidden)
            if keys.shape[0] >= want or count >= self.info.count:
                return keys[:want], scores[:want]
            count *= 4

    def _search_shards(self, vector: np.ndarray, count: int, want: int,
                       hidden: dict) -> tuple[np.ndarray, np.ndarray]:
        """The best ``count`` of every HNSW shard merged, best first, less ``hidden`` keys.

        Keys are spread over the shards at random (key modulo their number), so each is
        first asked for its share of ``count`` and a margin; a shard whose every answer
        ranks within the merged best ``want`` may hold more, and is asked again for twice
        as many (up to ``count``): the merge is then as if each shard had given ``count``.
        """
        shards = len(self._hnsw)
        share = count / shards
        per = count if shards == 1 else min(count, int(np.ceil(share + 4 * np.sqrt(share))) + 4)
        while True:
            key_parts, score_parts = [], []
            for graph in self._hnsw:
                found = graph.search(vector, per)
                key_parts.append(np.asarray(found.keys, dtype=np.int64))
                score_parts.append(1.0 - np.asarray(found.distances, dtype=np.float32))
            if shards == 1:
                keys, scores = key_parts[0], score_parts[0]
            else:
                keys, scores = np.concatenate(key_parts), np.concatenate(score_parts)
                order = np.lexsort((keys, -scores))
                keys, scores = keys[order], scores[order]
            if hidden:
                keep = np.fromiter((int(x) not in hidden for x in keys), dtype=bool, count=keys.shape[0])
                keys, scores = keys[keep], scores[keep]
            if per >= count:
                return keys, scores
            cut = scores[want - 1] if keys.shape[0] >= want else -np.inf
            if not any(part.shape[0] >= per and part[-1] >= cut for part in score_parts):
                return keys, scores
            per = min(count, per * 2)

    def vectors(self, keys: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """The stored vectors of ``keys``: ``(found keys, their vectors)`` (absent keys left out)."""
        with self._lock:
            info = self._require()
            out_keys, out_vectors = [], []
            base_keys = []
            for key in (int(k) for k in keys):
                decided = self._journal.has(key)
                if decided is None:
                    base_keys.append(key)
                elif decided:
                    out_keys.append(key)
                    out_vectors.append(np.asarray(self._journal.records["vector"][self._journal.last[key]]))
            if base_keys and info.count:
                wanted = np.asarray(base_keys, dtype=np.int64)
                if self._hnsw is not None:
                    shard_of = _shard_of(wanted, len(self._hnsw))
                    from_base: dict[int, np.ndarray] = {}
                    for shard, graph in enumerate(self._hnsw):
                        mine = wanted[shard_of == shard]
                        present = mine[np.asarray(graph.contains(mine), dtype=bool)] if mine.size else mine
                        if present.size:
                            got = np.asarray(graph.get(present), dtype=np.float32).reshape(present.size, info.dim)
                            from_base.update(zip(present.tolist(), got))
                    for key in wanted.tolist():  # in the order asked
                        if key in from_base:
                            out_keys.append(key)
                            out_vectors.append(from_base[key])
                else:
                    pos = np.searchsorted(self._flat_keys, wanted)
                    ok = pos < self._flat_keys.shape[0]
                    pos, wanted = pos[ok], wanted[ok]
                    hit = np.asarray(self._flat_keys[pos]) == wanted
                    out_keys.extend(wanted[hit].tolist())
                    out_vectors.extend(np.asarray(self._flat_vectors[pos[hit]], dtype=np.float32))
        if not out_keys:
            return np.zeros(0, dtype=np.int64), np.zeros((0, self.info.dim if self.info else 0), np.float32)
        return np.asarray(out_keys, dtype=np.int64), np.stack(out_vectors).astype(np.float32)

    def sample_similarities(self, vector: np.ndarray) -> np.ndarray:
        """Cosines of ``vector`` to the generation's fixed random sample (for z-statistics)."""
        with self._lock:
            self._require()
            if self.sample_vectors.shape[0] == 0:
                return np.zeros(0, dtype=np.float32)
            return np.asarray(self.sample_vectors @ np.asarray(vector, dtype=np.float32).reshape(-1))

    def mapped_files(self) -> list[Path]:
        """The files this reader maps (for memory accounting)."""
        if self.info is None:
            return []
        name = self.info.name
        parts = ([shard_part(i, self.info.shards) for i in range(self.info.shards)] if self.info.base == "hnsw"
                 else ["keys.npy", "vectors.npy"])
        return [self.directory / f"{name}.{p}" for p in parts + ["sample.npy", "sample_vectors.npy", "journal"]]


# --- writing -----------------------------------------------------------------------------


@contextmanager
def _flock(path: Path, *, blocking: bool = True) -> Iterator[bool]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                yield False
                return
            raise
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


ChunkSource = Callable[[], Iterable[tuple[np.ndarray, np.ndarray]]]


class AnnWriter:
    """Change a collection's index: appends to the journal, compactions and rebuilds.

    Every change takes ``writer.lock`` (an ``fcntl`` lock, so two processes never write at
    once); compactions and rebuilds do their slow part outside it and take it again only
    to swap. Meant for one process at a time (the ingest worker), but safe with several.

    Args:
        directory: The collection's directory (created when missing).
        model: The embedding model of the vectors (recorded; readers check it).
        dim: Their dimension.
        settings: See :class:`AnnSettings`.
        background: Run compactions in a background thread (False: in the caller's).
    """

    def __init__(self, directory: str | os.PathLike, *, model: str, dim: int,
                 settings: AnnSettings = AnnSettings(), background: bool = True):
        self.directory = Path(directory)
        self.model, self.dim, self.settings = model, int(dim), settings
        self.background = background
        self.dtype = journal_dtype(self.dim)
        self._compacting: Optional[threading.Thread] = None
        self._thread_lock = threading.Lock()
        self.directory.mkdir(parents=True, exist_ok=True)

    def __repr__(self) -> str:
        return f"AnnWriter({str(self.directory)!r}, model={self.model!r}, dim={self.dim})"

    # -- the journal --

    def add(self, ids: Sequence[int], vectors: np.ndarray) -> None:
        """Add or replace vectors (published to readers at once, through the journal)."""
        ids = np.asarray([int(i) for i in ids], dtype=np.int64)
        vectors = np.asarray(vectors, dtype=np.float32).reshape(len(ids), -1) if len(ids) else vectors
        if ids.size == 0:
            return
        if vectors.shape != (ids.size, self.dim):
            raise ValueError(f"expected vectors of shape ({ids.size}, {self.dim}), got {vectors.shape}")
        records = np.zeros(ids.size, dtype=self.dtype)
        records["op"], records["key"], records["vector"] = ADD, ids, normalize_rows(vectors)
        self._append(records)

    def remove(self, ids: Iterable[int]) -> None:
        """Delete keys (tombstones until the next compaction); unknown keys are harmless."""
        ids = np.asarray([int(i) for i in ids], dtype=np.int64)
        if ids.size == 0:
            return
        records = np.zeros(ids.size, dtype=self.dtype)
        records["op"], records["key"] = DELETE, ids
        self._append(records)

    def _append(self, records: np.ndarray) -> None:
        if (records["key"] < 0).any():
            raise ValueError("keys must be non-negative")
        data = records.tobytes()
        with _flock(self.directory / "writer.lock"):
            targets = []
            name = self._current_info_name()
            if name is not None:
                targets.append(self.directory / f"{name}.journal")
            pending = self.directory / "pending.journal"
            if pending.exists() and not self._stale_pending():
                targets.append(pending)
            for path in targets:
                _append_records(path, data, self.dtype.itemsize)
            journal_len = _record_count(targets[0], self.dtype.itemsize) if name is not None else 0
        if name is not None and journal_len >= self.settings.journal_max:
            self.compact_soon()

    def _current_info_name(self) -> Optional[str]:
        name = read_current(self.directory)
        if name is None:
            return None
        try:
            info = GenerationInfo.read(self.directory / f"{name}.json")
        except FileNotFoundError:
            return None
        return name if info.model == self.model and info.dim == self.dim else None

    def _stale_pending(self) -> bool:
        """pending.journal left by a rebuild that died (nobody holds build.lock): remove it."""
        with _flock(self.directory / "build.lock", blocking=False) as got:
            if got:
                (self.directory / "pending.journal").unlink(missing_ok=True)
                return True
        return False

    @property
    def available(self) -> bool:
        """True when a generation of this model exists (readers can search)."""
        return self._current_info_name() is not None

    # -- compaction: base + journal -> new base --

    def compact_soon(self) -> None:
        """Compact in the background (or now, without ``background``); one at a time."""
        if not self.background:
            self.compact()
            return
        with self._thread_lock:
            if self._compacting is not None and self._compacting.is_alive():
                return
            self._compacting = threading.Thread(target=self._compact_logged, name="ann-compact", daemon=False)
            self._compacting.start()

    def wait(self, timeout: Optional[float] = None) -> None:
        """Wait for a background compaction to finish."""
        thread = self._compacting
        if thread is not None:
            thread.join(timeout)

    def _compact_logged(self) -> None:
        try:
            self.compact()
        except Exception:  # a failed compaction leaves the live generation as it was
            log.exception("compacting %s failed", self.directory)

    def compact(self) -> Optional[str]:
        """Fold the journal into a new base and swap it in; the new generation's name
        (None when there is nothing to compact or another build is under way).

        An HNSW base is loaded and the journal's changes are inserted into it (HNSW adds
        are incremental); it is rebuilt whole when deleted nodes pass a fifth of it, and
        the base turns flat or HNSW as the collection crosses ``exact_below``.
        """
        with _flock(self.directory / "build.lock", blocking=False) as got:
            if not got:
                return None  # a rebuild or another compaction is under way
            with _flock(self.directory / "writer.lock"):
                name = self._current_info_name()
                if name is None:
                    return None
                info = GenerationInfo.read(self.directory / f"{name}.json")
                journal_path = self.directory / f"{name}.journal"
                upto = _record_count(journal_path, self.dtype.itemsize)
            if upto == 0:
                return None
            records = np.fromfile(journal_path, dtype=self.dtype, count=upto)
            latest: dict[int, int] = {}
            for pos, key in enumerate(records["key"].tolist()):
                latest[key] = pos
            touched = np.fromiter(latest, dtype=np.int64, count=len(latest))
            adds = np.array([pos for pos in latest.values() if records["op"][pos] == ADD], dtype=np.int64)
            add_keys = records["key"][adds].astype(np.int64)
            add_vectors = np.ascontiguousarray(records["vector"][adds], dtype=np.float32)
            del records
            if info.base == "hnsw":
                from usearch.index import Index

                shards = info.shards
                graphs, present, deleted = [], [], 0
                touched_shard = _shard_of(touched, shards)
                for shard in range(shards):
                    path = str(self.directory / f"{name}.{shard_part(shard, shards)}")
                    deleted += int((Index.metadata(path) or {}).get("count_deleted", 0))
                    graph = Index.restore(path)  # a private copy in memory, to insert into
                    mine = touched[touched_shard == shard]
                    present.append(mine[np.asarray(graph.contains(mine), dtype=bool)] if mine.size else mine)
                    graphs.append(graph)
                removed = sum(p.size for p in present)
                live = sum(len(g) for g in graphs) - removed + add_keys.size
                deleted += removed
                if (live >= self.settings.exact_below and deleted <= live // 5
                        and not self.settings.outgrown(live, shards)):
                    add_shard = _shard_of(add_keys, shards)
                    for shard, graph in enumerate(graphs):
                        if present[shard].size:
                            graph.remove(present[shard])
                        mine = add_shard == shard
                        if mine.any():
                            graph.add(add_keys[mine], add_vectors[mine], threads=self.settings.threads)
                    return self._publish_hnsw(graphs, journal_from=(journal_path, upto))
                # Rebuilt whole: too many deletions, below the size setting, or the shards outgrown.
                key_parts, vector_parts = [], []
                for graph in graphs:
                    graph_keys = np.asarray(graph.keys, dtype=np.int64)
                    key_parts.append(graph_keys)
                    vector_parts.append(np.asarray(graph.get(graph_keys), dtype=np.float32)
                                        .reshape(graph_keys.size, self.dim))
                del graphs
                keys = np.concatenate(key_parts)
                vectors = np.concatenate(vector_parts)
                del key_parts, vector_parts
            else:
                keys = np.array(np.load(self.directory / f"{name}.keys.npy"), dtype=np.int64)
                vectors = np.array(np.load(self.directory / f"{name}.vectors.npy"), dtype=np.float32)
            keep = ~np.isin(keys, touched)
            keys = np.concatenate([keys[keep], add_keys])
            vectors = np.concatenate([vectors[keep], add_vectors])
            return self._publish(keys, vectors, journal_from=(journal_path, upto))

    # -- rebuild from the source of truth --

    def rebuild(self, source: ChunkSource) -> str:
        """Build a new generation from ``source`` (all live ``(ids, vectors)`` chunks, e.g.
        read from the database) and swap it in. Changes appended meanwhile are kept.

        Waits for a compaction under way; returns the name of the new generation.
        """
        with _flock(self.directory / "build.lock"):
            with _flock(self.directory / "writer.lock"):
                # From here on every change also goes to pending.journal, so nothing committed
                # after the source is read is lost.
                (self.directory / "pending.journal").write_bytes(b"")
            key_parts, vector_parts = [], []
            for ids, vectors in source():
                if len(ids):
                    key_parts.append(np.asarray(ids, dtype=np.int64))
                    vector_parts.append(normalize_rows(np.asarray(vectors, dtype=np.float32).reshape(len(ids), -1)))
            keys = np.concatenate(key_parts) if key_parts else np.zeros(0, dtype=np.int64)
            vectors = np.concatenate(vector_parts) if vector_parts else np.zeros((0, self.dim), np.float32)
            if vectors.shape[1] != self.dim:
                raise ValueError(f"source vectors have dimension {vectors.shape[1]}, not {self.dim}")
            return self._publish(keys, vectors, journal_from=(self.directory / "pending.journal", 0))

    # -- writing a generation --

    def _publish(self, keys: np.ndarray, vectors: np.ndarray, *, journal_from: tuple[Path, int]) -> str:
        """Write a new base holding ``keys``/``vectors`` (a repeated key keeps its last
        vector) and make it live."""
        if keys.size:
            _unique, last_from_end = np.unique(keys[::-1], return_index=True)
            pick = keys.size - 1 - last_from_end  # sorted by key
            keys, vectors = keys[pick], np.ascontiguousarray(vectors[pick], dtype=np.float32)
        if keys.size and keys.size >= self.settings.exact_below:
            shards = self.settings.shards_for(keys.size)
            shard_of = _shard_of(keys, shards)
            graphs = []
            for shard in range(shards):
                mine = shard_of == shard if shards > 1 else slice(None)
                graph = _hnsw_index(self.dim, self.settings)
                graph.add(keys[mine], np.ascontiguousarray(vectors[mine]), threads=self.settings.threads)
                graphs.append(graph)
            sample_keys, sample_vectors = self._sample(keys, vectors)
            del vectors
            return self._publish_hnsw(graphs, journal_from=journal_from, sample=(sample_keys, sample_vectors))

        def write_flat(tmp: dict[str, Path]) -> None:
            _save_npy(tmp["keys.npy"], keys)
            _save_npy(tmp["vectors.npy"], vectors)

        return self._swap_in("flat", int(keys.size), write_flat, self._sample(keys, vectors), journal_from)

    def _publish_hnsw(self, graphs: list, *, journal_from: tuple[Path, int],
                      sample: Optional[tuple[np.ndarray, np.ndarray]] = None) -> str:
        """Publish an HNSW base: ``graphs`` are its shards (key modulo their count)."""
        shards = len(graphs)
        if sample is None:
            keys = np.sort(np.concatenate([np.asarray(g.keys, dtype=np.int64) for g in graphs]))
            picked = self._sample_positions(keys.size)
            sample_keys = keys[picked]
            sample_vectors = np.zeros((sample_keys.size, self.dim), np.float32)
            shard_of = _shard_of(sample_keys, shards)
            for shard, graph in enumerate(graphs):
                mine = shard_of == shard
                if mine.any():
                    sample_vectors[mine] = np.asarray(graph.get(sample_keys[mine]), dtype=np.float32).reshape(
                        int(mine.sum()), self.dim)
            sample = (sample_keys, sample_vectors)

        def write_hnsw(tmp: dict[str, Path]) -> None:
            for shard, graph in enumerate(graphs):
                graph.save(str(tmp[shard_part(shard, shards)]))

        return self._swap_in("hnsw", sum(len(g) for g in graphs), write_hnsw, sample, journal_from, shards=shards)

    def _sample_positions(self, size: int) -> np.ndarray:
        rng = np.random.default_rng(size * 7919 + 17)  # fixed for a given size: reproducible
        return np.sort(rng.choice(size, min(self.settings.sample_size, size), replace=False))

    def _sample(self, keys: np.ndarray, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        picked = self._sample_positions(keys.size)
        return keys[picked], np.ascontiguousarray(vectors[picked], dtype=np.float32)

    def _swap_in(self, base: str, count: int, write_base: Callable[[dict], None],
                 sample: tuple[np.ndarray, np.ndarray], journal_from: tuple[Path, int], shards: int = 1) -> str:
        """Write a generation's files under temporary names, then, under the writer lock,
        carry over the journal records appended since ``journal_from``, rename the files
        into place and point ``CURRENT`` at the new generation."""
        stem = f".build-{os.getpid()}-{threading.get_ident()}"
        parts = ([shard_part(i, shards) for i in range(shards)] if base == "hnsw" else ["keys.npy", "vectors.npy"]) \
            + ["sample.npy", "sample_vectors.npy"]
        tmp = {part: self.directory / f"{stem}.{part}" for part in parts}
        try:
            write_base(tmp)
            _save_npy(tmp["sample.npy"], sample[0])
            _save_npy(tmp["sample_vectors.npy"], sample[1])
            with _flock(self.directory / "writer.lock"):
                old = read_current(self.directory)
                name = _next_name(self.directory)
                source_path, start = journal_from
                carried = b""
                if source_path.exists():
                    with open(source_path, "rb") as f:
                        f.seek(start * self.dtype.itemsize)
                        carried = f.read()
                    carried = carried[: len(carried) // self.dtype.itemsize * self.dtype.itemsize]
                _write_atomic(self.directory / f"{name}.journal", carried)
                for part, path in tmp.items():
                    os.replace(path, self.directory / f"{name}.{part}")
                GenerationInfo(name=name, model=self.model, dim=self.dim, base=base, count=count,
                               sample=int(sample[0].size), created=time.time(),
                               settings=asdict(self.settings), shards=shards).write(self.directory / f"{name}.json")
                _fsync_dir(self.directory)
                _write_atomic(self.directory / "CURRENT", name.encode())
                if source_path.name == "pending.journal":
                    source_path.unlink(missing_ok=True)
                self._remove_generations(keep={name})
            log.info("index %s: generation %s (%s, %d vectors) replaces %s", self.directory, name, base, count, old)
            return name
        finally:
            for path in tmp.values():
                path.unlink(missing_ok=True)

    def _remove_generations(self, keep: set[str]) -> None:
        """Delete files of other generations and leftovers of dead builds (readers that
        still map an old file keep it until they move on: unlinking does not unmap)."""
        for path in self.directory.iterdir():
            stem = path.name.split(".", 1)[0]
            if _GENERATION.match(stem) and stem not in keep:
                path.unlink(missing_ok=True)
            elif path.name.startswith(".build-") and not _owned_by_live_process(path.name):
                path.unlink(missing_ok=True)


def _owned_by_live_process(name: str) -> bool:
    try:
        pid = int(name.split("-")[1])
    except (IndexError, ValueError):
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _next_name(directory: Path) -> str:
    numbers = [int(m.group(1)) for p in directory.iterdir()
               if (m := _GENERATION.match(p.name.split(".", 1)[0]))]
    current = read_current(directory)
    if current:
        numbers.append(int(_GENERATION.match(current).group(1)))
    return f"g{max(numbers, default=0) + 1:06d}"


def _save_npy(path: Path, array: np.ndarray) -> None:
    with open(path, "wb") as f:
        np.save(f, array)
        f.flush()
        os.fsync(f.fileno())


def _record_count(path: Path, itemsize: int) -> int:
    try:
        return os.stat(path).st_size // itemsize
    except FileNotFoundError:
        return 0


def _append_records(path: Path, data: bytes, itemsize: int) -> None:
    """Append whole records; a torn record left by a writer that died is cut off first."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        size = os.fstat(fd).st_size
        if size % itemsize:
            os.ftruncate(fd, size - size % itemsize)
            size -= size % itemsize
        os.lseek(fd, size, os.SEEK_SET)
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
    finally:
        os.close(fd)

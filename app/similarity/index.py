"""In-memory exact vector index and the byte format vectors are stored in."""
from __future__ import annotations

from typing import Collection, Iterable, Sequence

import numpy as np

VECTOR_DTYPE = np.dtype("<f4")  # float32 little-endian, the database byte format


def vector_to_bytes(vector: np.ndarray) -> bytes:
    """Serialise one vector as float32 little-endian bytes (``4 * dim`` bytes).

    Args:
        vector: A 1-d array (any float dtype; it is cast to float32).

    Returns:
        The raw bytes, ready for a BLOB/bytea column.
    """
    vector = np.asarray(vector)
    if vector.ndim != 1:
        raise ValueError(f"expected a 1-d vector, got shape {vector.shape}")
    return vector.astype(VECTOR_DTYPE, copy=False).tobytes()


def vector_from_bytes(data: bytes, dim: int | None = None) -> np.ndarray:
    """Read a vector written by :func:`vector_to_bytes`.

    Args:
        data: The raw bytes.
        dim: The expected dimension; checked when given.

    Returns:
        A writable 1-d float32 array in native byte order.
    """
    if len(data) % 4:
        raise ValueError(f"vector bytes length {len(data)} is not a multiple of 4")
    vector = np.frombuffer(data, dtype=VECTOR_DTYPE).astype(np.float32)
    if dim is not None and vector.shape[0] != dim:
        raise ValueError(f"expected dimension {dim}, got {vector.shape[0]}")
    return vector


def normalize_rows(vectors: np.ndarray) -> np.ndarray:
    """Return float32 rows scaled to unit L2 norm (all-zero rows stay zero)."""
    vectors = np.array(vectors, dtype=np.float32, ndmin=2, copy=True)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    np.divide(vectors, norms, out=vectors, where=norms > 0)
    return vectors


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Return the positions of the ``k`` largest scores, best first (ties by position)."""
    n = scores.shape[0]
    k = min(k, n)
    if k <= 0:
        return np.zeros(0, dtype=np.intp)
    if k < n:
        part = np.argpartition(-scores, k - 1)[:k]
    else:
        part = np.arange(n)
    return part[np.lexsort((part, -scores[part]))]


class VectorIndex:
    """Exact cosine-similarity index over integer ids, held as one float32 matrix.

    Vectors are normalised on the way in, so a search is one matrix-vector product over
    the live rows. Storage grows by amortised doubling; ``remove`` moves the last row
    into the freed slot, so it is O(1) per id and rows stay contiguous.
    """

    def __init__(self, dim: int, *, capacity: int = 1024):
        if dim <= 0:
            raise ValueError("dim must be positive")
        self.dim = int(dim)
        self._matrix = np.zeros((max(int(capacity), 1), self.dim), dtype=np.float32)
        self._ids = np.zeros(self._matrix.shape[0], dtype=np.int64)
        self._row_of: dict[int, int] = {}
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def __contains__(self, id_: object) -> bool:
        return id_ in self._row_of

    def __repr__(self) -> str:
        return f"VectorIndex(dim={self.dim}, size={self._size})"

    @property
    def nbytes(self) -> int:
        """Bytes held by the matrix and id array (allocated capacity, not just live rows)."""
        return self._matrix.nbytes + self._ids.nbytes

    @property
    def ids(self) -> np.ndarray:
        """The live ids in row order (a read-only view; changes with the index)."""
        view = self._ids[: self._size]
        view.flags.writeable = False
        return view

    @property
    def matrix(self) -> np.ndarray:
        """The live normalised rows (a read-only view; changes with the index)."""
        view = self._matrix[: self._size]
        view.flags.writeable = False
        return view

    def _reserve(self, size: int) -> None:
        capacity = self._matrix.shape[0]
        if size <= capacity:
            return
        capacity = max(size, 2 * capacity)  # amortised doubling; one big add fits exactly
        matrix = np.zeros((capacity, self.dim), dtype=np.float32)
        matrix[: self._size] = self._matrix[: self._size]
        ids = np.zeros(capacity, dtype=np.int64)
        ids[: self._size] = self._ids[: self._size]
        self._matrix, self._ids = matrix, ids

    def add(self, ids: Sequence[int], vectors: np.ndarray) -> None:
        """Add or replace vectors.

        Args:
            ids: One integer id per row; re-adding an id replaces its vector (if an id
                repeats within the call, its last row wins).
            vectors: ``(len(ids), dim)`` array; rows are normalised before storing.
        """
        ids = [int(i) for i in ids]
        vectors = np.asarray(vectors)
        if vectors.ndim == 1 and len(ids) == 1:
            vectors = vectors[None, :]
        if vectors.ndim != 2 or vectors.shape != (len(ids), self.dim):
            raise ValueError(f"expected vectors of shape ({len(ids)}, {self.dim}), got {vectors.shape}")
        if not ids:
            return
        vectors = normalize_rows(vectors)
        self._reserve(self._size + len(ids))
        for id_, vector in zip(ids, vectors):
            row = self._row_of.get(id_)
            if row is None:
                row = self._row_of[id_] = self._size
                self._ids[row] = id_
                self._size += 1
            self._matrix[row] = vector

    def remove(self, ids: Iterable[int]) -> None:
        """Remove ids; ids not in the index are ignored."""
        for id_ in ids:
            row = self._row_of.pop(int(id_), None)
            if row is None:
                continue
            last = self._size - 1
            if row != last:
                moved = int(self._ids[last])
                self._matrix[row] = self._matrix[last]
                self._ids[row] = moved
                self._row_of[moved] = row
            self._matrix[last] = 0.0
            self._size = last

    def get(self, id_: int) -> np.ndarray:
        """Return a copy of the stored (normalised) vector of ``id_`` (KeyError if absent)."""
        return self._matrix[self._row_of[int(id_)]].copy()

    def rows(self, ids: Iterable[int]) -> np.ndarray:
        """Return the current row positions of ids (KeyError for an unknown id)."""
        return np.fromiter((self._row_of[int(i)] for i in ids), dtype=np.intp)

    def similarities(self, vector: np.ndarray) -> np.ndarray:
        """Return the cosine similarity of ``vector`` to every live row, in row order."""
        query = np.asarray(vector, dtype=np.float32).reshape(-1)
        if query.shape[0] != self.dim:
            raise ValueError(f"expected a vector of dimension {self.dim}, got {query.shape[0]}")
        norm = float(np.linalg.norm(query))
        if norm > 0 and abs(norm - 1.0) > 1e-4:
            query = query / norm
        return self._matrix[: self._size] @ query

    def search(
        self, vector: np.ndarray, k: int = 5, exclude: Collection[int] = ()
    ) -> list[tuple[int, float]]:
        """Find the ``k`` stored vectors most similar to ``vector``.

        Args:
            vector: A ``(dim,)`` query vector (normalised here if it is not).
            k: How many results to return at most.
            exclude: Ids to leave out (e.g. the query claim itself).

        Returns:
            ``(id, cosine similarity)`` pairs, best first.
        """
        if k <= 0 or self._size == 0:
            return []
        scores = self.similarities(vector)
        excluded = {int(i) for i in exclude if int(i) in self._row_of} if exclude else set()
        if excluded:
            scores[[self._row_of[i] for i in excluded]] = -np.inf
        best = top_k(scores, min(k, self._size - len(excluded)))
        return [(int(self._ids[r]), float(scores[r])) for r in best]

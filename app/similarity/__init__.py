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
    limit_blas_threads,
    resolve_model_path,
)
from app.similarity.index import VectorIndex, normalize_rows, vector_from_bytes, vector_to_bytes
from app.similarity.lexical import BM25Index, tokenize
from app.similarity.ranking import DEFAULT_WEIGHTS, FusionWeights, HybridRanker, Match
from app.similarity.text import clean_query_text

__all__ = [
    "BM25Index",
    "DEFAULT_MODEL",
    "DEFAULT_WEIGHTS",
    "Embedder",
    "EmbeddingCache",
    "FusionWeights",
    "HybridRanker",
    "Match",
    "VectorIndex",
    "clean_query_text",
    "default_cache_dir",
    "get_embedder",
    "limit_blas_threads",
    "normalize_rows",
    "resolve_model_path",
    "tokenize",
    "vector_from_bytes",
    "vector_to_bytes",
]

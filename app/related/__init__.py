"""Related claims and evidence: stored embeddings, a shared nearest-neighbour index and the
database's full-text search."""
from app.related.service import (
    PreparedClaims, Ranked, RelatedClaim, RelatedEvidence, claims_like, delete_vectors, embed_claims, embed_evidence,
    embedder, index_status, is_indexed, model_name, prepare_claims, rank, reindex, related_claims, related_evidence,
    reset_indexes, stored_vector, store_prepared, write_vectors,
)

__all__ = [
    "PreparedClaims", "Ranked", "RelatedClaim", "RelatedEvidence", "claims_like", "delete_vectors", "embed_claims",
    "embed_evidence", "embedder", "index_status", "is_indexed", "model_name", "prepare_claims", "rank", "reindex",
    "related_claims", "related_evidence", "reset_indexes", "stored_vector", "store_prepared", "write_vectors",
]

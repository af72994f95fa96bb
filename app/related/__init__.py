"""Related claims and evidence: stored embeddings, a shared nearest-neighbour index and the
database's full-text search."""
from app.related.service import (
    PreparedClaims, Ranked, RelatedClaim, RelatedEvidence, claims_like, embed_claims, embed_evidence, index_status,
    is_indexed, prepare_claims, rank, reindex, related_claims, related_evidence, reset_indexes, store_prepared,
)

__all__ = [
    "PreparedClaims", "Ranked", "RelatedClaim", "RelatedEvidence", "claims_like", "embed_claims", "embed_evidence",
    "index_status", "is_indexed", "prepare_claims", "rank", "reindex", "related_claims", "related_evidence",
    "reset_indexes", "store_prepared",
]

"""Related claims and evidence: stored embeddings plus a per-process in-memory ranker."""
from app.related.service import (
    PreparedClaims, RelatedClaim, RelatedEvidence, embed_claims, embed_evidence, index_status, is_indexed,
    prepare_claims, reindex, related_claims, related_evidence, reset_indexes, store_prepared,
)

__all__ = [
    "PreparedClaims", "RelatedClaim", "RelatedEvidence", "embed_claims", "embed_evidence", "index_status",
    "is_indexed", "prepare_claims", "reindex", "related_claims", "related_evidence", "reset_indexes",
    "store_prepared",
]

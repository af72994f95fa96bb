"""Related claims and evidence: stored embeddings plus a per-process in-memory ranker."""
from app.related.service import (
    RelatedClaim, RelatedEvidence, embed_claims, embed_evidence, index_status, is_indexed, mark_near_duplicates,
    reindex, related_claims, related_evidence, reset_indexes,
)

__all__ = [
    "RelatedClaim", "RelatedEvidence", "embed_claims", "embed_evidence", "index_status", "is_indexed", "is_indexed",
    "mark_near_duplicates", "reindex", "related_claims", "related_evidence", "reset_indexes",
]

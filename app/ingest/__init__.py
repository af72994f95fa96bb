"""Ingest service: pasted text, uploaded files and folders become Articles and claims."""
from app.ingest.service import BatchSummary, IngestResult, expand_paths, ingest_article, ingest_paths
from app.ingest.text import ArticleText, html_to_article, normalise_text, read_upload, text_fingerprint

__all__ = [
    "ArticleText", "BatchSummary", "IngestResult", "expand_paths", "html_to_article",
    "ingest_article", "ingest_paths", "normalise_text", "read_upload", "text_fingerprint",
]

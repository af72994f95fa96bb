"""Ingest service: pasted text, uploaded files and folders become Articles and claims."""
from app.ingest.service import (
    BatchSummary, IngestResult, expand_paths, fetch_article, ingest_article, ingest_paths, ingest_url, ingest_urls,
    is_web_address,
)
from app.ingest.text import ArticleText, html_to_article, normalise_text, read_upload, text_fingerprint

__all__ = [
    "ArticleText", "BatchSummary", "IngestResult", "expand_paths", "fetch_article", "html_to_article",
    "ingest_article", "ingest_paths", "ingest_url", "ingest_urls", "is_web_address", "normalise_text",
    "read_upload", "text_fingerprint",
]

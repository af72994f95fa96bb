"""Ingest: pasted text, uploaded files and web addresses become Articles and claims.

``submit`` is the one entry point (web form, API, CLI, demo loader, background jobs).
"""
from app.ingest.service import (
    BatchSummary, IngestResult, Metadata, Submitted, Upload, article_claim_ids, expand_paths, get_article, read_path,
    submit, submit_each,
)
from app.ingest.text import ArticleText, html_to_article, normalise_text, read_upload, text_fingerprint

__all__ = [
    "ArticleText", "BatchSummary", "article_claim_ids", "get_article", "IngestResult", "Metadata", "Submitted", "Upload", "expand_paths",
    "html_to_article", "normalise_text", "read_path", "read_upload", "submit", "submit_each", "text_fingerprint",
]

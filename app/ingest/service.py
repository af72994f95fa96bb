"""Ingest: article text in, Article and its claims out, one transaction per article.

Called alike by the web form, the JSON API, the CLI and the demo loader.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional, Sequence

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError, OperationalError

from app import related
from app.database import begin_write
from app.links import is_web_url
from app.errors import Busy, DomainError, DuplicateArticle, EmptyText, Invalid, TooLarge
from app.extensions import db
from app.ingest.fetch import FetchSettings, fetch_html
from app.ingest.speakers import find_or_create_speaker
from app.ingest.text import (
    ALLOWED_SUFFIXES, ArticleText, guess_title, html_to_article, normalise_text, read_upload, text_fingerprint,
)
from app.models import Article, Claim, User
from app.workflow.audit import claim_snapshot, record


@dataclass
class IngestResult:
    article: Article
    claims: list[Claim]


def get_extractor():
    """The process-wide quote extractor for the configured spaCy model (loaded once)."""
    from app.extraction import get_extractor as _get

    return _get(current_app.config["CLAIMDESK_SPACY_MODEL"])


def prepare_text(doc: ArticleText) -> str:
    """Normalised article text, refused when empty or longer than the configured limit."""
    text = normalise_text(doc.text or "")
    if not text.strip():
        raise EmptyText("The article is empty: paste its text or upload a .txt or .html file.")
    limit = current_app.config["MAX_ARTICLE_CHARS"]
    if len(text) > limit:
        raise TooLarge(f"The article is {len(text):,} characters long; the limit is {limit:,}.")
    return text


def find_duplicate(text: str) -> Optional[int]:
    """The id of an article with the same normalised text, if there is one."""
    return db.session.scalar(sa.select(Article.id).where(Article.sha256 == text_fingerprint(text)))


def _duplicate_error(existing_id: int) -> DuplicateArticle:
    title = db.session.scalar(sa.select(Article.title).where(Article.id == existing_id))
    return DuplicateArticle(f"This article is already in the desk as #{existing_id} ({title}).", existing_id)


def ingest_article(
    doc: ArticleText,
    *,
    user: Optional[User],
    source: str,
    filename: Optional[str] = None,
    quotes: Optional[Sequence] = None,
) -> IngestResult:
    """Store one article and turn its quotes into claims with status ``new``.

    Args:
        doc: the text and any metadata (title, publisher, url, published_at).
        user: who ingests it (None for the system).
        source: paste / upload / url / cli / api / seed.
        quotes: quotes already extracted from ``prepare_text(doc)`` (batch ingest); else extracted here.
    Raises:
        EmptyText, TooLarge, DuplicateArticle: nothing is stored.
    """
    text = prepare_text(doc)
    if doc.url and not is_web_url(doc.url):
        raise Invalid("The article's URL must start with http:// or https://.", field="url")
    existing = find_duplicate(text)
    if existing is not None:
        raise _duplicate_error(existing)
    if quotes is None:
        quotes = get_extractor().extract(text)
    # The slow work (encoding, catching the ranker up) happens before the first write, so
    # the write transaction is short and the ranker never sees this ingest's uncommitted rows.
    prepared = related.prepare_claims([q.content for q in quotes])
    try:
        begin_write()  # ends the read transaction: the write one starts (SQLite: IMMEDIATE) from the latest data
    except OperationalError as exc:
        db.session.rollback()
        if "database is locked" in str(exc.orig):
            raise Busy("The desk was busy saving something else; nothing was stored. Try again.") from None
        raise
    article = Article(
        title=(doc.title or guess_title(text)).strip()[:500],
        publisher=(doc.publisher or None),
        url=(doc.url or None),
        published_at=doc.published_at,
        text=text,
        sha256=text_fingerprint(text),
        source=source,
        filename=filename,
        ingested_by=user,
    )
    try:
        db.session.add(article)
        claims = _claims_from_quotes(article, quotes)
        db.session.flush()
        record("article_ingested", user=user, article_id=article.id,
               after={"title": article.title, "source": source, "claims": len(claims)})
        for claim in claims:
            record("claim_extracted", user=user, claim=claim, after=claim_snapshot(claim))
        _after_claims_created(claims, prepared)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        existing = find_duplicate(text)
        if existing is not None:  # another request stored the same article meanwhile
            raise _duplicate_error(existing) from None
        raise
    except OperationalError as exc:
        db.session.rollback()
        if "database is locked" in str(exc.orig):  # SQLite: another write held the lock too long
            raise Busy("The desk was busy saving something else; nothing was stored. Try again.") from None
        raise
    except BaseException:
        db.session.rollback()
        raise
    return IngestResult(article=article, claims=claims)


def _claims_from_quotes(article: Article, quotes: Sequence) -> list[Claim]:
    claims: list[Claim] = []
    for quote in quotes:
        speaker = None
        if quote.speaker:
            speaker = find_or_create_speaker(
                quote.speaker, kind=quote.speaker_kind, role=quote.speaker_role,
                aliases=quote.speaker_aliases,
            )
        claim = Claim(
            article=article,
            speaker=speaker,
            content=quote.content,
            kind=quote.kind if quote.kind in ("direct", "partial", "indirect") else "direct",
            start=quote.content_start,
            end=quote.content_end,
            spans=[list(span) for span in quote.content_spans] or None,
            speaker_start=quote.speaker_start,
            speaker_end=quote.speaker_end,
            cue=(quote.cue or None) and quote.cue[:100],
            status="new",
        )
        if quote.duplicate_of is not None and 0 <= quote.duplicate_of < len(claims):
            claim.duplicate_of = claims[quote.duplicate_of]
        db.session.add(claim)
        claims.append(claim)
    return claims


def _after_claims_created(claims: list[Claim], prepared: related.PreparedClaims) -> None:
    """Work that shares the ingest transaction: store the claims' vectors and flag repeats
    of claims already in the desk (both worked out before the transaction began)."""
    related.store_prepared(claims, prepared)


# --- from a web address ---------------------------------------------------------------


def fetch_settings() -> FetchSettings:
    """The fetcher's limits from the app config."""
    config = current_app.config
    return FetchSettings(
        allowed_hosts=frozenset(h.lower() for h in config.get("CLAIMDESK_FETCH_ALLOWED_HOSTS", ())),
        timeout=float(config.get("CLAIMDESK_FETCH_TIMEOUT", 10)),
        max_bytes=int(config.get("CLAIMDESK_FETCH_MAX_BYTES", config["MAX_CONTENT_LENGTH"])),
        max_redirects=int(config.get("CLAIMDESK_FETCH_MAX_REDIRECTS", 5)),
    )


def fetch_article(url: str) -> ArticleText:
    """The article at ``url``: fetched under the fetcher's rules, extracted with trafilatura.

    Raises:
        FetchRefused: the address, the answer or its type is refused. EmptyText: no article text.
    """
    page = fetch_html(url, fetch_settings())
    return html_to_article(page.html, url=page.url)


def ingest_url(
    url: str,
    *,
    user: Optional[User],
    source: str = "url",
    title: Optional[str] = None,
    publisher: Optional[str] = None,
    published_at: Optional[datetime] = None,
) -> IngestResult:
    """Fetch a web article and ingest it like any other; values given override the page's.

    Raises:
        FetchRefused, EmptyText, TooLarge, DuplicateArticle: nothing is stored.
    """
    doc = fetch_article(url)
    doc.title = title or doc.title
    doc.publisher = publisher or doc.publisher
    doc.published_at = published_at or doc.published_at
    return ingest_article(doc, user=user, source=source)


def is_web_address(value: str) -> bool:
    """True for arguments the CLI should fetch rather than read from disk."""
    return is_web_url(str(value))


def ingest_urls(
    urls: Sequence[str],
    *,
    user: Optional[User],
    source: str = "cli",
    on_done: Callable[[str], None] = lambda url: None,
    summary: Optional["BatchSummary"] = None,
) -> "BatchSummary":
    """Ingest several web addresses one by one; each refusal is reported and skipped."""
    summary = summary or BatchSummary()
    for url in urls:
        try:
            result = ingest_url(url, user=user, source=source)
            summary.ingested.append((url, result.article.id, len(result.claims)))
        except DuplicateArticle as exc:
            summary.duplicates.append((url, exc.existing_id))
        except DomainError as exc:
            summary.failed.append((url, exc.message))
        on_done(url)
    return summary


# --- several files at once (CLI) -------------------------------------------------------


@dataclass
class BatchSummary:
    ingested: list[tuple[str, int, int]] = field(default_factory=list)  # (path, article id, claims)
    duplicates: list[tuple[str, int]] = field(default_factory=list)  # (path, existing id)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)

    def line(self) -> str:
        return (f"{len(self.ingested)} ingested, {len(self.duplicates)} duplicates, "
                f"{len(self.failed)} failed")


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files named, and the .txt/.html files under folders named, in a stable order."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in ALLOWED_SUFFIXES))
        else:
            found.append(path)
    return found


def _read_file(path: Path) -> ArticleText:
    if not path.exists():
        raise DomainError(f"{path} does not exist.")
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if path.stat().st_size > limit:
        raise TooLarge(f"{path.name} is {path.stat().st_size:,} bytes; the limit is {limit:,}.")
    return read_upload(path.read_bytes(), filename=path.name)


def ingest_paths(
    paths: Sequence[Path],
    *,
    user: Optional[User],
    on_done: Callable[[Path], None] = lambda path: None,
    batch_size: int = 16,
) -> BatchSummary:
    """Ingest files in batches: spaCy parses a batch at once, each article commits alone.

    A file that fails is reported with its reason and does not stop the others.
    """
    summary = BatchSummary()
    for batch in _chunks(paths, batch_size):
        ready: list[tuple[Path, ArticleText, str]] = []
        for path in batch:
            try:
                doc = _read_file(path)
                text = prepare_text(doc)
                existing = find_duplicate(text)
                if existing is not None:
                    summary.duplicates.append((str(path), existing))
                    on_done(path)
                    continue
                ready.append((path, doc, text))
            except DomainError as exc:
                summary.failed.append((str(path), exc.message))
                on_done(path)
        all_quotes = get_extractor().extract_many([text for _, _, text in ready])
        for (path, doc, _text), quotes in zip(ready, all_quotes):
            try:
                result = ingest_article(doc, user=user, source="cli", filename=path.name, quotes=quotes)
                summary.ingested.append((str(path), result.article.id, len(result.claims)))
            except DuplicateArticle as exc:  # the same text twice in one run
                summary.duplicates.append((str(path), exc.existing_id))
            except DomainError as exc:
                summary.failed.append((str(path), exc.message))
            on_done(path)
    return summary


def _chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for i in range(0, len(items), size):
        yield items[i:i + size]

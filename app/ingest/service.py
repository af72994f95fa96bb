"""Ingest: article text in, Article and its claims out, one transaction per article.

``submit`` is the one way in: the web form, the JSON API, the CLI, the demo loader (and
background jobs) call it with plain values and get plain values back.
"""
from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional, Sequence

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app import priority, related
from app.copies import minhash as copy_minhash
from app.copies import service as copies
from app.priority import checked
from app.database import begin_write
from app.errors import DomainError, DuplicateArticle, EmptyText, ExtractionError, Invalid, NotFound, TooLarge
from app.extensions import db
from app.ids import parse_id
from app.ingest.fetch import FetchSettings, fetch_html
from app.ingest.pacing import pace
from app.ingest.speakers import speaker_for_quote
from app.ingest.text import (
    ALLOWED_SUFFIXES, ArticleText, guess_title, html_to_article, normalise_text, read_upload, text_fingerprint,
)
from app.links import is_web_url
from app.models import Article, Claim, User
from app.models.articles import SOURCES
from app.transaction import rollback_on_error
from app.webhooks import service as webhooks
from app.workflow.audit import claim_snapshot, record

BUSY_MESSAGE = "The desk was busy saving something else; nothing was stored. Try again."


@dataclass(frozen=True)
class Upload:
    """A file as it was sent: its bytes, its name and the type it declared."""

    data: bytes
    filename: str
    content_type: Optional[str] = None


@dataclass(frozen=True)
class Metadata:
    """What the person (or feed) says about the article; each value given wins over what
    the text, the file or the fetched page says. (Its address is ``submit``'s ``url``.)"""

    title: Optional[str] = None
    publisher: Optional[str] = None
    published_at: Optional[datetime] = None


@dataclass(frozen=True)
class Submitted:
    """The stored article: its id and title, and the ids of its new claims in reading order."""

    article_id: int
    title: str
    claim_ids: list[int]


log = logging.getLogger(__name__)


@dataclass
class IngestResult:
    article: Article
    claims: list[Claim]


def submit(
    *,
    text: Optional[str] = None,
    upload: Optional[Upload] = None,
    url: Optional[str] = None,
    metadata: Metadata = Metadata(),
    user_id: Optional[int] = None,
    source: Optional[str] = None,
    on_stored: Optional[Callable[[Article, list[Claim]], None]] = None,
) -> Submitted:
    """Store one article, from pasted text, an uploaded file or a web address, and its claims.

    An upload is read if there is one, else the text; a web address alone (no text, no
    file) is fetched, and otherwise kept as the article's address.

    Args:
        metadata: title, publisher, published_at given by hand (override the source's).
        user_id: who submits it (None: the system).
        source: recorded as the article's source, one of ``app.models.articles.SOURCES``
            (api, cli, seed ...); by default what was given: ``paste``, ``upload`` or ``url``.
        on_stored: called with the article and its claims inside the ingest's transaction,
            just before it commits (a job marks itself done there: both or neither happen).
    Raises:
        EmptyText, TooLarge, UnsupportedMedia, FetchRefused, Invalid, DuplicateArticle, Busy:
        nothing is stored.
    """
    if source is not None and source not in SOURCES:
        raise Invalid(f"Unknown article source {source!r}: one of {', '.join(SOURCES)}.", field="source")
    user = _user(user_id)
    url = (url or "").strip() or None
    kind = submission_kind(text=text, upload=upload, url=url)
    if kind == "upload":
        limit = current_app.config["MAX_CONTENT_LENGTH"]
        if len(upload.data) > limit:
            raise TooLarge(f"{upload.filename or 'The file'} is larger than the upload limit of {limit:,} bytes.")
        doc = read_upload(upload.data, filename=upload.filename, content_type=upload.content_type)
    elif kind == "paste":
        doc = ArticleText(text=text or "")
    else:
        doc = fetch_article(url)
    doc.title = metadata.title or doc.title
    doc.publisher = metadata.publisher or doc.publisher
    doc.published_at = metadata.published_at or doc.published_at
    if kind != "url":  # a fetched page keeps the address it was finally read from
        doc.url = url or doc.url
    result = ingest_article(doc, user=user, source=source or kind,
                            filename=upload.filename if upload is not None else None, on_stored=on_stored)
    # The ids from the identity map: reading ``claim.id`` after the commit reloads each claim.
    return Submitted(article_id=result.article.id, title=result.article.title,
                     claim_ids=[sa.inspect(claim).identity[0] for claim in result.claims])


def submission_kind(*, text: Optional[str], upload: Optional[Upload], url: Optional[str]) -> str:
    """What ``submit`` reads: ``upload`` if there is a file, else ``paste`` if there is text
    (or no address), else ``url`` (the page is fetched)."""
    if upload is not None:
        return "upload"
    if (text or "").strip() or not (url or "").strip():
        return "paste"
    return "url"


def _user(user_id: Optional[int]) -> Optional[User]:
    if user_id is None:
        return None
    user = db.session.get(User, parse_id(user_id)) if parse_id(user_id) else None
    if user is None:
        raise Invalid(f"There is no user {user_id!r} to record as submitting the article.", field="user_id")
    return user


def get_article(article_id: int) -> Article:
    """A stored article, or NotFound."""
    article = db.session.get(Article, article_id)
    if article is None:
        raise NotFound(f"Article {article_id} does not exist.")
    return article


def article_claim_ids(article_id: int) -> list[int]:
    """The ids of an article's live claims in reading order (not those a correction removed)."""
    return list(db.session.scalars(sa.select(Claim.id).where(Claim.article_id == article_id, Claim.removed_at.is_(None))
                                   .order_by(Claim.start, Claim.id)))


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
    on_stored: Optional[Callable[[Article, list[Claim]], None]] = None,
) -> IngestResult:
    """Store one article and turn its quotes into claims with status ``new`` (``submit``'s
    last step; call ``submit``).

    Args:
        doc: the text and any metadata (title, publisher, url, published_at).
        user: who ingests it (None for the system).
        source: paste / upload / url / cli / api / seed.
    Raises:
        EmptyText, TooLarge, Invalid, DuplicateArticle, Busy: nothing is stored.
    """
    text = prepare_text(doc)
    if doc.url and not is_web_url(doc.url):
        raise Invalid("The article's URL must start with http:// or https://.", field="url")
    existing = find_duplicate(text)
    if existing is not None:
        raise _duplicate_error(existing)
    text_sketch = copy_minhash.sketch(text)
    copy = copies.find_copy(text_sketch)  # a wire copy of a stored article?
    quotes, vectors = _extracted(text)
    # The slow work (encoding, catching the ranker up) happens before the first write, so
    # the write transaction is short and the ranker never sees this ingest's uncommitted rows.
    prepared = related.prepare_claims([q.content for q in quotes], vectors)
    scores = priority.score_texts([q.content for q in quotes], prepared.vectors,
                                  speakers=[q.speaker for q in quotes])
    matches = checked.matches_for_new([q.content for q in quotes], prepared.vectors)
    try:
        with rollback_on_error(BUSY_MESSAGE):
            begin_write()  # ends the read transaction: the write one starts (SQLite: IMMEDIATE) from the latest data
            # Speakers first: their look-ups autoflush, and with the claims not yet in the
            # session each one flushes only the speakers made so far (not every claim, one by one).
            named: dict = {}
            speakers = [speaker_for_quote(quote, named) for quote in quotes]
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
            db.session.add(article)
            claims = _claims_from_quotes(article, quotes, speakers, scores, prepared.repeats, matches)
            repeats = copies.link_repeats(claims, copy.original_id) if copy is not None else 0
            for claim in claims:  # a wire copy's repeats go down the queue too
                if claim.duplicate_of_id is not None:
                    priority.set_priority(claim)
            db.session.flush()
            copies.remember(article, text_sketch, copy)
            after = {"title": article.title, "source": source, "claims": len(claims)}
            if copy is not None:
                after["copy_of"] = {"id": copy.original_id, "similarity": round(copy.similarity, 4),
                                    "repeated_claims": repeats}
            record("article_ingested", user=user, article_id=article.id, after=after)
            for claim in claims:
                record("claim_extracted", user=user, claim=claim, after=claim_snapshot(claim))
            webhooks.emit("article.ingested", {"article_id": article.id, "title": article.title, "url": article.url,
                                               "source": source, "claims": [c.id for c in claims]})
            _after_claims_created(claims, prepared)
            if on_stored is not None:
                on_stored(article, claims)
            db.session.commit()
    except IntegrityError:
        existing = find_duplicate(text)
        if existing is not None:  # another request stored the same article meanwhile
            raise _duplicate_error(existing) from None
        raise
    return IngestResult(article=article, claims=claims)


_parsed = threading.local()  # .texts: {normalised text: (quotes, their vectors)} inside parsed_together


@contextmanager
def parsed_together(texts: Iterable[Optional[str]]) -> Iterator[None]:
    """Inside the block, ingesting one of ``texts`` (in this thread) reuses its quotes and
    their vectors, worked out here for all the texts at once: one ``nlp.pipe`` over the
    texts and one encode of all their quotes, rather than one parse and one encode per
    article (a consumer does this for the jobs it takes together, ``app.tasks.jobs``).

    Only the NLP is shared: each article is still checked, stored and committed on its own.
    A text that fails here (or that this cannot read) is extracted again, alone, when it
    is ingested, and fails or not there as it would have.
    """
    prepared: dict[str, tuple[Sequence, object]] = {}
    limit = current_app.config["MAX_ARTICLE_CHARS"]
    unique = list(dict.fromkeys(t for t in (normalise_text(x or "") for x in texts) if t.strip() and len(t) <= limit))
    if len(unique) > 1:
        try:
            results = list(get_extractor().extract_many(unique, on_error="return"))
            parsed = [(t, quotes) for t, quotes in zip(unique, results) if not isinstance(quotes, Exception)]
            contents = [q.content for _, quotes in parsed for q in quotes]
            vectors = related.embedder().encode(contents) if contents else None
            start = 0
            for t, quotes in parsed:
                prepared[t] = (quotes, vectors[start:start + len(quotes)] if vectors is not None else None)
                start += len(quotes)
        except Exception:  # noqa: BLE001 - only a saving: each text is then parsed on its own
            log.exception("ingest: parsing %d texts together failed; each is parsed on its own", len(unique))
            prepared = {}
    outer = getattr(_parsed, "texts", None)
    _parsed.texts = prepared
    try:
        yield
    finally:
        _parsed.texts = outer


def _extracted(text: str) -> tuple[Sequence, Optional[object]]:
    """The quotes of ``text`` and, when ``parsed_together`` encoded them already, their
    vectors (else None); a failed extraction is an ExtractionError, logged, never an
    article stored with no claims."""
    from app.extraction import ExtractionFailed

    prepared = (getattr(_parsed, "texts", None) or {}).pop(text, None)
    if prepared is not None:
        return prepared
    try:
        return get_extractor().extract(text), None
    except ExtractionFailed as exc:
        log.error("ingest: %s", exc)
        raise ExtractionError("Quote extraction failed on this article; nothing was stored. "
                              "The error is in the server log.", stage=exc.stage) from exc


def _claims_from_quotes(article: Article, quotes: Sequence, speakers: Sequence, scores: Sequence,
                        repeats: Sequence[Optional[int]], matches: Sequence) -> list[Claim]:
    """New claims of ``article`` with their check-worthiness, "already checked" match and
    priority (set before the first flush: a later change would be an UPDATE that bumps
    each claim's version)."""
    claims: list[Claim] = []
    for quote, speaker, score, repeat, match in zip(quotes, speakers, scores, repeats, matches):
        repeated = claims[quote.duplicate_of] if quote.duplicate_of is not None and \
            0 <= quote.duplicate_of < len(claims) else None
        if repeated is not None and repeated.id is None:
            # The claims before it get their ids first: one flush with a claim pointing at
            # another unflushed one would insert them out of reading order.
            db.session.flush()
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
            speaker_role=(getattr(quote, "speaker_role", None) or None) and quote.speaker_role[:200],
            status="new",
            checkworthiness=round(float(score.score), 6),
            checkworthiness_reason=score.reason[:40],
        )
        if repeated is not None:
            claim.duplicate_of = repeated
        checked.apply_match(claim, match)
        if repeat is not None and claim.duplicate_of is None:  # flagged by store_prepared after the flush
            claim.priority = priority.priority_value(claim.checkworthiness, repeat=True,
                                                     already_checked=match is not None)
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
        before_request=pace,
    )


def fetch_article(url: str) -> ArticleText:
    """The article at ``url``: fetched under the fetcher's rules, extracted with trafilatura.

    Raises:
        FetchRefused: the address, the answer or its type is refused. EmptyText: no article text.
    """
    page = fetch_html(url, fetch_settings())
    return html_to_article(page.html, url=page.url)


# --- several at once (CLI) ----------------------------------------------------------------


@dataclass
class BatchSummary:
    ingested: list[tuple[str, int, int]] = field(default_factory=list)  # (path or url, article id, claims)
    duplicates: list[tuple[str, int]] = field(default_factory=list)  # (path or url, existing id)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path or url, reason)

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


def read_path(path: Path) -> Upload:
    """A file on disk as an upload (read up to one byte past the limit, so ``submit`` can refuse it)."""
    if not path.is_file():
        raise DomainError(f"{path} does not exist.")
    with path.open("rb") as handle:
        return Upload(handle.read(current_app.config["MAX_CONTENT_LENGTH"] + 1), filename=path.name)


def submit_each(
    items: Sequence[str | Path],
    *,
    user_id: Optional[int],
    source: str = "cli",
    metadata: Metadata = Metadata(),
    on_done: Callable[[str | Path], None] = lambda item: None,
) -> BatchSummary:
    """``submit`` each file path or http(s) address in turn; each refusal is reported and
    does not stop the others."""
    summary = BatchSummary()
    for item in items:
        try:
            if is_web_url(str(item)):
                result = submit(url=str(item), metadata=metadata, user_id=user_id, source=source)
            else:
                result = submit(upload=read_path(Path(item)), metadata=metadata, user_id=user_id, source=source)
            summary.ingested.append((str(item), result.article_id, len(result.claim_ids)))
        except DuplicateArticle as exc:
            summary.duplicates.append((str(item), exc.existing_id))
        except DomainError as exc:
            summary.failed.append((str(item), exc.message))
        on_done(item)
    return summary

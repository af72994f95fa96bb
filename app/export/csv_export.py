"""Claims as CSV: streamed in batches, safe to open in a spreadsheet.

Rows are read from the database ``batch_size`` at a time (a server-side cursor on
PostgreSQL) and each batch is written and handed on before the next is read, so an export
of any size holds about one batch in memory and its first bytes leave at once.
"""
from __future__ import annotations

import csv
import functools
import io
import json
import unicodedata
from collections import defaultdict
from datetime import datetime
from typing import Callable, Iterator, Optional, Sequence

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.dialects import postgresql

from app.extensions import db
from app.models import VERDICT_LABELS, Article, Claim, ClaimEvidence, Evidence, Speaker, User, Verdict, iso_utc
from app.workflow.queries import SORTS, ClaimFilters, apply_filters
from app.workflow.rules import is_published

# The first 17 columns and their order are a contract (spreadsheets and scripts read them by
# position); columns added later go after them.
COLUMNS = (
    "claim_id", "status", "kind", "speaker", "speaker_role", "content", "article_title", "article_url",
    "publisher", "published_at", "verdict", "rationale", "evidence_urls", "proposed_by", "approved_by",
    "approved_at", "claim_url",
    "verdict_label", "publication_wording", "evidence_titles", "evidence_stances", "review_comment", "public_url",
)
# Several values in one cell (evidence titles, stances) go one per line.
LIST_SEPARATOR = "\n"
# OWASP CSV injection: a cell starting with one of these may be run as a formula ...
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FORMULA_SIGNS = ("=", "+", "-", "@")
# ... and so may one whose first sign comes after characters a spreadsheet skips or cannot be
# seen: whitespace (space, NBSP, ideographic space, tab, CR, LF ...), zero-width and other
# format characters (U+200B-U+200D, U+2060, U+FEFF ...), NUL and other controls.
_SKIPPABLE_CATEGORIES = ("Cc", "Cf", "Zs", "Zl", "Zp")
BOM = "\ufeff"
DEFAULT_BATCH_SIZE = 1000

ClaimUrl = Callable[[int], str]


def neutralise(value: str) -> str:
    """The cell as plain text: a leading ``'`` stops a spreadsheet from running a formula
    (OWASP's advice for cells that begin with ``= + - @``, tab or carriage return), also when
    whitespace, zero-width characters or controls stand before the sign."""
    if not value:
        return value
    first = value[0]
    if first.isalnum():  # most cells: nothing to skip, no sign
        return value
    if first in FORMULA_PREFIXES or _first_visible(value) in FORMULA_SIGNS:
        return "'" + value
    return value


def _first_visible(value: str) -> str:
    """The first character of ``value`` that is not whitespace, a format character or a
    control ("" when there is none)."""
    for char in value:
        if not (char.isspace() or unicodedata.category(char) in _SKIPPABLE_CATEGORIES):
            return char
    return ""


@functools.lru_cache(maxsize=4096)  # an article's date repeats on each of its claims
def iso(value: Optional[datetime]) -> str:
    """Timestamps as the API writes them; an empty cell for None."""
    return iso_utc(value) or ""


def export_select(filters: ClaimFilters) -> sa.Select:
    """The claim columns of the export, filtered and sorted exactly as the queue lists them."""
    stmt = (
        sa.select(Claim.id, Claim.status, Claim.kind, Speaker.name, Speaker.role, Claim.content,
                  Claim.publication_wording, Article.title, Article.url, Article.publisher, Article.published_at)
        .select_from(Claim)
        .outerjoin(Speaker, Claim.speaker_id == Speaker.id)
        .join(Article, Claim.article_id == Article.id)
    )
    return apply_filters(stmt, filters).order_by(*SORTS.get(filters.sort, SORTS["newest"]))


def iter_row_batches(
    filters: ClaimFilters, *, claim_url: ClaimUrl, public_url: Optional[ClaimUrl] = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> Iterator[list[list[str]]]:
    """Batches of CSV rows (``COLUMNS`` order, cells neutralised), read as they are written.

    The verdict columns come from the claim's latest verdict that was not returned. An
    approved (published) claim is written as the reviewer approved it (its record in
    app.workflow.publication): speaker, role, wording, verdict, rationale and evidence as
    signed off, with ``approved_by``, ``approved_at`` and ``public_url`` (its public page).
    """
    # Core execution on the session's connection: plain rows, no ORM bookkeeping per row.
    connection = db.session.connection()
    result = connection.execute(export_select(filters).execution_options(yield_per=batch_size))
    try:
        for batch in result.partitions():
            ids = [row[0] for row in batch]
            evidence = _evidence(connection, ids)
            verdicts = _verdicts(connection, ids)
            rows = []
            for claim_id, status, kind, speaker, role, content, wording, title, url, publisher, published_at in batch:
                v = verdicts.get(claim_id)
                record = v.published if v is not None and is_published(status, v.state) else None
                if record is not None:
                    spoken = record.get("speaker") or {}
                    speaker, role, wording = spoken.get("name"), spoken.get("role"), record["claim_reviewed"]
                    items = [(e.get("url"), e["title"], e["stance"]) for e in record.get("evidence") or ()]
                    verdict, rationale = record["verdict"], record.get("rationale") or ""
                else:
                    items = evidence.get(claim_id, [])
                    verdict, rationale = (v.verdict, v.rationale) if v else ("", "")
                    wording = wording or content
                approved = v is not None and is_published(status, v.state)
                rows.append([
                    str(claim_id), status, kind, neutralise(speaker or ""), neutralise(role or ""),
                    neutralise(content), neutralise(title or ""), neutralise(url or ""),
                    neutralise(publisher or ""), iso(published_at),
                    verdict, neutralise(rationale),
                    neutralise(" ".join(_url_cell(u) for u, _t, _s in items if u)),
                    neutralise(v.proposed_by) if v else "",
                    neutralise(v.approved_by or "") if approved else "",
                    iso(v.reviewed_at) if approved else "",
                    claim_url(claim_id),
                    VERDICT_LABELS.get(verdict, ""), neutralise(wording),
                    neutralise(LIST_SEPARATOR.join(t for _u, t, _s in items)),
                    LIST_SEPARATOR.join(s for _u, _t, s in items),
                    neutralise(v.review_comment or "") if v else "",
                    public_url(claim_id) if approved and public_url else "",
                ])
            yield rows
    finally:
        result.close()


def _url_cell(url: str) -> str:
    """A URL as the evidence_urls column holds it (spaces escaped: they separate URLs)."""
    return url.strip().replace(" ", "%20")


def _one_of(column: sa.ColumnElement, ids: Sequence[int], connection: sa.Connection) -> sa.ColumnElement[bool]:
    """``column IN ids`` with the ids sent as ONE parameter (an array on PostgreSQL, a JSON
    list on SQLite): a thousand-item IN list costs more to build and parse than to run."""
    dialect = connection.dialect.name
    if dialect == "postgresql":
        return column == sa.any_(sa.bindparam("ids", list(ids), type_=postgresql.ARRAY(sa.Integer)))
    if dialect == "sqlite":
        values = sa.func.json_each(sa.bindparam("ids", json.dumps(list(ids)))).table_valued("value")
        return column.in_(sa.select(values.c.value))
    return column.in_(ids)


def _evidence(connection: sa.Connection, claim_ids: Sequence[int]) -> dict[int, list[tuple[Optional[str], str, str]]]:
    """Each claim's evidence as (url, title, stance), in the order it was linked."""
    items: dict[int, list[tuple[Optional[str], str, str]]] = defaultdict(list)
    stmt = (
        sa.select(ClaimEvidence.claim_id, Evidence.url, Evidence.title, ClaimEvidence.stance)
        .join(Evidence, ClaimEvidence.evidence_id == Evidence.id)
        .where(_one_of(ClaimEvidence.claim_id, claim_ids, connection))
        .order_by(ClaimEvidence.claim_id, ClaimEvidence.id)
    )
    for claim_id, url, title, stance in connection.execute(stmt):
        items[claim_id].append((url, title, stance))
    return items


def _verdicts(connection: sa.Connection, claim_ids: Sequence[int]) -> dict[int, sa.Row]:
    """Each claim's latest verdict that was not returned, with the names of its people and,
    once approved, the record of what was approved."""
    proposer, reviewer = so.aliased(User), so.aliased(User)
    stmt = (
        sa.select(Verdict.claim_id, Verdict.verdict, Verdict.rationale, Verdict.state, Verdict.reviewed_at,
                  Verdict.review_comment, Verdict.published,
                  proposer.name.label("proposed_by"), reviewer.name.label("approved_by"))
        .join(proposer, Verdict.proposed_by_id == proposer.id)
        .outerjoin(reviewer, Verdict.reviewed_by_id == reviewer.id)
        .where(_one_of(Verdict.claim_id, claim_ids, connection), Verdict.state != "returned")
        .order_by(Verdict.id)
    )
    return {row.claim_id: row for row in connection.execute(stmt)}  # the last one wins


def csv_chunks(
    filters: ClaimFilters,
    *,
    claim_url: ClaimUrl,
    public_url: Optional[ClaimUrl] = None,
    bom: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_batch: Optional[Callable[[int], None]] = None,
) -> Iterator[bytes]:
    """The export as UTF-8 bytes: the header row first, then one chunk per batch of claims.

    Args:
        filters: the queue's filters; the export holds exactly the claims they select.
        claim_url: the absolute URL of a claim's page in the desk, from its id.
        public_url: the absolute URL of a published claim's public fact-check page.
        bom: start with a byte-order mark, so Excel reads the file as UTF-8.
        on_batch: called with the number of rows of each batch once it is written.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    yield ((BOM if bom else "") + buffer.getvalue()).encode("utf-8")
    for rows in iter_row_batches(filters, claim_url=claim_url, public_url=public_url, batch_size=batch_size):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(rows)
        yield buffer.getvalue().encode("utf-8")
        if on_batch is not None:
            on_batch(len(rows))


def write_csv(out, filters: ClaimFilters, **options) -> int:
    """Write the export to the binary file ``out``; returns the number of claims written."""
    written = 0

    def count(n: int) -> None:
        nonlocal written
        written += n
        if options.get("on_batch"):
            options["on_batch"](n)

    for chunk in csv_chunks(filters, **{**options, "on_batch": count}):
        out.write(chunk)
    return written

"""Read fact-checks other publishers put out as schema.org ClaimReview (JSON-LD or CSV).

Plain data in, plain records out (no Flask, no database): the import service stores the
:class:`FactCheckRecord` s and reports the :class:`Refused` items with their reasons.

JSON-LD may be one ClaimReview object, a list of them, a document with an ``@graph``
(other node types there, e.g. the publisher's Organization, are context: ``{"@id": ...}``
references to them are resolved), or a ``DataFeed`` whose ``dataFeedElement`` items
carry ClaimReviews in ``item``, as the fact-checkers' feeds do. An HTML page is read for
its ``<script type="application/ld+json">`` blocks.

CSV has a header row naming the columns ``claim``, ``rating``, ``url`` (required) and
``publisher``, ``date``, ``claimant`` (optional); ``title``, ``rating_value``, ``best_rating``,
``worst_rating`` may be added. Comma, semicolon or tab separated, UTF-8.

A whole file that cannot be read raises :class:`FactCheckFileError`; an item that cannot
be used becomes a :class:`Refused` with its place in the file and a reason, and the other
items are still read.
"""
from __future__ import annotations

import csv
import io
import json
import math
import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Iterable, Iterator
from urllib.parse import urlsplit

__all__ = [
    "CSV_COLUMNS",
    "FactCheckFileError",
    "FactCheckRecord",
    "ParseResult",
    "Refused",
    "parse_bytes",
    "parse_csv",
    "parse_file",
    "parse_files",
    "parse_html",
    "parse_jsonld",
]

MAX_TEXT = 5000  # longest claimReviewed kept; longer is refused (a page, not a claim)
CSV_COLUMNS = ("claim", "rating", "url", "publisher", "date", "claimant")
_REQUIRED_CSV = ("claim", "rating", "url")
_CSV_OPTIONAL_NUMBERS = ("rating_value", "best_rating", "worst_rating")
_CSV_ALIASES = {
    "claimreviewed": "claim", "claim_reviewed": "claim",
    "alternatename": "rating", "verdict": "rating",
    "ratingvalue": "rating_value", "bestrating": "best_rating", "worstrating": "worst_rating",
    "datepublished": "date", "author": "publisher",
}


class FactCheckFileError(ValueError):
    """The file as a whole cannot be read (not JSON, not UTF-8, CSV without the columns...)."""


@dataclass(frozen=True)
class FactCheckRecord:
    """One fact-check, as plain data.

    ``publisher`` is the fact-checking organisation (the ClaimReview's ``author``, else its
    ``publisher``); ``claimant`` who made the claim (``itemReviewed.author.name``).
    ``date`` is the review's ``datePublished`` (a ``date``, or a ``datetime`` when the
    source gives a time), ``where`` the item's place in its file.
    """

    url: str
    claim_reviewed: str
    publisher: str | None = None
    rating_name: str | None = None
    rating_value: float | None = None
    best_rating: float | None = None
    worst_rating: float | None = None
    date: date | datetime | None = None
    claimant: str | None = None
    title: str | None = None  # the review's headline (``name`` or ``headline``; CSV ``title``)
    where: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (the date as ISO 8601)."""
        out = asdict(self)
        out["date"] = self.date.isoformat() if self.date else None
        return out


@dataclass(frozen=True)
class Refused:
    """An item that was not read, where it is in its file, and why."""

    where: str
    reason: str
    url: str | None = None

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass
class ParseResult:
    """What a file gave: the records, and the items refused with their reasons."""

    records: list[FactCheckRecord] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)

    def extend(self, other: "ParseResult") -> None:
        self.records.extend(other.records)
        self.refused.extend(other.refused)


class _ItemError(ValueError):
    """One item cannot be used; the message is the reason shown to people."""


# --- JSON-LD ------------------------------------------------------------------------


def _types(node: Any) -> set[str]:
    """The node's ``@type`` names without a vocabulary prefix (``schema:X``, ``https://schema.org/X``)."""
    if not isinstance(node, dict):
        return set()
    raw = node.get("@type") or node.get("type")
    names = raw if isinstance(raw, list) else [raw]
    return {re.split(r"[/:#]", n)[-1] for n in names if isinstance(n, str) and n}


def _get(node: dict, name: str) -> Any:
    """A property read with or without a vocabulary prefix (``claimReviewed``, ``schema:claimReviewed``)."""
    if name in node:
        return node[name]
    for key, value in node.items():
        if isinstance(key, str) and re.split(r"[/:#]", key)[-1] == name:
            return value
    return None


class _Graph:
    """Resolves ``{"@id": ...}`` references against the nodes of one document."""

    def __init__(self) -> None:
        self.by_id: dict[str, dict] = {}

    def collect(self, value: Any, depth: int = 0) -> None:
        if depth > 50:
            return
        if isinstance(value, dict):
            node_id = value.get("@id")
            if isinstance(node_id, str) and len(value) > 1:
                self.by_id.setdefault(node_id, value)
            for child in value.values():
                self.collect(child, depth + 1)
        elif isinstance(value, list):
            for child in value:
                self.collect(child, depth + 1)

    def resolve(self, value: Any) -> Any:
        if isinstance(value, dict) and set(value) == {"@id"}:
            return self.by_id.get(value["@id"], value)
        return value


def _first(value: Any) -> Any:
    if isinstance(value, list):
        return next((v for v in value if v not in (None, "", {})), None)
    return value


def _text(value: Any) -> str | None:
    """A plain string from a JSON-LD value (``{"@value": ...}`` and one-item lists too)."""
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("@value")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value or None


def _name(value: Any, graph: _Graph) -> str | None:
    """The ``name`` of a Person/Organization value, or the value itself when it is text."""
    value = graph.resolve(_first(value))
    if isinstance(value, dict):
        return _text(_get(value, "name")) or _text(_get(value, "legalName"))
    return _text(value)


def _number(value: Any, label: str) -> float | None:
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("@value")
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise _ItemError(f"{label} {value!r} is not a number")
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        raise _ItemError(f"{label} {value!r} is not a number") from None
    if not math.isfinite(number):
        raise _ItemError(f"{label} {value!r} is not a number")
    return number


def _date(value: Any, label: str = "datePublished") -> date | datetime | None:
    text = _text(value)
    if text is None:
        return None
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise _ItemError(f"{label} {text!r} is not an ISO 8601 date (YYYY-MM-DD)") from None


def _web_url(value: Any, label: str = "url") -> str:
    text = _text(value)
    if text is None:
        raise _ItemError(f"no {label}")
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or " " in text:
        raise _ItemError(f"{label} {text[:200]!r} is not an http(s) address")
    if len(text) > 2000:
        raise _ItemError(f"{label} is longer than 2000 characters")
    return text


def _rating_fields(rating: Any, graph: _Graph) -> dict[str, Any]:
    rating = graph.resolve(_first(rating))
    if isinstance(rating, str):  # some publishers put the verdict's words straight in
        rating = {"alternateName": rating}
    if not isinstance(rating, dict):
        raise _ItemError("no reviewRating")
    fields = {
        "rating_name": _text(_get(rating, "alternateName")) or _text(_get(rating, "name")),
        "rating_value": _number(_get(rating, "ratingValue"), "reviewRating.ratingValue"),
        "best_rating": _number(_get(rating, "bestRating"), "reviewRating.bestRating"),
        "worst_rating": _number(_get(rating, "worstRating"), "reviewRating.worstRating"),
    }
    return _checked_rating(fields, "reviewRating.")


def _checked_rating(fields: dict[str, Any], prefix: str) -> dict[str, Any]:
    value, best, worst = fields["rating_value"], fields["best_rating"], fields["worst_rating"]
    if fields["rating_name"] is None and value is None:
        raise _ItemError(f"no rating: {prefix}alternateName and {prefix}ratingValue are both missing")
    if best is not None and worst is not None and best == worst:
        raise _ItemError(f"{prefix}bestRating and worstRating are both {best:g}")
    if value is not None and best is not None and worst is not None:
        low, high = min(best, worst), max(best, worst)
        if not low <= value <= high:
            raise _ItemError(f"{prefix}ratingValue {value:g} is outside {worst:g}..{best:g}")
    return fields


def _record_from_claimreview(node: dict, graph: _Graph, where: str) -> FactCheckRecord:
    url_value = _get(node, "url")
    if _text(url_value) is None and isinstance(node.get("@id"), str):
        url_value = node["@id"]
    url = _web_url(url_value)
    claim = _text(_get(node, "claimReviewed"))
    if claim is None:
        raise _ItemError("no claimReviewed")
    if len(claim) > MAX_TEXT:
        raise _ItemError(f"claimReviewed is longer than {MAX_TEXT} characters")
    item = graph.resolve(_first(_get(node, "itemReviewed")))
    claimant = None
    if isinstance(item, dict):
        claimant = _name(_get(item, "author"), graph) or _name(_get(item, "creator"), graph)
    publisher = _name(_get(node, "author"), graph) or _name(_get(node, "publisher"), graph)
    return FactCheckRecord(
        url=url,
        claim_reviewed=claim,
        publisher=publisher,
        date=_date(_get(node, "datePublished")),
        claimant=claimant,
        title=_text(_get(node, "headline")) or _text(_get(node, "name")),
        where=where,
        **_rating_fields(_get(node, "reviewRating"), graph),
    )


def _candidates(doc: Any, where: str) -> Iterator[tuple[Any, str, bool]]:
    """``(node, where, strict)`` for every item a JSON-LD document offers as a fact-check.

    ``strict`` is False for ``@graph`` members, where nodes of other types are context
    and are passed over without a complaint.
    """
    if isinstance(doc, list):
        for i, node in enumerate(doc, 1):
            yield from _candidates(node, f"{where} item {i}")
        return
    if not isinstance(doc, dict):
        yield doc, where, True
        return
    types = _types(doc)
    if "@graph" in doc and "ClaimReview" not in types:
        nodes = doc["@graph"] if isinstance(doc["@graph"], list) else [doc["@graph"]]
        for i, node in enumerate(nodes, 1):
            if _types(node) & {"DataFeed"}:
                yield from _candidates(node, f"{where} @graph node {i}")
            else:
                yield node, f"{where} @graph node {i}", False
        return
    if "DataFeed" in types:
        elements = _get(doc, "dataFeedElement")
        if elements is None:
            yield doc, where, True  # refused below: a feed without elements
            return
        for i, element in enumerate(elements if isinstance(elements, list) else [elements], 1):
            place = f"{where} dataFeedElement {i}"
            if isinstance(element, dict) and "DataFeedItem" in _types(element):
                items = _get(element, "item")
                items = items if isinstance(items, list) else [items]
                for j, item in enumerate(items, 1):
                    yield item, place if len(items) == 1 else f"{place} item {j}", True
            else:
                yield element, place, True
        return
    yield doc, where, True


def parse_jsonld(data: Any, *, source: str = "JSON-LD") -> ParseResult:
    """Read ClaimReviews from a JSON-LD document.

    Args:
        data: The document as text/bytes, or already decoded (a dict or list).
        source: A name for messages (the file name).

    Returns:
        The records and the refused items.

    Raises:
        FactCheckFileError: when the text is not JSON or holds no object.
    """
    if isinstance(data, (bytes, bytearray)):
        data = _decode(bytes(data), source)
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            raise FactCheckFileError(
                f"{source} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
            ) from None
    if not isinstance(data, (dict, list)):
        raise FactCheckFileError(f"{source} holds no JSON-LD object or list")
    graph = _Graph()
    graph.collect(data)
    result = ParseResult()
    seen: dict[str, str] = {}
    for node, where, strict in _candidates(data, source):
        node = graph.resolve(node)
        types = _types(node)
        if "ClaimReview" not in types:
            if strict:
                what = ", ".join(sorted(types)) if types else type(node).__name__
                if "DataFeed" in types:
                    reason = "a DataFeed without dataFeedElement"
                else:
                    reason = f"not a ClaimReview (@type {what})" if types else f"not a ClaimReview ({what})"
                result.refused.append(Refused(where, reason))
            continue
        _add(result, seen, lambda: _record_from_claimreview(node, graph, where), where,
             _text(_get(node, "url")))
    return result


def _add(result: ParseResult, seen: dict[str, str], make, where: str, url_hint: str | None) -> None:
    try:
        record = make()
    except _ItemError as exc:
        result.refused.append(Refused(where, str(exc), url_hint))
        return
    if record.url in seen:
        result.refused.append(Refused(where, f"same url as {seen[record.url]}, which was kept", record.url))
        return
    seen[record.url] = where
    result.records.append(record)


# --- HTML pages ---------------------------------------------------------------------


class _JsonLdScripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._in = False

    def handle_starttag(self, tag, attrs):
        if tag == "script" and (dict(attrs).get("type") or "").split(";")[0].strip().lower() == "application/ld+json":
            self._in = True
            self.blocks.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in = False

    def handle_data(self, data):
        if self._in:
            self.blocks[-1] += data


def parse_html(text: str, *, source: str = "HTML") -> ParseResult:
    """Read the ClaimReviews in a page's ``application/ld+json`` scripts.

    A block that is not valid JSON is refused with the reason; the other blocks are read.
    """
    scripts = _JsonLdScripts()
    scripts.feed(text)
    if not scripts.blocks:
        raise FactCheckFileError(f"{source} has no <script type=\"application/ld+json\"> block")
    result = ParseResult()
    for i, block in enumerate(scripts.blocks, 1):
        where = f"{source} JSON-LD block {i}"
        try:
            part = parse_jsonld(block, source=where)
        except FactCheckFileError as exc:
            result.refused.append(Refused(where, str(exc).replace(f"{where} ", "", 1)))
            continue
        result.extend(part)
    return _dedupe(result)


def _dedupe(result: ParseResult) -> ParseResult:
    seen: dict[str, str] = {}
    out = ParseResult(refused=list(result.refused))
    for record in result.records:
        if record.url in seen:
            out.refused.append(Refused(record.where, f"same url as {seen[record.url]}, which was kept", record.url))
        else:
            seen[record.url] = record.where
            out.records.append(record)
    return out


# --- CSV ----------------------------------------------------------------------------


def _column_key(name: str) -> str:
    key = re.sub(r"[\s-]+", "_", (name or "").strip().lower())
    return _CSV_ALIASES.get(key.replace("_", ""), _CSV_ALIASES.get(key, key))


def parse_csv(data: str | bytes, *, source: str = "CSV") -> ParseResult:
    """Read fact-checks from CSV with a header row (see the module docstring for columns).

    Raises:
        FactCheckFileError: no header, a required column missing, or not UTF-8.
    """
    text = _decode(data, source) if isinstance(data, (bytes, bytearray)) else data
    text = text.lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    if not first_line.strip():
        raise FactCheckFileError(f"{source} is empty or its first line (the header) is blank")
    try:
        dialect = csv.Sniffer().sniff(first_line, delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise FactCheckFileError(f"{source}: the header cannot be read ({exc})") from None
    keys = [_column_key(h) for h in header]
    missing = [c for c in _REQUIRED_CSV if c not in keys]
    if missing:
        raise FactCheckFileError(
            f"{source}: the header lacks the column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)} (it needs {', '.join(_REQUIRED_CSV)}; may add "
            f"{', '.join(c for c in CSV_COLUMNS + _CSV_OPTIONAL_NUMBERS if c not in _REQUIRED_CSV)})"
        )
    doubled = sorted({k for k in keys if k and keys.count(k) > 1})
    if doubled:
        raise FactCheckFileError(f"{source}: the header names {', '.join(doubled)} more than once")
    result = ParseResult()
    seen: dict[str, str] = {}
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            result.refused.append(Refused(f"{source} line {reader.line_num}", f"unreadable CSV ({exc})"))
            continue
        if not any(cell.strip() for cell in row):
            continue
        where = f"{source} line {reader.line_num}"
        if len(row) > len(keys):
            result.refused.append(Refused(where, f"{len(row)} fields for {len(keys)} columns"))
            continue
        values = dict(zip(keys, row))
        _add(result, seen, lambda: _record_from_row(values, where), where, (values.get("url") or "").strip() or None)
    return result


def _record_from_row(values: dict[str, str], where: str) -> FactCheckRecord:
    url = _web_url(values.get("url"))
    claim = _text(values.get("claim"))
    if claim is None:
        raise _ItemError("the claim is empty")
    if len(claim) > MAX_TEXT:
        raise _ItemError(f"the claim is longer than {MAX_TEXT} characters")
    fields = _checked_rating({
        "rating_name": _text(values.get("rating")),
        "rating_value": _number(values.get("rating_value"), "rating_value"),
        "best_rating": _number(values.get("best_rating"), "best_rating"),
        "worst_rating": _number(values.get("worst_rating"), "worst_rating"),
    }, "")
    return FactCheckRecord(
        url=url,
        claim_reviewed=claim,
        publisher=_text(values.get("publisher")),
        date=_date(values.get("date"), "date"),
        claimant=_text(values.get("claimant")),
        title=_text(values.get("title")),
        where=where,
        **fields,
    )


# --- files --------------------------------------------------------------------------


def _decode(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FactCheckFileError(f"{source} is not UTF-8 text (byte {exc.start})") from None


def _format_of(name: str, text: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix in (".json", ".jsonld"):
        return "jsonld"
    if suffix == ".csv":
        return "csv"
    if suffix in (".html", ".htm"):
        return "html"
    start = text.lstrip()[:1]
    if start in ("{", "["):
        return "jsonld"
    if start == "<":
        return "html"
    return "csv"


def parse_bytes(data: bytes, *, name: str) -> ParseResult:
    """Read a file's bytes as JSON-LD (``.json``/``.jsonld``), CSV (``.csv``) or HTML
    (``.html``); other names are told apart by their first character."""
    text = _decode(data, name)
    kind = _format_of(name, text)
    if kind == "jsonld":
        return parse_jsonld(text, source=name)
    if kind == "html":
        return parse_html(text, source=name)
    return parse_csv(text, source=name)


def parse_file(path: str | Path) -> ParseResult:
    """Read one file (see :func:`parse_bytes`)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FactCheckFileError(f"{path.name} cannot be read ({exc.strerror or exc})") from None
    return parse_bytes(data, name=path.name)


def parse_files(paths: Iterable[str | Path]) -> tuple[ParseResult, list[str]]:
    """Read several files: the records and refused items of all, and one message per
    file that could not be read at all."""
    result, errors = ParseResult(), []
    for path in paths:
        try:
            result.extend(parse_file(path))
        except FactCheckFileError as exc:
            errors.append(str(exc))
    return _dedupe(result), errors

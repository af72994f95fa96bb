"""Turn uploaded bytes, HTML or pasted text into clean article text (no database here)."""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Optional

from app.errors import EmptyText, UnsupportedMedia
from app.links import is_web_url

# Signatures of common binary formats an editor might upload by mistake.
_BINARY_MAGIC = {
    b"%PDF": "a PDF",
    b"PK\x03\x04": "a ZIP or Office document",
    b"\x89PNG": "a PNG image",
    b"GIF8": "a GIF image",
    b"\xff\xd8\xff": "a JPEG image",
    b"\xd0\xcf\x11\xe0": "an old Office document",
    b"\x1f\x8b": "a gzip archive",
    b"{\\rtf": "an RTF document",
}
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|article|meta|div|p)\b", re.I | re.S)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-:.]+)""", re.I)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
ALLOWED_SUFFIXES = (".txt", ".text", ".html", ".htm")


@dataclass
class ArticleText:
    """Article text ready to store, with whatever metadata the source carried."""

    text: str
    title: Optional[str] = None
    publisher: Optional[str] = None
    url: Optional[str] = None
    published_at: Optional[datetime] = None
    notes: list[str] = field(default_factory=list)


def normalise_text(text: str) -> str:
    """NFC, Unix newlines, no control characters, no trailing spaces, at most one blank line."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\ufeff", "").replace("\u00a0", " ")
    text = _CONTROL.sub("", text)
    lines = [line.rstrip() for line in text.split("\n")]
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip("\n ")


def text_fingerprint(text: str) -> str:
    """SHA-256 of the text with all whitespace runs collapsed: re-wrapped copies match."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


def sniff_binary(data: bytes) -> Optional[str]:
    """Name the binary format ``data`` looks like, or None when it may be text."""
    head = data[:8]
    for magic, what in _BINARY_MAGIC.items():
        if head.startswith(magic):
            return what
    sample = data[:4096]
    if b"\x00" in sample and not (sample.startswith((b"\xff\xfe", b"\xfe\xff"))):
        return "a binary file"
    return None


def looks_like_html(data: bytes | str) -> bool:
    """True when the content (not the file name) is an HTML document."""
    head = data[:2048] if isinstance(data, bytes) else data[:2048].encode("utf-8", "ignore")
    return bool(_HTML_START.match(head))


def decode_bytes(data: bytes, declared: Optional[str] = None) -> str:
    """Decode upload bytes: UTF-8 (with or without BOM), then the declared charset, then a
    confident detection; anything else is refused rather than turned into mojibake.

    Raises:
        UnsupportedMedia: binary content, or text in an encoding that cannot be told.
    """
    what = sniff_binary(data)
    if what:
        raise UnsupportedMedia(f"This looks like {what}, not a text or HTML article. Upload a .txt or .html file.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    candidates = []
    if declared:
        candidates.append(declared)
    meta = _META_CHARSET.search(data[:4096])
    if meta:
        candidates.append(meta.group(1).decode("ascii", "ignore"))
    for encoding in candidates:
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and best.encoding and best.chaos < 0.1 and best.coherence > 0.2:
        return str(best)
    raise UnsupportedMedia(
        "The file is not UTF-8 and its encoding could not be told. Save it as UTF-8 and upload it again."
    )


def _parse_date(value: Optional[str]) -> Optional[datetime]:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value[:19])
    except ValueError:
        return None


def html_to_article(html: str, url: Optional[str] = None) -> ArticleText:
    """Main text and metadata of an HTML page with trafilatura; markup and scripts are dropped."""
    import trafilatura

    doc = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=False,
        include_images=False, include_links=False, favor_recall=True,
    )
    if doc is None or not (doc.text or "").strip():
        raise EmptyText("No article text could be found in this HTML page.")
    paragraphs = [p.strip() for p in doc.text.split("\n") if p.strip()]
    if doc.title and paragraphs and paragraphs[0] == doc.title.strip():
        paragraphs = paragraphs[1:]
    page_url = doc.url if is_web_url(doc.url) else None
    return ArticleText(
        text="\n\n".join(paragraphs),
        title=(doc.title or None),
        publisher=(doc.sitename or None),
        url=url or page_url,
        published_at=_parse_date(doc.date),
    )


def guess_title(text: str) -> str:
    """A title for text that came without one: the first short headline-like line."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    for line in lines[:8]:
        words = line.split()
        if 3 <= len(words) <= 16 and not line.endswith((".", ")", '"', "\u201d", ":")):
            return line[:200]
    first = lines[0] if lines else "Untitled article"
    return first if len(first) <= 120 else first[:117].rsplit(" ", 1)[0] + "\u2026"


def read_upload(data: bytes, filename: str = "", content_type: Optional[str] = None) -> ArticleText:
    """An uploaded file's article text: the type is told from the content, not the name.

    Raises:
        UnsupportedMedia: a name that is not .txt/.html, binary content, or an unknown encoding.
        EmptyText: nothing left after extraction.
    """
    lower = filename.lower()
    if filename and not lower.endswith(ALLOWED_SUFFIXES):
        raise UnsupportedMedia(f"{filename!r} is not a .txt or .html file.")
    if not data.strip():
        raise EmptyText(f"{filename or 'The file'} is empty.")
    declared = None
    if content_type and "charset=" in content_type:
        declared = content_type.split("charset=", 1)[1].split(";")[0].strip()
    text = decode_bytes(data, declared)
    if looks_like_html(data):
        return html_to_article(text)
    return ArticleText(text=text)

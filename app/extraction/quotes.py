"""Quotation-mark spans in plain text.

Finds the passages that sit between quotation marks, paragraph by paragraph (a paragraph
is a line of the text). Works on characters only, before and independent of any parse:

* double marks: straight ``"``, curly ``“ ”``, low ``„``, guillemets ``« »`` and the
  two-apostrophe ``''`` / two-backtick ````` `` ````` convention of some wires;
* single curly marks ``‘ … ’`` when the closing ``’`` is not an apostrophe (``Trump’s``);
* the multi-paragraph convention: a paragraph that leaves a quote open and a following
  paragraph that opens with a quotation mark continue the same quotation;
* unbalanced marks never raise: a quote left open closes at the end of its paragraph.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

OPENERS = ("“", "„", "«", "``")
CLOSERS = ("”", "»")
TOGGLES = ("''", '"')
# a closing ’ follows a word or punctuation and is not followed by a letter or digit
# (``Trump’s``, ``the ’90s`` are apostrophes)
_APOSTROPHE_CLOSE = re.compile(r"(?<=\S)’(?![A-Za-z0-9])")
_OPENING_CONTEXT = "([{—–-/"  # a straight mark right after these (or a space) opens
_PARAGRAPH = re.compile(r"[^\n]+")


@dataclass(frozen=True)
class Quotation:
    """One quoted passage, possibly over several paragraphs.

    ``start``/``end`` cover the whole passage with its marks; ``pieces`` are the inner
    (mark-free) spans, one per paragraph; ``closed`` is False when the last mark is
    missing.
    """

    start: int
    end: int
    pieces: tuple[tuple[int, int], ...]
    closed: bool = True

    @property
    def inner_start(self) -> int:
        return self.pieces[0][0]

    @property
    def inner_end(self) -> int:
        return self.pieces[-1][1]


@dataclass(frozen=True)
class _Marked:
    """A quote inside one paragraph: mark positions and whether it was closed."""

    start: int
    inner_start: int
    inner_end: int
    end: int
    closed: bool


def _mark_at(line: str, i: int) -> tuple[str, int] | None:
    """Return (role, length) of a double quotation mark starting at line[i], if any."""
    two = line[i:i + 2]
    if two == "``":
        return "open", 2
    if two == "''":
        return "toggle", 2
    c = line[i]
    if c in "“„«":
        return "open", 1
    if c in "”»":
        return "close", 1
    if c == '"':
        return "toggle", 1
    return None


def _closes_like(line: str, i: int, length: int) -> bool:
    """Does the mark at line[i] sit where a closing mark goes: right after a word or
    punctuation, and before a space, punctuation or the end of the line?"""
    after = line[i + length:i + length + 1]
    return i > 0 and not line[i - 1].isspace() and (after == "" or after.isspace() or
                                                     after in ",.;:!?")


def _opens_like(line: str, i: int, length: int) -> bool:
    """Does the mark at line[i] sit where an opening mark goes: at the line start or after
    a space or an opening bracket or dash, and before a word?"""
    after = line[i + length:i + length + 1]
    return (i == 0 or line[i - 1].isspace() or line[i - 1] in _OPENING_CONTEXT) and \
        after != "" and not after.isspace()


def _scan_paragraph(line: str, offset: int) -> list[_Marked]:
    """Find the quotes of one paragraph (line), in order."""
    found: list[_Marked] = []
    inside = False
    open_at = open_len = 0
    i = 0
    n = len(line)
    while i < n:
        mark = _mark_at(line, i)
        if mark is not None:
            role, length = mark
            if role == "toggle" and not inside and _closes_like(line, i, length) and \
                    not _opens_like(line, i, length):
                i += length  # a stray mark after a word ('6" of rain'): opens nothing
                continue
            if role == "toggle" and inside and _opens_like(line, i, length) and \
                    not _closes_like(line, i, length):
                role = "open"  # 'the "plan a mess. "We will …': the first never closed
            if not inside and role in ("open", "toggle"):
                inside, open_at, open_len = True, i, length
            elif inside and role in ("close", "toggle"):
                found.append(_Marked(offset + open_at, offset + open_at + open_len,
                                     offset + i, offset + i + length, True))
                inside = False
            elif inside and role == "open" and _closes_like(line, i, length):
                # '“It's unusual,“ said …': an opening mark typed where a closing one goes
                found.append(_Marked(offset + open_at, offset + open_at + open_len,
                                     offset + i, offset + i + length, True))
                inside = False
            elif inside and role == "open":
                # a new opening mark inside a quote: the previous quote was never closed
                found.append(_Marked(offset + open_at, offset + open_at + open_len,
                                     offset + i, offset + i, False))
                open_at, open_len = i, length
            i += length
            continue
        if not inside and line[i] == "‘" and (i == 0 or not line[i - 1].isalnum()):
            m = _APOSTROPHE_CLOSE.search(line, i + 1)
            if m and m.start() > i + 1:
                found.append(_Marked(offset + i, offset + i + 1, offset + m.start(),
                                     offset + m.end(), True))
                i = m.end()
                continue
        i += 1
    if inside:
        end = n
        while end > open_at + open_len and line[end - 1].isspace():
            end -= 1
        found.append(_Marked(offset + open_at, offset + open_at + open_len,
                             offset + end, offset + end, False))
    return found


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink (start, end) past surrounding white space."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def find_quotations(text: str, join_paragraphs: bool = True) -> list[Quotation]:
    """Find the quoted passages of a text.

    Args:
        text: plain text, paragraphs separated by newlines.
        join_paragraphs: join a quote left open at the end of a paragraph with the quote
            that opens the next paragraph (the multi-paragraph quotation convention).

    Returns:
        Quotations in text order; empty inner passages are dropped.
    """
    per_paragraph: list[list[_Marked]] = []
    for m in _PARAGRAPH.finditer(text):
        per_paragraph.append(_scan_paragraph(m.group(), m.start()))
    result: list[Quotation] = []
    pending: list[_Marked] = []  # open quote pieces waiting for their continuation
    for marks in per_paragraph:
        for k, mk in enumerate(marks):
            continues = (pending and k == 0 and join_paragraphs
                         and text[pending[-1].end:mk.start].strip() == ""
                         and _opens_paragraph_quote(text, pending[0].start))
            if pending and not continues:
                result.append(_to_quotation(text, pending))
                pending = []
            pending.append(mk)
            if mk.closed or k < len(marks) - 1:
                result.append(_to_quotation(text, pending))
                pending = []
        if not marks and pending:
            result.append(_to_quotation(text, pending))
            pending = []
    if pending:
        result.append(_to_quotation(text, pending))
    return [q for q in result if q.pieces]


def _opens_paragraph_quote(text: str, at: int) -> bool:
    """Can a quote opening at ``at`` run on into the next paragraph: does it open its
    paragraph or follow a colon, comma or dash (``He said: "…``), rather than a word
    (``the "plan is …``: a stray mark)?"""
    before = text[:at].rstrip(" \t")
    return not before or before[-1] in "\n:,;—–-("


def _to_quotation(text: str, marked: list[_Marked]) -> Quotation:
    pieces = []
    for mk in marked:
        s, e = _trim(text, mk.inner_start, mk.inner_end)
        if e > s:
            pieces.append((s, e))
    return Quotation(marked[0].start, marked[-1].end, tuple(pieces), marked[-1].closed)

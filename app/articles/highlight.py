"""Article text as HTML paragraphs with claim spans marked. Every character is escaped.

Shared by the article page and the claim page (``article_marks``, ``context_window``), so
neither routes module imports the other.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Optional

from flask import url_for
from markupsafe import Markup, escape

if TYPE_CHECKING:
    from app.models import Claim


@dataclass(frozen=True)
class Mark:
    start: int
    end: int
    claim_id: int
    kind: str
    label: str  # accessible name: "Claim 12 by Jens Stoltenberg"
    url: str


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph: runs of text between blank lines."""
    spans, pos = [], 0
    for match in re.finditer(r"\n\s*\n", text):
        if text[pos:match.start()].strip():
            spans.append((pos, match.start()))
        pos = match.end()
    if text[pos:].strip():
        spans.append((pos, len(text)))
    return spans


def highlight(text: str, marks: Iterable[Mark], *, focus: Optional[int] = None,
              window: Optional[tuple[int, int]] = None) -> Markup:
    """Render ``text`` as <p> paragraphs with each mark as a link to its claim.

    Overlapping marks (a partial quote inside reported speech) show the innermost one.
    Args:
        focus: claim id to emphasise (its first piece gets ``id="focus"``).
        window: only the paragraphs that overlap this (start, end) range are rendered.
    """
    marks = sorted(marks, key=lambda m: (m.start, -(m.end - m.start)))
    out: list[str] = []
    focus_done = False
    for p_start, p_end in paragraphs(text):
        if window and (p_end <= window[0] or p_start >= window[1]):
            continue
        inside = [m for m in marks if m.start < p_end and m.end > p_start]
        cuts = sorted({p_start, p_end, *(max(p_start, min(p_end, b)) for m in inside for b in (m.start, m.end))})
        pieces = []
        for a, b in zip(cuts, cuts[1:]):
            if a == b:
                continue
            chunk = escape(text[a:b]).replace("\n", Markup("<br>"))
            covering = [m for m in inside if m.start <= a and m.end >= b]
            if not covering:
                pieces.append(str(chunk))
                continue
            mark = min(covering, key=lambda m: (m.end - m.start, m.claim_id != focus))
            if any(m.claim_id == focus for m in covering):
                mark = next(m for m in covering if m.claim_id == focus)
            classes = f"quote quote-{mark.kind}" + (" quote-focus" if mark.claim_id == focus else "")
            anchor = ""
            if mark.claim_id == focus and not focus_done:
                anchor, focus_done = ' id="focus"', True
            pieces.append(
                f'<a href="{escape(mark.url)}" class="{classes}" data-claim="{mark.claim_id}"{anchor} '
                f'title="{escape(mark.label)}"><mark>{chunk}</mark></a>'
            )
        # data-start: the paragraph's offset in the text, so a selection's offsets can be read
        # back (static/js/selection.js): inside it, each character is one, a line break a <br>.
        out.append(f'<p data-start="{p_start}">' + "".join(pieces) + "</p>")
    return Markup("\n".join(out))


def article_marks(claims: Iterable["Claim"]) -> list[Mark]:
    """Highlight marks for claims of one article, each linking to its claim page: one per
    quoted piece (the narration inside an interrupted quote stays unmarked). Marks are
    worked out from the claims as they are now, so a corrected span is highlighted where
    it now lies; pass only live claims (``claims_of_article``)."""
    return [
        Mark(start, end, c.id, c.kind,
             f"Claim #{c.id} ({c.kind}) by {c.speaker.name if c.speaker else 'unknown speaker'}",
             url_for("claims.show", claim_id=c.id))
        for c in claims if not c.removed
        for start, end in c.pieces
    ]


def context_window(claim: "Claim", around: int = 1) -> tuple[int, int]:
    """The character range of the claim's paragraphs plus ``around`` paragraphs each side."""
    paras = paragraphs(claim.article.text)
    hit = [i for i, (a, b) in enumerate(paras) if a < claim.end and b > claim.start] or [0]
    lo, hi = max(0, hit[0] - around), min(len(paras) - 1, hit[-1] + around)
    return (paras[lo][0], paras[hi][1]) if paras else (0, 0)

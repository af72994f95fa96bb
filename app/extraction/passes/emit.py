"""Pass 7, emit: claims to :class:`..result.Quote` records with character offsets.

Input: the view and the claims with their resolutions. Output: quotes in order. A claim
with joined pieces (an interrupted quote) becomes one quote per piece, each after the
first ``continues`` the one before (the desk's convention), or one quote with every piece
in ``content_spans`` (``group_interrupted``: PolNeAR's convention).
"""
from __future__ import annotations

from dataclasses import replace

from ..claims import Claim
from ..document import DocView
from ..result import Quote


def emit(view: DocView, claims: list[Claim], group_interrupted: bool = False) -> list[Quote]:
    """Quotes of the claims, in order (see the module docstring)."""
    quotes: list[Quote] = []
    for c in claims:
        if group_interrupted or not c.joined:
            parts = [(c.kind, c.spans)]
        else:
            later = {s for _, spans in c.joined for s in spans}
            parts = [(c.first_kind or c.kind, [s for s in c.spans if s not in later])]
            parts += c.joined
        first = len(quotes)
        for kind, spans in parts:
            quote = quote_of(view, c, kind, spans)
            if quote is not None:
                quotes.append(replace(quote, continues=len(quotes) - 1)
                              if len(quotes) > first else quote)
    return quotes


def quote_of(view: DocView, c: Claim, kind: str, spans) -> Quote | None:
    """One quote of a claim's spans; a comma closing a piece belongs to the frame."""
    spans = tuple(sorted({without_frame_comma(view.text, s, e) for s, e in spans}))
    spans = tuple((s, e) for s, e in spans if e > s)
    if not spans:
        return None
    text, doc = view.text, view.doc
    start, end = spans[0][0], spans[-1][1]
    res = c.resolution
    speaker = res.speaker if res else None
    name = res.name if res else None
    cue = c.cue
    cue_start = doc[cue.start].idx if cue else None
    cue_end = (doc[cue.end - 1].idx + len(doc[cue.end - 1].text)) if cue else None
    return Quote(
        content=text[start:end], content_start=start, content_end=end,
        content_spans=spans, speaker=name,
        speaker_start=res.start if res else None,
        speaker_end=res.end if res else None,
        speaker_kind=speaker.kind if speaker is not None else "unknown",
        speaker_role=speaker.role if speaker else None,
        speaker_aliases=tuple(a for a in (speaker.aliases if speaker else []) if a != name),
        cue=text[cue_start:cue_end] if cue else None,
        cue_start=cue_start, cue_end=cue_end, kind=kind,
        speaker_named=bool(speaker is not None and speaker.named))


def without_frame_comma(text: str, s: int, e: int) -> tuple[int, int]:
    """``"Prices will fall," he said``: the piece ends before the comma."""
    while e > s and text[e - 1] in ", ":
        e -= 1
    return s, e

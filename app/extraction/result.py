"""The engine's output record: one attributed quote, as plain data."""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace


@dataclass(frozen=True)
class Quote:
    """One attributed quote or reported claim, with character offsets into the text.

    ``speaker_named`` is False when ``speaker`` is only the mention as written (``the
    mayor``, ``she``): a role or a pronoun whose holder's name the text does not give.
    ``continues`` is the index of the quote this one continues: the earlier piece of a
    quote interrupted by its attribution (``"…," she said. "…"``) or of one running over
    paragraphs.
    """

    content: str
    content_start: int
    content_end: int
    content_spans: tuple[tuple[int, int], ...]
    speaker: str | None
    speaker_start: int | None
    speaker_end: int | None
    speaker_kind: str
    speaker_role: str | None
    speaker_aliases: tuple[str, ...]
    cue: str | None
    cue_start: int | None
    cue_end: int | None
    kind: str
    duplicate_of: int | None = None
    speaker_named: bool = True
    continues: int | None = None

    def to_dict(self) -> dict:
        """JSON-ready dict of every field (tuples become lists)."""
        d = asdict(self)
        d["content_spans"] = [list(s) for s in self.content_spans]
        d["speaker_aliases"] = list(self.speaker_aliases)
        return d


def flag_duplicates(quotes: list[Quote]) -> list[Quote]:
    """Point each repeat of an earlier quote (same words, same speaker) at its first
    occurrence through ``duplicate_of`` (a caption printed twice, say)."""
    seen: dict[tuple[str, str | None], int] = {}
    out = []
    for q in quotes:
        key = (" ".join(q.content.split()), q.speaker)
        first = seen.setdefault(key, len(out))
        out.append(replace(q, duplicate_of=None if first == len(out) else first))
    return out


def shifted(q: Quote, off: int) -> Quote:
    if not off:
        return q
    add = lambda v: None if v is None else v + off  # noqa: E731
    return Quote(q.content, q.content_start + off, q.content_end + off,
                 tuple((s + off, e + off) for s, e in q.content_spans), q.speaker,
                 add(q.speaker_start), add(q.speaker_end), q.speaker_kind, q.speaker_role,
                 q.speaker_aliases, q.cue, add(q.cue_start), add(q.cue_end), q.kind,
                 q.duplicate_of, q.speaker_named, q.continues)


def renumbered(q: Quote, by: int) -> Quote:
    """``q`` with its ``continues`` index moved by ``by`` (quotes appended to a list)."""
    return q if q.continues is None or not by else replace(q, continues=q.continues + by)


def split_at_paragraphs(quotes: list[Quote], text: str) -> list[Quote]:
    """One quote per paragraph of each quote that runs over paragraphs; each piece keeps
    the speaker, cue and kind found for the whole and ``continues`` the piece before it.
    Pieces within a paragraph stay together; ``continues`` indices are renumbered."""
    out: list[Quote] = []
    last_piece: dict[int, int] = {}  # old index -> new index of its last piece
    for k, q in enumerate(quotes):
        prev = None if q.continues is None else last_piece.get(q.continues)
        groups: list[list[tuple[int, int]]] = [[q.content_spans[0]]] if q.content_spans else []
        for span in q.content_spans[1:]:
            if "\n" in text[groups[-1][-1][1]:span[0]]:
                groups.append([span])
            else:
                groups[-1].append(span)
        if len(groups) < 2:
            out.append(replace(q, continues=prev))
        else:
            for g in groups:
                out.append(replace(q, content=text[g[0][0]:g[-1][1]], content_start=g[0][0],
                                   content_end=g[-1][1], content_spans=tuple(g),
                                   continues=prev))
                prev = len(out) - 1
        last_piece[k] = len(out) - 1
    return out

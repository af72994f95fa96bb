"""The engine's output record: one attributed quote, as plain data."""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace


@dataclass(frozen=True)
class Quote:
    """One attributed quote or reported claim, with character offsets into the text."""

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
                 None if q.duplicate_of is None else q.duplicate_of)


def split_at_paragraphs(q: Quote, text: str) -> list[Quote]:
    """One quote per paragraph of a quote that runs over paragraphs; each piece keeps the
    speaker, cue and kind found for the whole. Pieces within a paragraph stay together."""
    groups: list[list[tuple[int, int]]] = [[q.content_spans[0]]] if q.content_spans else []
    for span in q.content_spans[1:]:
        if "\n" in text[groups[-1][-1][1]:span[0]]:
            groups.append([span])
        else:
            groups[-1].append(span)
    if len(groups) < 2:
        return [q]
    return [replace(q, content=text[g[0][0]:g[-1][1]], content_start=g[0][0], content_end=g[-1][1],
                    content_spans=tuple(g)) for g in groups]

"""The records the passes hand each other: speaker candidates and claims being built."""
from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Token

from .cues import Cue
from .quotes import Quotation
from .speakers import Resolution


@dataclass(frozen=True)
class Candidate:
    """A possible speaker of a claim: the head of a mention, where it was found
    (``source``: cue_after, cue_before, near_cue, byline, colon_intro for a direct quote;
    cue_subject, label, document otherwise), and the cue it hangs on (if any). ``rank``
    orders candidates of one source by distance."""

    head: Token
    source: str
    cue: Cue | None = None
    rank: int = 0


@dataclass
class Claim:
    """A quote or reported claim being built: content pieces, speaker, cue.

    ``quotations`` are the quotation spans the claim consumed (no later pass uses them
    again). ``speaker_head`` is the chosen speaker mention; ``carry`` marks a claim whose
    speaker comes from context (the carry-over pass).
    """

    spans: list[tuple[int, int]]
    kind: str
    para: int
    cue: Cue | None = None
    speaker_head: Token | None = None
    carry: str | None = None
    quotations: list[Quotation] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    resolution: Resolution | None = None
    key: str = ""                     # reported-speech pattern ("say|ccomp"), if any
    speechlike: bool = True           # for a cue-less quote: could it be someone's words?
    score: float = 1.0
    # pieces joined onto this claim by the assemble pass: (kind, spans) of each, in order
    joined: list[tuple[str, list[tuple[int, int]]]] = field(default_factory=list)
    first_kind: str | None = None     # the kind before pieces were joined on

    @property
    def start(self) -> int:
        return self.spans[0][0]

    @property
    def end(self) -> int:
        return self.spans[-1][1]


def taken_by(claims: list[Claim]) -> set[int]:
    """ids of the quotations the claims consumed (a pass's explicit output)."""
    return {id(q) for c in claims for q in c.quotations}

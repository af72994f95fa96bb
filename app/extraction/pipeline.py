"""The passes for one parsed text, in order (see :mod:`.passes` for each one's input and
output). :func:`attribute` is what the engine calls; :func:`find_claims` stops before
emitting (cue mining and the speaker model's training read the claims)."""
from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc

from . import thresholds as T
from .claims import Claim, taken_by
from .document import DocView
from .passes.assemble import assemble
from .passes.carry import resolve_and_carry
from .passes.choice import SpeakerModel, choose_speakers
from .passes.direct import find_direct
from .passes.emit import emit
from .passes.fragments import find_fragments, find_labelled_lines
from .passes.reported import find_reported, inside_reported
from .quotes import find_quotations
from .result import Quote
from .speakers import SpeakerResolver


@dataclass(frozen=True)
class Options:
    """What the passes keep.

    Args:
        threshold: least mined precision of a reported-speech pattern.
        keep_nested: keep reported claims nested in another claim (cue mining).
        keep_unattributed: keep a quotation whose speaker is found nowhere.
        group_interrupted: one quote for a quote interrupted by its attribution.
        learned_reported: accept reported speech by the learned model (else by the
            pattern's mined precision; mining and training use that).
    """

    threshold: float = T.REPORTED_THRESHOLD
    keep_nested: bool = False
    keep_unattributed: bool = False
    group_interrupted: bool = False
    learned_reported: bool = True


def find_candidates(view: DocView, options: Options = Options()) -> list[Claim]:
    """Passes 3a-3c: every claim of the text with its speaker candidates, unassembled."""
    direct = find_direct(view)
    reported = find_reported(view, direct, taken_by(direct), options.threshold,
                             options.learned_reported)
    taken = taken_by(direct) | taken_by(reported)
    claims = [c for c in direct if not inside_reported(c, reported)] + reported
    lines = find_labelled_lines(view, claims)
    claims += lines
    claims += find_fragments(view, taken | taken_by(lines))
    return claims


def find_claims(doc: Doc, options: Options = Options(),
                model: SpeakerModel | None = None) -> tuple[DocView, list[Claim]]:
    """Passes 1-6 on one parsed text: its claims with speakers resolved, in order."""
    view = DocView(doc, find_quotations(doc.text, join_paragraphs=True))
    if not doc.text.strip():
        return view, []
    claims = find_candidates(view, options)
    choose_speakers(view, claims, model)
    claims = assemble(view, claims, options.keep_nested)
    resolver = SpeakerResolver(doc, view.outside)
    claims = resolve_and_carry(view, claims, resolver, options.keep_unattributed)
    return view, claims


def attribute(doc: Doc, options: Options = Options(),
              model: SpeakerModel | None = None) -> list[Quote]:
    """Every attributed quote and claim of one parsed text (passes 1-7)."""
    view, claims = find_claims(doc, options, model)
    return emit(view, claims, options.group_interrupted)

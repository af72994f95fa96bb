"""Pass 6, resolution and carry-over: every chosen mention to a speaker, and a speaker
for the quotes whose frame names none.

Mentions are resolved in text order (so ``he`` finds the last speaker before it). A
stand-alone quote then takes, in this order: the named subject of the sentence just
before it in its paragraph; the speaker of an intro line ending in a colon, or of the
last attributed claim, in the paragraph before (teaser lines skipped); a ``— Name`` line
after it.

Input: the view, the assembled claims, a :class:`..speakers.SpeakerResolver`. Output:
each claim's ``resolution`` (and a carried-over cue) set; returns the claims that keep a
speaker or may stand without one.
"""
from __future__ import annotations

from spacy.tokens import Token

from .. import thresholds as T
from ..claims import Claim
from ..cues import Cue, find_cues, subject_of
from ..document import DASHES, DocView
from ..lexicon import SPEECH_CUES
from ..speakers import ROLE_NOUNS, Resolution, SpeakerResolver
from ..wordlists import words

TEASER_LABELS = words("teaser_labels")


def resolve_and_carry(view: DocView, claims: list[Claim], resolver: SpeakerResolver,
                      keep_unattributed: bool = False) -> list[Claim]:
    """Resolve chosen mentions in text order, then carry speakers over to the rest.

    Args:
        view: the parsed text.
        claims: assembled claims (pass 4).
        resolver: the text's speaker resolver (its history orders pronouns).
        keep_unattributed: keep a carried claim no speaker was found for.

    Returns:
        The claims, in order; without the unattributed ones unless asked.
    """
    order = sorted(claims, key=lambda c: (c.speaker_head.i if c.speaker_head is not None
                                          else view.tok_at(c.start), c.start))
    for c in order:
        if c.speaker_head is not None:
            c.resolution = resolver.resolve(c.speaker_head)
    for c in claims:
        if c.speaker_head is None and c.carry:
            c.resolution, cue = context_speaker(view, c, claims, resolver)
            if c.cue is None and cue is not None:
                c.cue = cue
    if keep_unattributed:
        return claims
    # a quotation nobody is named for (a list item, a transcript line, a slogan in a
    # caption): in PolNeAR train none of 80 such was a gold attribution
    return [c for c in claims if not (c.carry and c.resolution is None)]


def context_speaker(view: DocView, c: Claim, claims: list[Claim],
                    resolver: SpeakerResolver) -> tuple[Resolution | None, Cue | None]:
    """Speaker of a stand-alone quote (see the module docstring for the order)."""
    subject = sentence_subject_before(view, view.tok_at(c.start))
    if subject is not None:
        return resolver.resolve(subject), None
    p = c.para - 1
    skipped = 0
    while p >= 0:
        toks = view.para_tokens(p)
        if not toks:
            p -= 1
            continue
        if is_teaser(view, toks) and skipped < T.TEASERS_SKIPPED:
            skipped += 1
            p -= 1
            continue
        if toks[-1].text == ":":
            cues = [cu for cu in find_cues([t for t in toks if view.outside[t.i]],
                                           SPEECH_CUES) if cu.subject is not None]
            if cues:
                return resolver.resolve(cues[-1].subject), cues[-1]
            subject = intro_subject(toks[-1])
            if subject is not None:
                return resolver.resolve(subject), None
        earlier = [o for o in claims if o.para <= p <= view.para_of[view.tok_at(o.end - 1)]
                   and o.resolution is not None and
                   o.resolution.speaker is not None and o is not c]
        if earlier:
            return max(earlier, key=lambda o: o.start).resolution, None
        break
    nxt = c.para + 1
    if nxt < view.n_paras:
        toks = view.para_tokens(nxt)
        if 0 < len(toks) <= T.LINE_AFTER_MAX_TOKENS and (
                toks[0].text in DASHES or toks[0].ent_type_ == "PERSON"):
            names = [t for t in toks if t.ent_type_ == "PERSON"]
            if names:
                return resolver.resolve(names[-1]), None
    return None, None


def sentence_subject_before(view: DocView, a: int) -> Token | None:
    """``Sanders identified X as a reason. "…"``: the named subject of the sentence just
    before a quote, in the same paragraph."""
    doc = view.doc
    i = a - 1
    while i >= 0 and (doc[i].is_space or doc[i].is_punct) and view.para_of[i] == view.para_of[a]:
        i -= 1
    if i < 0 or view.para_of[i] != view.para_of[a] or not view.outside[i]:
        return None
    root = doc[i].sent.root
    if root.pos_ not in ("VERB", "AUX") or not view.outside[root.i]:
        return None
    subj = subject_of(root)
    if subj is not None and view.outside[subj.i] and (
            subj.ent_type_ in ("PERSON", "ORG") or subj.tag_ in ("NNP", "NNPS") or
            subj.lower_ in ("he", "she", "they")):
        return subj
    return None


def intro_subject(colon: Token) -> Token | None:
    """The subject of a sentence that ends in a colon ("The mayor had a warning:")."""
    root = colon.sent.root
    subj = subject_of(root) if root.pos_ in ("VERB", "AUX") else None
    if subj is not None and (subj.ent_type_ in ("PERSON", "ORG", "NORP", "GPE") or
                             subj.tag_ in ("PRP", "NNP", "NNPS") or
                             subj.lemma_.lower() in ROLE_NOUNS or
                             any(c.dep_ == "appos" for c in subj.children)):
        return subj
    return None


def is_teaser(view: DocView, toks: list[Token]) -> bool:
    """A short line with no quotation and no person in it, or a "Watch: …" label."""
    if len(toks) >= 2 and toks[1].text == ":" and toks[0].lower_ in TEASER_LABELS:
        return True
    if any(not view.outside[t.i] for t in toks) or toks[-1].text == ":":
        return False
    if any(t.pos_ == "VERB" and t.lemma_.lower() in SPEECH_CUES for t in toks):
        return False
    return len(toks) <= T.TEASER_MAX_WORDS and not any(t.ent_type_ == "PERSON" for t in toks)

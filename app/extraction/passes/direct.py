"""Pass 3a, direct quotes: quotations that stand as sentences, with their frame.

Input: a :class:`..document.DocView`. Output: one :class:`..claims.Claim` per such
quotation, with every speaker candidate its frame offers (a cue's subject after or before
the quote, a name next to a subject-less cue, a ``— Name`` byline, the subject of an
intro ending in a colon); choosing among them is pass 5. A quotation with no candidate
is marked ``carry`` (its speaker comes from context, pass 6).
"""
from __future__ import annotations

from spacy.tokens import Doc, Token

from .. import thresholds as T
from ..claims import Candidate, Claim
from ..cues import Cue, find_cues, subject_of
from ..document import DASHES, SENTENCE_END, DocView, speechlike
from ..lexicon import SPEECH_CUES
from ..quotes import Quotation
from ..speakers import ROLE_NOUNS
from ..wordlists import words

CONTINUATIONS = words("continuations")


def find_direct(view: DocView) -> list[Claim]:
    """Quotations that stand as sentences, with their speaker candidates.

    Args:
        view: the parsed text with its quotations.

    Returns:
        Claims of kind ``direct`` in text order.
    """
    claims = []
    for q in view.quotations:
        a, b = view.q_tokens(q)
        before, after = frame_before(view, a), frame_after(view, b)
        words_before = [t for t in before if not t.is_punct]
        words_after = [t for t in after if not t.is_punct]
        cues_after = find_cues(after, SPEECH_CUES)
        cues_before = find_cues(before, SPEECH_CUES)
        last_inner = view.text[q.inner_end - 1] if q.inner_end > q.inner_start else ""
        if cues_before and reports_clause_around(cues_before[-1], a):
            continue  # 'adding that if …, "hanging on …"': part of a reported clause
        starts = (not words_before or all(t.lower_ in CONTINUATIONS for t in words_before)
                  or (before and before[-1].text in (":", ",") and
                      (cues_before or before[-1].text == ":"))
                  or (cues_before and before[-1].i == cues_before[-1].end - 1
                      and not words_after))
        ends = (not words_after or bool(cues_after) or
                (after and after[0].text in {",", ":"} | DASHES) or
                last_inner in ",?!—-")
        if not (starts and ends):
            continue
        claim = Claim(list(q.pieces), "direct", view.para_of[a], quotations=[q])
        claim.candidates = candidates(view, q, before, after, cues_before, cues_after)
        own_after, own_before = own_cues(view, cues_after), own_cues(view, cues_before)
        claim.cue = (own_after[:1] or own_before[-1:] or [None])[0]
        if not claim.candidates and claim.cue is None:
            claim.carry = "context"
            claim.speechlike = speechlike(view, q)
        claims.append(claim)
    return claims


def candidates(view: DocView, q: Quotation, before: list[Token], after: list[Token],
               cues_before: list[Cue], cues_after: list[Cue]) -> list[Candidate]:
    """Every speaker candidate the frame of a quotation offers, nearest first per source."""
    found: list[Candidate] = []
    frame = before + after
    for source, cues in (("cue_after", own_cues(view, cues_after)),
                         ("cue_before", list(reversed(own_cues(view, cues_before))))):
        for rank, cue in enumerate(cues):
            if cue.subject is not None and view.outside[cue.subject.i]:
                found.append(Candidate(cue.subject, source, cue, rank))
            else:
                near = nearby_name(cue, frame)
                if near is not None:
                    found.append(Candidate(near, "near_cue", cue, rank))
    head = byline(after)
    if head is not None:
        found.append(Candidate(head, "byline"))
    head = colon_intro(view, before)
    if head is not None:
        found.append(Candidate(head, "colon_intro"))
    seen, unique = set(), []
    for c in found:
        if c.head.i not in seen:
            seen.add(c.head.i)
            unique.append(c)
    return unique


def own_cues(view: DocView, cues: list[Cue]) -> list[Cue]:
    """Cues that can attribute a quotation: a cue reporting a clause of its own outside
    quotation marks (``"…." Kasich said he would …``) attributes something else."""
    return [c for c in cues if c.complement is None or not view.outside[c.complement.i]]


def frame_before(view: DocView, a: int) -> list[Token]:
    """Tokens of the same paragraph and sentence before token ``a``, outside quotes."""
    doc, out = view.doc, []
    para = view.para_of[a]
    i = a - 1
    while i >= 0 and view.para_of[i] == para and view.plain(i):
        if doc[i].text in SENTENCE_END:
            break
        out.append(doc[i])
        i -= 1
    return [t for t in reversed(out) if not t.is_space]


def frame_after(view: DocView, b: int) -> list[Token]:
    """Tokens of the same paragraph and sentence after token ``b``, outside quotes."""
    doc, out = view.doc, []
    para = view.para_of[b]
    i = b + 1
    inner_last = doc[b - 1].text if b > 0 and view.quote_of[b - 1] is not None else ""
    if inner_last in SENTENCE_END and i < len(doc) and doc[i].text[:1].isupper() and \
            not starts_attribution(doc, i):
        return []  # '"… joy." Others paid tribute' : the quote ended its sentence
    while i < len(doc) and view.para_of[i] == para and view.plain(i):
        out.append(doc[i])
        if doc[i].text in SENTENCE_END:
            break
        i += 1
    return [t for t in out if not t.is_space]


def starts_attribution(doc: Doc, i: int) -> bool:
    """Does an attribution start at token i ("He said", "Smith told", "said Smith")?"""
    for tok in doc[i:i + T.ATTRIBUTION_START_WINDOW]:
        if tok.pos_ in ("VERB", "AUX") and tok.lemma_.lower() in SPEECH_CUES:
            return True
        if tok.is_punct:
            return False
    return False


def reports_clause_around(cue: Cue, a: int) -> bool:
    """Does the cue's reported clause start before the quotation at token ``a`` and run
    into it (the quotation is the end of an indirect clause)?"""
    comp = cue.complement
    if comp is None:
        return False
    words_ = [t for t in comp.subtree if t.i < a and not (t.is_punct or t.is_space)]
    return bool(words_) and comp.right_edge.i >= a and any(t.dep_ != "mark" for t in words_)


def nearby_name(cue: Cue, frame: list[Token]) -> Token | None:
    """A speaker head next to a cue whose parse has no subject (``said Smith``)."""
    cands = [t for t in frame if t.tag_ in ("NNP", "NNPS", "PRP") or
             t.ent_type_ in ("PERSON", "ORG")]
    if not cands:  # '…," said the woman'
        cands = [t for t in frame if t.tag_ in ("NN", "NNS") and not t.ent_type_ and
                 t.dep_ in ("nsubj", "dobj", "attr", "npadvmod", "appos", "ROOT")]
    if not cands:
        return None
    return min(cands, key=lambda t: abs(t.i - cue.token.i))


def colon_intro(view: DocView, before: list[Token]) -> Token | None:
    """``Rubio fired back: "…"``: the subject of the clause a colon closes."""
    if not before or before[-1].text != ":":
        return None
    verbs = [t for t in before if t.pos_ in ("VERB", "AUX")]
    if not verbs:
        return name_label(before[:-1])
    subj = subject_of(verbs[-1])
    if subj is not None and view.outside[subj.i] and subj.i >= before[0].i and (
            subj.ent_type_ in ("PERSON", "ORG", "NORP", "GPE") or
            subj.tag_ in ("PRP", "NNP", "NNPS", "NNS") or
            subj.lemma_.lower() in ROLE_NOUNS):
        return subj
    return None


def name_label(toks: list[Token]) -> Token | None:
    """``Bush: "…"``, ``… - Carl Bialik: "…"``: the head of a bare name (after the last
    dash, a few capitalised words with a proper noun) labelling a quote."""
    dashes = [k for k, t in enumerate(toks) if t.text in DASHES]
    name = [t for t in toks[dashes[-1] + 1 if dashes else 0:] if not t.is_space]
    if not 0 < len(name) <= T.NAME_LABEL_MAX_WORDS or not all(
            t.text[0].isupper() or t.is_punct or t.lower_ in ("of", "the") for t in name):
        return None
    if not any(t.tag_ in ("NNP", "NNPS") for t in name):
        return None
    heads = [t for t in name if t.ent_type_ in ("PERSON", "ORG")] or \
        [t for t in name if t.tag_ in ("NNP", "NNPS")]
    return heads[-1]


def byline(after: list[Token]) -> Token | None:
    """``"…" — Jane Doe``: a dash and a name right after a quotation."""
    if len(after) >= 2 and after[0].text in DASHES:
        window = after[1:1 + T.BYLINE_WINDOW]
        names = [t for t in window if t.ent_type_ in ("PERSON", "ORG")]
        if names:
            return names[-1] if names[-1].ent_type_ == "PERSON" else names[0]
        proper = []
        for t in window:  # a name the tagger did not label: the run of proper nouns
            if t.tag_ not in ("NNP", "NNPS"):
                break
            proper.append(t)
        if proper:
            return proper[-1]
    return None

"""Pass 3c, the quotations left over: lines labelled by a name, and quoted fragments.

``Graham: Trump's 'Hateful Rhetoric' …`` (a line a bare name and a colon open, holding
quoted words) is that speaker's claim. A fragment governed by a cue (``vowed to defend
"every inch"``) is a partial quote of the cue's subject; the quoted words of a written
source named next to them are that document's. Anything else is a scare quote, a name or
a title, and is dropped.

Input: the view, the claims so far and the quotations they took. Output: new claims.
"""
from __future__ import annotations

from spacy.tokens import Token

from .. import thresholds as T
from ..claims import Candidate, Claim
from ..cues import Cue, find_cues, subject_of
from ..document import DocView, looks_like_title, overlap, speechlike
from ..lexicon import FRAGMENT_CUES
from ..speakers import DOCUMENT_NOUNS
from ..wordlists import words
from .direct import name_label

FRAGMENT_PATH_DEPS = {"dobj", "pobj", "attr", "oprd", "xcomp", "ccomp", "acomp", "conj",
                      "prep", "nsubj", "nsubjpass", "advcl", "pcomp", "dative", "amod"}
VENUE_PREPS = words("venue_prepositions")
QUOTABLE_DOCUMENTS = words("quotable_documents")


def find_labelled_lines(view: DocView, claims: list[Claim]) -> list[Claim]:
    """Lines a bare name and a colon open, holding quoted words, not already claimed.

    Args:
        view: the parsed text.
        claims: the claims so far (a line overlapping one is left alone).

    Returns:
        New claims, one per such line.
    """
    claimed = [(c.start, c.end) for c in claims]
    found = []
    for para in range(view.n_paras):
        toks = view.para_tokens(para)
        colon = next((k for k, t in enumerate(toks[:T.LABEL_COLON_WITHIN]) if t.text == ":"),
                     None)
        if colon is None or not all(view.outside[t.i] for t in toks[:colon + 1]):
            continue
        rest = toks[colon + 1:]
        while rest and rest[-1].is_punct and view.outside[rest[-1].i]:
            rest = rest[:-1]
        if len(rest) < T.LABEL_MIN_CONTENT or all(view.outside[t.i] for t in rest):
            continue
        s, e = rest[0].idx, rest[-1].idx + len(rest[-1].text)
        if any(overlap((s, e), span) for span in claimed):
            continue
        head = name_label(toks[:colon])
        if head is None:
            continue
        quoted = [q for q in view.quotations if s <= q.start and q.end <= e]
        kind = "direct" if all(not view.outside[t.i] for t in rest) else "partial"
        found.append(Claim([(s, e)], kind, para, speaker_head=head, quotations=quoted,
                           candidates=[Candidate(head, "label")]))
    return found


def find_fragments(view: DocView, taken: set[int]) -> list[Claim]:
    """Quotations not taken: fragments governed by a cue (one partial quote per cue), or
    the words of a written source named next to them.

    Args:
        view: the parsed text.
        taken: ids of quotations already part of a claim.

    Returns:
        New claims of kind ``partial``.
    """
    claims: list[Claim] = []
    by_cue: dict[int, Claim] = {}
    for q in view.quotations:
        if id(q) in taken or looks_like_title(view, q):
            continue
        a, b = view.q_tokens(q)
        cue = governing_cue(view, a, b)
        if cue is not None:
            same = by_cue.get(cue.token.i)
            if same is not None:
                same.spans.extend(q.pieces)
                same.quotations.append(q)
                continue
            claim = Claim(list(q.pieces), "partial", view.para_of[a], cue=cue,
                          speaker_head=cue.subject, quotations=[q],
                          candidates=[Candidate(cue.subject, "cue_subject", cue)])
            by_cue[cue.token.i] = claim
            claims.append(claim)
            continue
        if not speechlike(view, q):
            continue
        source = document_near(view, a)
        if source is not None:
            claims.append(Claim(list(q.pieces), "partial", view.para_of[a],
                                speaker_head=source, quotations=[q],
                                candidates=[Candidate(source, "document")]))
    return claims


def governing_cue(view: DocView, a: int, b: int) -> Cue | None:
    """The cue verb above a quotation in the parse: a few steps up the same sentence,
    through complements only (not through "on CBS's 'Face the Nation'")."""
    doc = view.doc
    roots = [t for t in doc[a:b + 1] if not (a <= t.head.i <= b) or t.head.i == t.i]
    for root in roots:
        tok = root
        for _ in range(T.FRAGMENT_PATH_MAX_STEPS):
            if tok.head.i == tok.i or tok.dep_ not in FRAGMENT_PATH_DEPS:
                break
            if tok.dep_ == "prep" and tok.lower_ in VENUE_PREPS:
                break
            tok = tok.head
            if a <= tok.i <= b or not view.outside[tok.i]:
                continue
            if tok.pos_ in ("VERB", "AUX") and tok.lemma_.lower() in FRAGMENT_CUES:
                subj = subject_of(tok)
                if subj is not None and view.outside[subj.i]:
                    found = find_cues([tok], FRAGMENT_CUES)
                    return found[0] if found else None
    return None


def document_near(view: DocView, a: int) -> Token | None:
    """The last written source (a law, treaty, report ...) named in this sentence or the
    one before, outside quotation marks."""
    doc = view.doc
    start = doc[a].sent.start
    if start > 0:
        start = doc[start - 1].sent.start
    best = None
    for t in doc[start:a]:
        if not view.outside[t.i]:
            continue
        if t.ent_type_ == "LAW" or (t.lemma_.lower() in DOCUMENT_NOUNS and
                                    t.tag_ in ("NN", "NNP") and
                                    t.lemma_.lower() in QUOTABLE_DOCUMENTS):
            head = t
            while head.dep_ in ("compound", "flat") and head.head.i != head.i:
                head = head.head
            best = head
    return best

"""Pass 3b, reported clauses: a cue with what it reports.

``X said the alliance will …``, ``according to X``, ``X, he said, Y``, ``X urged voters to
…``; kept when the cue's pattern is precise enough (:func:`..lexicon.cue_precision`, mined
on PolNeAR train). A reported clause holding quoted words is a partial quote; quoted words
in an infinitive (``vowed to defend "every inch"``) are the partial quote themselves.

Input: the view, the direct claims (pass 3a) and the quotations they took. Output: claims
of kind ``indirect`` or ``partial``, each with its cue's subject as speaker.
"""
from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

from .. import thresholds as T
from ..claims import Candidate, Claim
from ..cues import Cue, cue_lemma, reported_cues
from ..document import DocView, overlap
from ..lexicon import CLAUSE_CUES, OBJECT_CUES, QUOTED_SUFFIX, cue_precision, cue_table
from .choice import SpeakerModel as LogisticModel

MODEL_PATH = Path(__file__).resolve().parents[1] / "data" / "reported_model.json"


@lru_cache(maxsize=1)
def default_model() -> LogisticModel:
    """The committed acceptance model (``data/reported_model.json``)."""
    return LogisticModel.load(MODEL_PATH)


def find_reported(view: DocView, direct: list[Claim], taken: set[int],
                  threshold: float = T.REPORTED_THRESHOLD, learned: bool = True
                  ) -> list[Claim]:
    """Reported speech kept by its pattern's mined precision.

    Args:
        view: the parsed text.
        direct: the direct quotes found so far (a clause inside one is the same words).
        taken: ids of quotations already part of a claim.
        threshold: least probability of a right attribution (``thresholds.
            REPORTED_THRESHOLD``; mining passes a negative one to see every candidate,
            the object patterns of every verb included).
        learned: score candidates with the learned model (``data/reported_model.json``,
            ``python -m app.extraction train-reported``); else by the pattern's mined
            precision alone (mining and training).

    Returns:
        Claims in cue order.
    """
    claims = []
    taken = set(taken)
    direct_chars = [(c.start, c.end) for c in direct]
    framing = {cue.token.i for c in direct
               for cue in [c.cue] + [k.cue for k in c.candidates] if cue is not None}
    tokens = [t for t in view.doc if view.outside[t.i]]
    for cue in reported_cues(tokens):
        if not view.outside[cue.subject.i]:
            continue
        if not cue.clausal and not object_pattern_open(cue, mining=threshold < 0):
            continue
        if not cue.clausal and cue.token.i in framing and \
                cue_lemma(cue.token) not in OBJECT_CUES:
            continue  # '"…," Berg told reporters': the quote is the message, not "reporters"
        spans = content_spans(view, cue)
        if not spans:
            continue
        spans = with_conjoined_quotes(view, cue, spans)
        s, e = spans[0][0], spans[-1][1]
        if any(overlap((s, e), d) >= T.DIRECT_OVERLAP_SHARE * (e - s) for d in direct_chars):
            continue
        inside = [q for q in view.quotations
                  if q.start < e and s < q.end and id(q) not in taken]
        if not cue.clausal and cue_lemma(cue.token) not in OBJECT_CUES and any(
                qi in view.titles for qi, q in enumerate(view.quotations)
                if q.start < e and s < q.end):
            continue  # read "The Long Winter", watched "Face the Nation": a work, no claim
        key = cue.key + (QUOTED_SUFFIX if inside else "")
        claim = Claim(spans, "partial" if inside else "indirect", view.para_of[cue.token.i],
                      cue=cue, speaker_head=cue.subject, quotations=inside, key=key,
                      candidates=[Candidate(cue.subject, "cue_subject", cue)])
        claim.score = (default_model().score(reported_features(view, claim)) if learned
                       else cue_precision(key))
        if claim.score < threshold:
            continue
        if inside and not cue.clausal and cue.key.endswith("|xcomp"):
            spans = [p for q in inside for p in q.pieces]
        elif inside:
            last = inside[-1]
            if last.inner_end > spans[-1][1] and last.start < spans[-1][1]:
                spans[-1] = (spans[-1][0], last.inner_end)
        taken |= {id(q) for q in inside}
        claim.spans = spans
        claims.append(claim)
    return best_per_content(claims)


def object_pattern_open(cue: Cue, mining: bool = False) -> bool:
    """May an object or infinitive pattern report a message? Always for a verb of the
    object lexicon (``urged voters to …``); for any other verb (``endorsed X``, ``voted
    to …``, ``is critical of …``) only when its pattern was mined on train often enough
    (``thresholds.OTHER_OBJECT_MIN_COUNT``) and right often enough there
    (``OTHER_OBJECT_MIN_PRECISION``: not "was dead", "has a plan"); the learned model then
    decides. ``mining``: every pattern is open (to count them), bar the xcomp rule."""
    if cue_lemma(cue.token) in OBJECT_CUES:
        return True
    if cue.token.dep_ == "xcomp":
        return False  # "vowed to defend X", "wants to back X": the verb above reports it
    if mining:
        return True
    n, m = cue_table().get(cue.key, (0, 0))
    return n >= T.OTHER_OBJECT_MIN_COUNT and m >= T.OTHER_OBJECT_MIN_PRECISION * n


def best_per_content(claims: list[Claim]) -> list[Claim]:
    """One claim per reported content: ``put out a statement saying that X`` finds X for
    both verbs; the better-scored cue keeps it."""
    best: dict[tuple, Claim] = {}
    for c in claims:
        key = tuple(c.spans)
        if key not in best or c.score > best[key].score:
            best[key] = c
    return [c for c in claims if best[tuple(c.spans)] is c]


def reported_features(view: DocView, c: Claim) -> dict[str, float]:
    """Named features of a reported claim for the acceptance model (pattern precision,
    speaker form, content length, complement type, cue tense, negation, cue's place)."""
    cue, head = c.cue, c.speaker_head
    later = {s for _, spans in c.joined for s in spans}
    own = [(s, e) for s, e in c.spans if (s, e) not in later] or c.spans
    n_words = sum(len(view.text[s:e].split()) for s, e in own)
    p = min(0.99, max(0.01, cue_precision(c.key)))
    comp = c.key.partition("|")[2].removesuffix(QUOTED_SUFFIX).split(":")[0].split("+")[0]
    low = head.lower_ if head is not None else "-"
    if head is None:
        form = "none"
    elif head.tag_ in ("PRP", "WP", "WDT", "DT", "PRP$"):
        form = low if low in ("he", "she", "they", "it", "i", "we", "you", "who", "that",
                              "which", "this") else "pron"
    elif head.ent_type_:
        form = f"ent:{head.ent_type_}"
    else:
        form = f"tag:{head.tag_}"
    bucket = next((f"<={b}" for b in (3, 6, 10, 20, 40) if n_words <= b), ">40")
    f = {
        "logit_prec": math.log(p / (1 - p)),
        f"comp={comp}": 1.0,
        f"subj={form}": 1.0,
        f"len{bucket}": 1.0,
        f"comp={comp}&len{bucket}": 1.0,
        f"cue_tag={cue.token.tag_}": 1.0,
        f"cue_dep={cue.token.dep_}": 1.0,
        "quoted": float(c.key.endswith(QUOTED_SUFFIX)),
        "negated": float(any(ch.dep_ == "neg" for ch in cue.token.children)),
        "that": float(view.text[own[0][0]:own[0][1]].lower().startswith("that ")),
        "say": float(c.key.startswith("say|")),
        "object_cue": float(cue_lemma(cue.token) in OBJECT_CUES or cue.clausal),
        "subject_after_cue": float(head is not None and head.i > cue.token.i),
        "para_start": float(cue.token.i == 0 or view.para_of[cue.token.i - 1] != c.para),
    }
    return f


def inside_reported(c: Claim, reported: list[Claim]) -> bool:
    """Is a cue-less direct quote the end of a reported clause (``said that X but
    "Y."``), so part of that claim?"""
    return c.cue is None and not c.candidates and any(
        r.start <= c.start and c.end <= r.end + T.REPORTED_END_SLACK_CHARS for r in reported)


def with_conjoined_quotes(view: DocView, cue: Cue, spans: list[tuple[int, int]]
                          ) -> list[tuple[int, int]]:
    """``Mills "got X," Jordan said, and still "got Y"``: a second clause conjoined to the
    cue, holding a quotation, belongs to the same claim; so does one with a subject of its
    own after the reported clause (``said A, and B would "…"``)."""
    extra = []
    comp = cue.complement
    after = comp.i if comp is not None and cue.clausal and comp.i > cue.token.i else None
    for c in cue.token.rights:
        if c.dep_ != "conj" or c.lemma_.lower() in CLAUSE_CUES:
            continue
        if any(s.dep_.startswith("nsubj") for s in c.children) and (
                after is None or c.i < after or c.left_edge.i <= cue.token.i):
            continue
        toks = [t for t in c.subtree if t.dep_ != "cc" and not t.is_space]
        while toks and toks[0].is_punct and toks[0].text not in ('"', "“", "‘", "''"):
            toks = toks[1:]
        if not toks:
            continue
        s, e = toks[0].idx, toks[-1].idx + len(toks[-1].text)
        if any(q.start < e and s < q.end for q in view.quotations):
            extra.append((s, e))
    return sorted(spans + extra)


def content_spans(view: DocView, cue: Cue) -> list[tuple[int, int]]:
    """Character spans of what a cue reports, without the cue and its speaker, and without
    a trailing participle adjunct (``…," suggesting that …``) or a comment on the claim
    (``…, a charge the party denied``)."""
    doc = view.doc
    toks = set(cue.content)
    drop = set(range(cue.start, cue.end))
    if cue.complement is not None:
        for c in cue.complement.rights:
            if c.dep_ == "advcl" and c.tag_ == "VBG" and c.i > 0 and \
                    doc[c.i - 1].text in (",", '"', "”", "''"):
                drop |= {t.i for t in c.subtree}
            elif c.dep_ in ("npadvmod", "appos") and c.pos_ == "NOUN" and \
                    doc[c.left_edge.i - 1].text == "," and \
                    c.left_edge.lower_ in ("a", "an"):
                drop |= {t.i for t in c.subtree}  # "…, a charge the party denied"
    if cue.subject is not None:
        drop |= {t.i for t in cue.subject.subtree}
    toks -= drop
    if not toks:
        return []
    ordered = sorted(toks)
    pieces, run = [], [ordered[0]]
    for i in ordered[1:]:
        if i == run[-1] + 1:
            run.append(i)
        else:
            pieces.append(run)
            run = [i]
    pieces.append(run)
    spans = []
    for run in pieces:
        toks_run = [doc[i] for i in run]
        while toks_run and (toks_run[0].is_punct or toks_run[0].is_space):
            toks_run = toks_run[1:]
        while toks_run and (toks_run[-1].is_space or (toks_run[-1].is_punct and
                            toks_run[-1].text not in ('"', "”", "''", "’"))):
            toks_run = toks_run[:-1]
        if toks_run:
            spans.append((toks_run[0].idx, toks_run[-1].idx + len(toks_run[-1].text)))
    return spans

"""Pass 2, cues: the verbs and phrases that introduce speech (said, told, warned,
according to ...), their speaker (subject) and their reported clause (complement).

Input: tokens (a sentence's, or all tokens outside quotation marks). Output: :class:`Cue`
records. Nothing here decides what counts as a claim.
"""
from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Token

from . import thresholds as T
from .lexicon import CLAUSE_CUES, FRAGMENT_CUES, SPEECH_CUES

SUBJECT_DEPS = ("nsubj", "nsubjpass", "csubj")
COMPLEMENT_DEPS = ("ccomp",)
INHERIT_SUBJECT_DEPS = ("conj", "xcomp", "advcl", "acl", "relcl", "pcomp")


NON_CLAUSAL_DEPS = ("dobj", "dative", "xcomp", "oprd", "prep", "pcomp", "acomp", "attr")
RUN_STOP_DEPS = ("punct", "cc", "conj", "advcl", "parataxis", "npadvmod", "mark")


@dataclass(frozen=True)
class Cue:
    """A cue token with what hangs on it.

    ``subject`` is the head of the speaker mention (None: no speaker in the parse);
    ``complement`` the head of the reported clause (None: the cue takes a quotation or a
    fragment instead); ``start``/``end`` the cue's token range ("according to", "point
    out"). For reported speech, ``content`` holds the token indices of what is reported,
    ``clausal`` says whether that is a clause (``said the alliance will …``) rather than
    an object or infinitive (``vowed to defend …``, ``called him a "liar"``), and ``key``
    names the pattern (``"say|ccomp"``, ``"vow|xcomp"``, ``"refer|prep:to"``) for the
    mined cue table.
    """

    token: Token
    start: int
    end: int
    subject: Token | None
    complement: Token | None
    content: tuple[int, ...] = ()
    clausal: bool = True
    key: str = ""


def cue_lemma(token: Token) -> str:
    return token.lemma_.lower()


def is_cue_verb(token: Token, lexicon: frozenset[str] = SPEECH_CUES) -> bool:
    """A verb whose lemma is in the cue lexicon."""
    return token.pos_ in ("VERB", "AUX") and cue_lemma(token) in lexicon and \
        token.tag_ not in ("MD",)


def is_according_to(token: Token) -> bool:
    return token.lower_ == "according" and token.i + 1 < len(token.doc) and \
        token.doc[token.i + 1].lower_ == "to"


def subject_of(verb: Token) -> Token | None:
    """The speaker head of a cue verb: its subject, a passive agent, or the subject of
    the verb it hangs on ("..., adding that ...", "issued a statement saying ...").
    A relative pronoun ("who said") is returned as it is; the resolver takes it to its
    noun.

    Args:
        verb: the cue verb.

    Returns:
        The subject's head token, or None.
    """
    tok = verb
    for _ in range(T.SUBJECT_CHAIN_MAX_STEPS):
        subj = next((c for c in tok.children if c.dep_ in ("nsubj", "csubj")), None)
        if subj is None and tok.dep_ != "ccomp":
            agent = next((c for c in tok.children if c.dep_ == "agent"), None)
            if agent is not None:
                subj = next((c for c in agent.children if c.dep_ == "pobj"), None)
        if subj is not None:
            return subj
        if tok.dep_ == "acl" and tok.head.dep_ in ("dobj", "pobj") and tok.tag_ == "VBG":
            tok = tok.head.head  # "put out a statement saying …": the statement's issuer
            if tok.dep_ == "prep":
                tok = tok.head
            continue
        if tok.dep_ == "pcomp" and tok.head.dep_ == "prep" and tok.tag_ == "VBG":
            tok = tok.head.head  # "…, before insisting that …": the clause's subject
            continue
        if tok.dep_ in INHERIT_SUBJECT_DEPS and tok.head.i != tok.i:
            tok = tok.head
            continue
        return None
    return None


def complement_of(verb: Token) -> Token | None:
    """The head of the clause a cue verb reports: its ccomp, or a that-clause the parser
    hung lower ("said in a statement that …", "told reporters that …").

    Args:
        verb: the cue verb.

    Returns:
        The clause's head token, or None.
    """
    for c in verb.children:
        if c.dep_ in COMPLEMENT_DEPS:
            return c
    for c in verb.rights:
        if c.dep_ not in ("prep", "dobj", "npadvmod", "dative"):
            continue
        for t in c.subtree:
            if t.i - verb.i > T.THAT_CLAUSE_MAX_DISTANCE:
                break
            if t.dep_ in ("acl", "relcl", "ccomp") and t.pos_ in ("VERB", "AUX") and any(
                    m.dep_ == "mark" and m.lower_ == "that" for m in t.children) and any(
                    s.dep_ in ("nsubj", "nsubjpass") for s in t.children):
                return t
    return None


def cue_extent(verb: Token) -> tuple[int, int]:
    """Token range of the cue: the verb with its particle and auxiliaries."""
    start = end = verb.i
    for c in verb.children:
        if c.dep_ in ("prt",) and c.i == end + 1:
            end = c.i
        if c.dep_ in ("aux", "auxpass", "neg") and c.i < start and \
                start - c.i <= T.AUXILIARY_MAX_GAP:
            start = c.i
    return start, end + 1


def find_cues(tokens, lexicon: frozenset[str] = SPEECH_CUES) -> list[Cue]:
    """Find cue verbs and "according to" among ``tokens``.

    Args:
        tokens: tokens to look at (e.g. a sentence's tokens outside quotation marks).
        lexicon: cue lemmas.

    Returns:
        Cues in token order.
    """
    found = []
    for tok in tokens:
        if is_according_to(tok):
            to = tok.doc[tok.i + 1]
            pobj = next((c for c in to.children if c.dep_ == "pobj"), None)
            head = tok.head if tok.head.i != tok.i else None
            found.append(Cue(tok, tok.i, tok.i + 2, pobj, head))
        elif is_cue_verb(tok, lexicon):
            start, end = cue_extent(tok)
            found.append(Cue(tok, start, end, subject_of(tok), complement_of(tok)))
    return found


def reported_cues(tokens) -> list[Cue]:
    """Candidate reported speech: every verb with a subject and a complement, and every
    ``according to X``, with the tokens of what is reported and a pattern key.

    Which candidates count is decided by the caller (see ``lexicon.cue_precision``).

    Args:
        tokens: tokens that may be cues (e.g. all tokens outside quotation marks).

    Returns:
        Candidates in token order.
    """
    found = []
    for tok in tokens:
        if is_according_to(tok):
            cue = _according_to(tok)
            if cue is not None:
                found.append(cue)
            continue
        if tok.pos_ not in ("VERB", "AUX") or tok.tag_ == "MD":
            continue
        subject = subject_of(tok)
        if subject is None:
            continue
        start, end = cue_extent(tok)
        lemma = cue_lemma(tok)
        comp = complement_of(tok)
        if comp is not None:
            content = tuple(sorted(t.i for t in comp.subtree))
            found.append(Cue(tok, start, end, subject, comp, content, True,
                             f"{lemma}|ccomp"))
            continue
        host = _host_clause(tok)
        if host is not None:
            # "Trump, Sexton said, has created …" / "As the Caller reported, he gave …"
            skip = {t.i for t in tok.subtree}
            content = tuple(sorted(t.i for t in host.subtree if t.i not in skip))
            kind = "as" if any(c.dep_ == "mark" for c in tok.children) else "parataxis"
            found.append(Cue(tok, start, end, subject, host, content, True,
                             f"{lemma}|{kind}"))
            continue
        run = _object_run(tok)
        if run:
            content = tuple(sorted(t.i for c in run for t in c.subtree))
            found.append(Cue(tok, start, end, subject, run[0], content, False,
                             f"{lemma}|{_run_shape(run)}"))
    return found


def _run_shape(run: list[Token]) -> str:
    """Pattern name of a complement run: ``dobj``, ``dobj+xcomp`` (told them to …),
    ``dobj+prep:of`` (accused him of …), ``prep:to`` (referred to …)."""
    parts: list[str] = []
    for c in run[:2]:
        dep = c.dep_
        if dep == "prep":
            dep = f"prep:{c.lower_}"
        elif dep in ("attr", "acomp"):
            dep = "acomp"
        elif dep == "dative":
            dep = "dobj"
        if dep not in parts:
            parts.append(dep)
    return "+".join(parts)


def _host_clause(verb: Token) -> Token | None:
    """The clause a parenthetical cue sits in: ``X, he said, Y`` (parataxis) or
    ``As the paper reported, Y`` (an ``as`` clause), if the cue has no object."""
    if any(c.dep_ in ("dobj", "xcomp", "ccomp") for c in verb.children):
        return None
    head = verb.head
    if head.i == verb.i or head.pos_ not in ("VERB", "AUX", "NOUN", "PROPN"):
        return None
    if verb.dep_ == "parataxis":
        return head
    if verb.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ == "as"
                                    for c in verb.children):
        return head
    return None


def _object_run(verb: Token) -> list[Token]:
    """The verb's complements after it, up to a comma, a conjunction or an adverbial
    clause: ``urged [voters] [to transfer …]``, ``accused [him] [of lying]``."""
    run: list[Token] = []
    for c in verb.rights:
        if c.dep_ in RUN_STOP_DEPS:
            if run:
                break
            continue
        if c.dep_ in NON_CLAUSAL_DEPS:
            if c.dep_ == "prep" and run and run[0].dep_ not in ("dobj", "dative", "prep"):
                break
            run.append(c)
        elif run:
            break
    return run


def _according_to(tok: Token) -> Cue | None:
    """``according to X, CLAUSE`` / ``CLAUSE, according to X``."""
    to = tok.doc[tok.i + 1]
    pobj = next((c for c in to.children if c.dep_ == "pobj"), None)
    head = tok.head
    if pobj is None or head.i == tok.i:
        return None
    if head.pos_ not in ("VERB", "AUX"):
        while head.head.i != head.i and head.pos_ not in ("VERB", "AUX"):
            head = head.head
    skip = {t.i for t in tok.subtree}
    content = tuple(sorted(t.i for t in head.subtree if t.i not in skip))
    if not content:
        return None
    return Cue(tok, tok.i, tok.i + 2, pobj, head, content, True, "accord|to")


__all__ = ["reported_cues", "Cue", "find_cues", "subject_of", "complement_of", "is_cue_verb",
           "CLAUSE_CUES", "FRAGMENT_CUES", "SPEECH_CUES"]

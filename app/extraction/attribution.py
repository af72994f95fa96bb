"""The rule layer: every attributed quote and claim of one parsed text.

:class:`DocAttribution` works on one spaCy ``Doc`` and finds, in this order,

1. direct quotes: quotation-mark spans (:mod:`.quotes`) that stand as sentences, with the
   cue before or after them (``"…," he said``, ``He said: "…"``, ``"…" — Jane Doe``);
2. reported speech: a cue with what it reports (``X said the alliance will …``,
   ``according to X``, ``X, he said, Y``), kept when its mined pattern precision is high
   enough (:func:`.lexicon.cue_precision`); a reported clause holding quoted words is a
   partial quote;
3. quoted fragments left over: governed by a cue (``vowed to defend "every inch"``), or
   the words of a written source named next to them; scare quotes, names and titles go;

then joins a quote split by its attribution into one quote, drops claims nested in
another claim, gives stand-alone quote paragraphs the speaker of the quote before (or of
an intro line ending in a colon, or of a byline after), and resolves every speaker
mention to a canonical speaker (:mod:`.speakers`).
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

from .cues import Cue, cue_lemma, find_cues, reported_cues, subject_of
from .lexicon import (CLAUSE_CUES, FRAGMENT_CUES, OBJECT_CUES, QUOTED_SUFFIX, SPEECH_CUES,
                      cue_precision)
from .quotes import Quotation, find_quotations
from .result import Quote
from .speakers import DOCUMENT_NOUNS, ROLE_NOUNS, Resolution, Speaker, SpeakerResolver

REPORTED_THRESHOLD = 0.35  # least mined precision of a reported-speech pattern
HEADLINE_WORDS = 12  # a paragraph this short with no closing punctuation is a headline
SENTENCE_END = {".", "!", "?", "…", "...", "?!", "!!"}
DASHES = {"—", "–", "-", "--", "―", "‒"}
FRAGMENT_PATH_DEPS = {"dobj", "pobj", "attr", "oprd", "xcomp", "ccomp", "acomp", "conj",
                      "prep", "nsubj", "nsubjpass", "advcl", "pcomp", "dative", "amod"}
VENUE_PREPS = {"on", "in", "at", "during", "from", "via", "through", "after", "before"}
CONTINUATIONS = {"and", "but", "or", "then", "also", "so", "adding", "before", "later"}
TEASER_LABELS = {"watch", "read", "listen", "see", "related", "more", "video", "photo",
                 "pictured", "picture", "advertisement", "also", "click", "subscribe"}


@dataclass
class Claim:
    """A quote being built: content pieces, where its speaker comes from, its cue."""

    spans: list[tuple[int, int]]
    kind: str
    para: int
    cue: Cue | None = None
    speaker_head: Token | None = None
    carry: str | None = None          # "previous" / "intro" / "next": speaker from context
    quotations: list[Quotation] = field(default_factory=list)
    resolution: Resolution | None = None
    key: str = ""                     # reported-speech pattern ("say|ccomp"), if any
    speechlike: bool = True           # for a cue-less quote: could it be someone's words?
    score: float = 1.0

    @property
    def start(self) -> int:
        return self.spans[0][0]

    @property
    def end(self) -> int:
        return self.spans[-1][1]


class DocView:
    """Per-document lookups: token of a character, paragraph of a token, quotations."""

    def __init__(self, doc: Doc, quotations: list[Quotation]):
        self.doc = doc
        self.text = doc.text
        self.tok_starts = [t.idx for t in doc]
        self.quotations = quotations
        n = len(doc)
        self.quote_of: list[int | None] = [None] * n
        for qi, q in enumerate(quotations):
            a, b = self.tok_at(q.start), self.tok_at(max(q.start, q.end - 1))
            for i in range(a, b + 1):
                self.quote_of[i] = qi
        self.outside = [q is None for q in self.quote_of]
        self.para_of: list[int] = []
        para = 0
        for t in doc:
            self.para_of.append(para)
            if "\n" in t.text or "\n" in t.whitespace_:
                para += 1
        self.n_paras = para + 1

    def tok_at(self, char: int) -> int:
        """Index of the token holding character ``char`` (or the one before it)."""
        return max(0, bisect_right(self.tok_starts, char) - 1)

    def q_tokens(self, q: Quotation) -> tuple[int, int]:
        """Token range [a, b] (inclusive) of a quotation, marks included."""
        return self.tok_at(q.start), self.tok_at(max(q.start, q.end - 1))

    def para_tokens(self, para: int) -> list[Token]:
        return [t for t in self.doc if self.para_of[t.i] == para and not t.is_space]


class DocAttribution:
    """The rule layer for one parsed text (find claims, then resolve, then emit).

    Args:
        doc: the parsed text (see :func:`.engine.load_pipeline`).
        join_paragraphs: one quote for a quote running over paragraphs.
        threshold: least mined precision of a reported-speech pattern.
        keep_nested: keep reported claims nested in another claim (for mining).
        keep_unattributed: keep a stand-alone quotation whose speaker is found nowhere
            (no cue, no intro, no earlier quote, no byline); dropped by default.
    """

    def __init__(self, doc: Doc, join_paragraphs: bool = True,
                 threshold: float = REPORTED_THRESHOLD, keep_nested: bool = False,
                 keep_unattributed: bool = False):
        self.doc = doc
        self.threshold = threshold
        self.keep_nested = keep_nested
        self.keep_unattributed = keep_unattributed
        self.text = doc.text
        self.view = DocView(doc, find_quotations(doc.text, join_paragraphs))
        self.titles = {qi for qi, q in enumerate(self.view.quotations)
                       if self._looks_like_title(q)}
        self.resolver = SpeakerResolver(doc, self.view.outside)
        self.used_quotations: set[int] = set()

    def run(self) -> list[Quote]:
        return self.to_quotes(self.find_claims())

    def find_claims(self) -> list[Claim]:
        """Every claim of the text, speakers resolved, in text order."""
        if not self.text.strip():
            return []
        claims = self.find_direct()
        reported = self.find_reported(claims)
        claims = [c for c in claims if not self._inside_reported(c, reported)] + reported
        claims += self.find_labelled_lines(claims)
        claims += self.find_fragments()
        claims = self.merge_split_quotes(claims)
        claims = [c for c in claims if c.speechlike and not self._in_headline(c)]
        if not self.keep_nested:
            claims = self.drop_nested(claims)
        claims.sort(key=lambda c: (c.start, c.end))
        self.resolve_speakers(claims)
        if not self.keep_unattributed:
            # a quotation nobody is named for (a list item, a transcript line, a slogan
            # in a caption): in PolNeAR train none of 80 such was a gold attribution
            claims = [c for c in claims if not (c.carry and c.resolution is None)]
        return claims

    # -- find: direct quotes -------------------------------------------------------------
    def frame_before(self, a: int) -> list[Token]:
        """Tokens of the same paragraph and sentence before token ``a``, outside quotes."""
        v, doc, out = self.view, self.doc, []
        para = v.para_of[a]
        i = a - 1
        while i >= 0 and v.para_of[i] == para and self._plain(i):
            if doc[i].text in SENTENCE_END:
                break
            out.append(doc[i])
            i -= 1
        return [t for t in reversed(out) if not t.is_space]

    def frame_after(self, b: int) -> list[Token]:
        """Tokens of the same paragraph and sentence after token ``b``, outside quotes."""
        v, doc, out = self.view, self.doc, []
        para = v.para_of[b]
        i = b + 1
        inner_last = doc[b - 1].text if b > 0 and v.quote_of[b - 1] is not None else ""
        if inner_last in SENTENCE_END and i < len(doc) and doc[i].text[:1].isupper() and \
                not _starts_attribution(doc, i):
            return []  # '"… joy." Others paid tribute' : the quote ended its sentence
        while i < len(doc) and v.para_of[i] == para and self._plain(i):
            out.append(doc[i])
            if doc[i].text in SENTENCE_END:
                break
            i += 1
        return [t for t in out if not t.is_space]

    def _plain(self, i: int) -> bool:
        """Is token i reporter's text for a frame: outside quotation marks, or inside a
        quoted name or title (``state Del. Marcia "Cia" Price shouted``)?"""
        qi = self.view.quote_of[i]
        return qi is None or qi in self.titles

    def find_direct(self) -> list[Claim]:
        """Quotations that stand as sentences, with the cue before or after them."""
        claims = []
        for qi, q in enumerate(self.view.quotations):
            a, b = self.view.q_tokens(q)
            before, after = self.frame_before(a), self.frame_after(b)
            words_before = [t for t in before if not t.is_punct]
            words_after = [t for t in after if not t.is_punct]
            cues_after = find_cues(after, SPEECH_CUES)
            cues_before = find_cues(before, SPEECH_CUES)
            last_inner = self.text[q.inner_end - 1] if q.inner_end > q.inner_start else ""
            if cues_before and self._reports_clause_around(cues_before[-1], a):
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
            claim = Claim(list(q.pieces), "direct", self.view.para_of[a], quotations=[q])
            cue = self._pick_cue(cues_after, q, first=True) or \
                self._pick_cue(cues_before, q, first=False)
            if cue is not None:
                claim.cue = cue
                claim.speaker_head = cue.subject if cue.subject is not None and \
                    self.view.outside[cue.subject.i] else self._nearby_name(cue, before + after)
            else:
                claim.speaker_head = self._byline(after) or self._colon_intro(before)
                if claim.speaker_head is None:
                    claim.carry = "context"
                    claim.speechlike = self._speechlike(q)
            self.used_quotations.add(qi)
            claims.append(claim)
        return claims

    def _reports_clause_around(self, cue: Cue, a: int) -> bool:
        """Does the cue's reported clause start before the quotation at token ``a`` and
        run into it (the quotation is the end of an indirect clause)?"""
        comp = cue.complement
        if comp is None:
            return False
        words = [t for t in comp.subtree if t.i < a and not (t.is_punct or t.is_space)]
        return bool(words) and comp.right_edge.i >= a and any(
            t.dep_ != "mark" for t in words)

    def _pick_cue(self, cues: list[Cue], q: Quotation, first: bool) -> Cue | None:
        """The cue that attributes a quotation: nearest first, with a subject preferred;
        a cue reporting a clause of its own outside quotation marks (``"…." Kasich said
        he would …``) attributes something else."""
        ordered = cues if first else list(reversed(cues))
        own = [c for c in ordered if c.complement is None or
               not self.view.outside[c.complement.i]]
        with_subject = [c for c in own if c.subject is not None]
        return (with_subject or own or [None])[0]

    def _nearby_name(self, cue: Cue, frame: list[Token]) -> Token | None:
        """A speaker head next to a cue whose parse has no subject (``said Smith``)."""
        cands = [t for t in frame if t.tag_ in ("NNP", "NNPS", "PRP") or
                 t.ent_type_ in ("PERSON", "ORG")]
        if not cands:  # '…," said the woman'
            cands = [t for t in frame if t.tag_ in ("NN", "NNS") and not t.ent_type_ and
                     t.dep_ in ("nsubj", "dobj", "attr", "npadvmod", "appos", "ROOT")]
        if not cands:
            return None
        return min(cands, key=lambda t: abs(t.i - cue.token.i))

    def _colon_intro(self, before: list[Token]) -> Token | None:
        """``Rubio fired back: "…"``: the subject of the clause a colon closes."""
        if not before or before[-1].text != ":":
            return None
        verbs = [t for t in before if t.pos_ in ("VERB", "AUX")]
        if not verbs:
            return self._name_label(before[:-1])
        subj = subject_of(verbs[-1])
        if subj is not None and self.view.outside[subj.i] and subj.i >= before[0].i and (
                subj.ent_type_ in ("PERSON", "ORG", "NORP", "GPE") or
                subj.tag_ in ("PRP", "NNP", "NNPS", "NNS") or
                subj.lemma_.lower() in ROLE_NOUNS):
            return subj
        return None

    def _name_label(self, toks: list[Token]) -> Token | None:
        """``Bush: "…"``, ``… - Carl Bialik: "…"``: the head of a bare name (after the
        last dash, at most five capitalised words with a proper noun) labelling a quote."""
        dashes = [k for k, t in enumerate(toks) if t.text in DASHES]
        name = [t for t in toks[dashes[-1] + 1 if dashes else 0:] if not t.is_space]
        if not 0 < len(name) <= 5 or not all(t.text[0].isupper() or t.is_punct or
                                             t.lower_ in ("of", "the") for t in name):
            return None
        if not any(t.tag_ in ("NNP", "NNPS") for t in name):
            return None
        heads = [t for t in name if t.ent_type_ in ("PERSON", "ORG")] or \
            [t for t in name if t.tag_ in ("NNP", "NNPS")]
        return heads[-1]

    def find_labelled_lines(self, claims: list[Claim]) -> list[Claim]:
        """``Graham: Trump's 'Hateful Rhetoric' Destroying GOP's Chances``: a line that a
        bare name and a colon open, holding quoted words, is that speaker's claim."""
        taken = [(c.start, c.end) for c in claims]
        found = []
        for para in range(self.view.n_paras):
            toks = self.view.para_tokens(para)
            colon = next((k for k, t in enumerate(toks[:8]) if t.text == ":"), None)
            if colon is None or not all(self.view.outside[t.i] for t in toks[:colon + 1]):
                continue
            rest = toks[colon + 1:]
            while rest and rest[-1].is_punct and self.view.outside[rest[-1].i]:
                rest = rest[:-1]
            if len(rest) < 3 or all(self.view.outside[t.i] for t in rest):
                continue
            s, e = rest[0].idx, rest[-1].idx + len(rest[-1].text)
            if any(_overlap((s, e), span) for span in taken):
                continue
            head = self._name_label(toks[:colon])
            if head is None:
                continue
            quoted = [q for q in self.view.quotations if s <= q.start and q.end <= e]
            kind = "direct" if all(not self.view.outside[t.i] for t in rest) else "partial"
            found.append(Claim([(s, e)], kind, para, speaker_head=head, quotations=quoted))
            self.used_quotations.update(i for i, q in enumerate(self.view.quotations)
                                        if q in quoted)
        return found

    def _byline(self, after: list[Token]) -> Token | None:
        """``"…" — Jane Doe``: a dash and a name right after a quotation."""
        if len(after) >= 2 and after[0].text in DASHES:
            window = after[1:7]
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

    def _speechlike(self, q: Quotation) -> bool:
        """Long enough and verb-bearing to be someone's words, not a title or a name."""
        a, b = self.view.q_tokens(q)
        toks = self.doc[a:b + 1]
        words = [t for t in toks if t.is_alpha]
        if len(words) < 4:
            return False
        has_verb = any(t.tag_.startswith("VB") or t.tag_ == "MD" for t in toks)
        titled = sum(t.text[0].isupper() for t in words if len(t) > 3) >= 0.8 * len(
            [t for t in words if len(t) > 3])
        return has_verb and not titled

    def _in_headline(self, c: Claim) -> bool:
        """Is an unquoted claim a headline ("Council vows to rebuild the harbour"): its
        whole paragraph a short line with no quotation and no closing punctuation?"""
        if c.quotations:
            return False
        toks = self.view.para_tokens(c.para)
        if not toks:
            return False
        line = self.text[toks[0].idx:toks[-1].idx + len(toks[-1].text)]
        words = [t for t in toks if not t.is_punct]
        return (len(words) <= HEADLINE_WORDS and
                line.rstrip("\"'”’»").rstrip()[-1:] not in ".!?…:;)" and
                all(self.view.outside[t.i] for t in toks) and
                toks[0].idx <= c.start and c.end <= toks[-1].idx + len(toks[-1].text))

    # -- find: reported speech -----------------------------------------------------------
    def find_reported(self, direct: list[Claim]) -> list[Claim]:
        """Reported speech: a cue with what it reports (``X said the alliance will …``,
        ``according to X``, ``X urged voters to …``), kept when its pattern is precise
        enough (:func:`.lexicon.cue_precision`).

        A reported clause holding a quotation is one partial quote; quotations inside an
        object or infinitive (``vowed to defend "every inch"``) are the partial quote
        themselves.
        """
        claims = []
        direct_chars = [(c.start, c.end) for c in direct]
        tokens = [t for t in self.doc if self.view.outside[t.i]]
        for cue in reported_cues(tokens):
            if not self.view.outside[cue.subject.i]:
                continue
            if not cue.clausal and cue_lemma(cue.token) not in OBJECT_CUES:
                continue
            spans = self._content_spans(cue)
            if not spans:
                continue
            spans = self._with_conjoined_quotes(cue, spans)
            s, e = spans[0][0], spans[-1][1]
            if any(_overlap((s, e), d) >= 0.5 * (e - s) for d in direct_chars):
                continue
            inside = [qi for qi, q in enumerate(self.view.quotations)
                      if q.start < e and s < q.end and qi not in self.used_quotations]
            key = cue.key + (QUOTED_SUFFIX if inside else "")
            score = cue_precision(key)
            if score < self.threshold:
                continue
            quotations = [self.view.quotations[i] for i in inside]
            if inside and not cue.clausal and cue.key.endswith("|xcomp"):
                spans = [p for q in quotations for p in q.pieces]
            elif inside:
                last = quotations[-1]
                if last.inner_end > spans[-1][1] and last.start < spans[-1][1]:
                    spans[-1] = (spans[-1][0], last.inner_end)
            kind = "partial" if inside else "indirect"
            self.used_quotations.update(inside)
            claims.append(Claim(spans, kind, self.view.para_of[cue.token.i], cue=cue,
                                 speaker_head=cue.subject, quotations=quotations,
                                 key=key, score=score))
        return claims

    def _inside_reported(self, c: Claim, reported: list[Claim]) -> bool:
        """Is a cue-less direct quote the end of a reported clause (``said that X but
        "Y."``), so part of that claim?"""
        return c.cue is None and c.speaker_head is None and any(
            r.start <= c.start and c.end <= r.end + 2 for r in reported)

    def _with_conjoined_quotes(self, cue: Cue, spans: list[tuple[int, int]]
                               ) -> list[tuple[int, int]]:
        """``Mills "got X," Jordan said, and still "got Y"``: a second clause conjoined
        to the cue, holding a quotation, belongs to the same claim; so does one with a
        subject of its own after the reported clause (``said A, and B would "…"``)."""
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
            if any(q.start < e and s < q.end for q in self.view.quotations):
                extra.append((s, e))
        return sorted(spans + extra)

    def _content_spans(self, cue: Cue) -> list[tuple[int, int]]:
        """Character spans of what a cue reports, without the cue and its speaker, and
        without a trailing participle adjunct (``…," suggesting that …``) or a comment on
        the claim (``…, a charge the party denied``)."""
        toks = set(cue.content)
        drop = set(range(cue.start, cue.end))
        if cue.complement is not None:
            for c in cue.complement.rights:
                if c.dep_ == "advcl" and c.tag_ == "VBG" and c.i > 0 and \
                        self.doc[c.i - 1].text in (",", '"', "”", "''"):
                    drop |= {t.i for t in c.subtree}
                elif c.dep_ in ("npadvmod", "appos") and c.pos_ == "NOUN" and \
                        self.doc[c.left_edge.i - 1].text == "," and \
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
            toks_run = [self.doc[i] for i in run]
            while toks_run and (toks_run[0].is_punct or toks_run[0].is_space):
                toks_run = toks_run[1:]
            while toks_run and (toks_run[-1].is_space or (toks_run[-1].is_punct and
                                toks_run[-1].text not in ('"', "”", "''", "’"))):
                toks_run = toks_run[:-1]
            if toks_run:
                spans.append((toks_run[0].idx, toks_run[-1].idx + len(toks_run[-1].text)))
        return spans

    # -- find: quoted fragments ----------------------------------------------------------
    def find_fragments(self) -> list[Claim]:
        """Quotations left over: fragments governed by a cue (one partial quote per cue),
        or the words of a written source named next to them; anything else is a scare
        quote, a name or a title."""
        claims: list[Claim] = []
        by_cue: dict[int, Claim] = {}
        for qi, q in enumerate(self.view.quotations):
            if qi in self.used_quotations or self._looks_like_title(q):
                continue
            a, b = self.view.q_tokens(q)
            cue = self._governing_cue(a, b)
            if cue is not None:
                self.used_quotations.add(qi)
                same = by_cue.get(cue.token.i)
                if same is not None:
                    same.spans.extend(q.pieces)
                    same.quotations.append(q)
                    continue
                claim = Claim(list(q.pieces), "partial", self.view.para_of[a], cue=cue,
                               speaker_head=cue.subject, quotations=[q])
                by_cue[cue.token.i] = claim
                claims.append(claim)
                continue
            if not self._speechlike(q):
                continue
            source = self._document_near(a)
            if source is not None:
                claims.append(Claim(list(q.pieces), "partial", self.view.para_of[a],
                                     speaker_head=source, quotations=[q]))
                self.used_quotations.add(qi)
        return claims

    def _looks_like_title(self, q: Quotation) -> bool:
        """A name or a title of a work: every word capitalised, no clause ("Face the
        Nation", "Women Who Work", "Guccifer")."""
        a, b = self.view.q_tokens(q)
        words = [t for t in self.doc[a:b + 1] if t.is_alpha]
        if not words:
            return True
        content = [t for t in words if not t.is_stop or t.i == words[0].i]
        capitalised = all(t.text[0].isupper() for t in content)
        return capitalised and (len(words) <= 6 or not any(
            t.tag_.startswith("VB") for t in words))

    def _governing_cue(self, a: int, b: int) -> Cue | None:
        """The cue verb above a quotation in the parse: a few steps up the same sentence,
        through complements only (not through "on CBS's 'Face the Nation'")."""
        doc = self.doc
        roots = [t for t in doc[a:b + 1] if not (a <= t.head.i <= b) or t.head.i == t.i]
        for root in roots:
            tok = root
            for _ in range(5):
                if tok.head.i == tok.i or tok.dep_ not in FRAGMENT_PATH_DEPS:
                    break
                if tok.dep_ == "prep" and tok.lower_ in VENUE_PREPS:
                    break
                tok = tok.head
                if a <= tok.i <= b or not self.view.outside[tok.i]:
                    continue
                if tok.pos_ in ("VERB", "AUX") and tok.lemma_.lower() in FRAGMENT_CUES:
                    subj = subject_of(tok)
                    if subj is not None and self.view.outside[subj.i]:
                        found = find_cues([tok], FRAGMENT_CUES)
                        return found[0] if found else None
        return None

    def _document_near(self, a: int) -> Token | None:
        """The last written source (a law, treaty, report ...) named in this sentence or
        the one before, outside quotation marks."""
        doc = self.doc
        sent = doc[a].sent
        start = sent.start
        if start > 0:
            start = doc[start - 1].sent.start
        best = None
        for t in doc[start:a]:
            if not self.view.outside[t.i]:
                continue
            if t.ent_type_ == "LAW" or (t.lemma_.lower() in DOCUMENT_NOUNS and
                                        t.tag_ in ("NN", "NNP") and t.lemma_.lower() in {
                                            "treaty", "act", "article", "constitution",
                                            "charter", "convention", "law", "bill",
                                            "resolution", "agreement", "decree", "report",
                                            "statement", "ruling", "order", "declaration"}):
                head = t
                while head.dep_ in ("compound", "flat") and head.head.i != head.i:
                    head = head.head
                best = head
        return best

    def drop_nested(self, claims: list[Claim]) -> list[Claim]:
        """A reported claim whose cue sits inside another claim's content is part of that
        claim (``She noted that Sanders has criticized …``): only the outer one is kept."""
        outer = [(c.start, c.end) for c in claims if c.kind != "direct"]
        keep = []
        for c in claims:
            if c.key and c.cue is not None:
                at = self.doc[c.cue.start].idx
                if any(s <= at < e and not (s == c.start and e == c.end) for s, e in outer):
                    continue
            keep.append(c)
        return keep

    # -- change: join split quotes -------------------------------------------------------
    def merge_split_quotes(self, claims: list[Claim]) -> list[Claim]:
        """``"…," he said. "…"`` and ``"…," he said, "…"``: one quote over both pieces.

        A direct quote with no cue of its own joins the attributed quote or claim just
        before it in the same paragraph (``X said Y. "…"``); two pieces sharing one cue
        are joined too.
        """
        out: list[Claim] = []
        for c in sorted(claims, key=lambda c: c.start):
            if c.kind == "direct":
                prev = self._attributed_before(out, c)
                if prev is not None:
                    prev.spans.extend(c.spans)
                    prev.quotations.extend(c.quotations)
                    if prev.kind == "indirect":
                        prev.kind = "partial"
                    continue
            out.append(c)
        return out

    def _attributed_before(self, done: list[Claim], c: Claim) -> Claim | None:
        """The claim a cue-less (or same-cue) direct quote continues, if any: the last
        direct quote before it in the paragraph (``"…," Clark said, noting he … "…"``),
        else the last claim before it there."""
        before = [p for p in done if p.para == c.para and p.end <= c.start]
        if not before:
            return None
        direct = [p for p in before if p.kind == "direct"]
        prev = direct[-1] if direct else before[-1]
        if not (prev.cue or prev.speaker_head):
            return None
        lone = c.cue is None and c.speaker_head is None
        same_cue = (c.cue is not None and prev.cue is not None and
                    c.cue.token.i == prev.cue.token.i)
        if (lone or same_cue) and not self._quotation_between(prev.end, c.start, prev, c):
            return prev
        return None

    def _quotation_between(self, s: int, e: int, c1: Claim, c2: Claim) -> bool:
        own = {id(q) for q in c1.quotations + c2.quotations}
        return any(s <= q.start < e and id(q) not in own and not self._looks_like_title(q)
                   for q in self.view.quotations)

    # -- change: resolve speakers --------------------------------------------------------
    def resolve_speakers(self, claims: list[Claim]) -> None:
        """Resolve speaker mentions in text order; context speakers for the rest."""
        order = sorted(claims, key=lambda c: (c.speaker_head.i if c.speaker_head is not None
                                              else self.view.tok_at(c.start), c.start))
        for c in order:
            if c.speaker_head is not None:
                c.resolution = self.resolver.resolve(c.speaker_head)
        for c in sorted(claims, key=lambda c: c.start):
            if c.speaker_head is None and c.carry:
                c.resolution, cue = self._context_speaker(c, claims)
                if c.cue is None and cue is not None:
                    c.cue = cue

    def _context_speaker(self, c: Claim, claims: list[Claim]) -> tuple[Resolution | None,
                                                                           Cue | None]:
        """Speaker of a stand-alone quote: an intro ending in ':' in the paragraph before,
        the last attributed quote of the paragraph before (teasers skipped), or an
        attribution line after."""
        v = self.view
        para = c.para
        subject = self._sentence_subject_before(v.tok_at(c.start))
        if subject is not None:
            return self.resolver.resolve(subject), None
        p = para - 1
        skipped = 0
        while p >= 0:
            toks = v.para_tokens(p)
            if not toks:
                p -= 1
                continue
            if self._is_teaser(toks) and skipped < 2:
                skipped += 1
                p -= 1
                continue
            if toks[-1].text == ":":
                cues = [cu for cu in find_cues([t for t in toks if v.outside[t.i]],
                                               SPEECH_CUES) if cu.subject is not None]
                if cues:
                    return self.resolver.resolve(cues[-1].subject), cues[-1]
                subject = self._intro_subject(toks[-1])
                if subject is not None:
                    return self.resolver.resolve(subject), None
            earlier = [o for o in claims if o.para <= p <= v.para_of[v.tok_at(o.end - 1)]
                       and o.resolution is not None and
                       o.resolution.speaker is not None and o is not c]
            if earlier:
                last = max(earlier, key=lambda o: o.start)
                return last.resolution, None
            break
        nxt = para + 1
        if nxt < v.n_paras:
            toks = v.para_tokens(nxt)
            if 0 < len(toks) <= 8 and (toks[0].text in DASHES or toks[0].ent_type_ == "PERSON"):
                names = [t for t in toks if t.ent_type_ == "PERSON"]
                if names:
                    head = names[-1]
                    return self.resolver.resolve(head), None
        return None, None

    def _sentence_subject_before(self, a: int) -> Token | None:
        """``Sanders identified X as a reason. "…"``: the named subject of the sentence
        just before a quote, in the same paragraph."""
        v, doc = self.view, self.doc
        i = a - 1
        while i >= 0 and (doc[i].is_space or doc[i].is_punct) and v.para_of[i] == v.para_of[a]:
            i -= 1
        if i < 0 or v.para_of[i] != v.para_of[a] or not v.outside[i]:
            return None
        root = doc[i].sent.root
        if root.pos_ not in ("VERB", "AUX") or not v.outside[root.i]:
            return None
        subj = subject_of(root)
        if subj is not None and v.outside[subj.i] and (
                subj.ent_type_ in ("PERSON", "ORG") or subj.tag_ in ("NNP", "NNPS") or
                subj.lower_ in ("he", "she", "they")):
            return subj
        return None

    def _intro_subject(self, colon: Token) -> Token | None:
        """The subject of a sentence that ends in a colon ("The mayor had a warning:")."""
        root = colon.sent.root
        subj = subject_of(root) if root.pos_ in ("VERB", "AUX") else None
        if subj is not None and (subj.ent_type_ in ("PERSON", "ORG", "NORP", "GPE") or
                                 subj.tag_ in ("PRP", "NNP", "NNPS") or
                                 subj.lemma_.lower() in ROLE_NOUNS or
                                 any(c.dep_ == "appos" for c in subj.children)):
            return subj
        return None

    def _is_teaser(self, toks: list[Token]) -> bool:
        """A short line with no quotation and no person in it, or a "Watch: …" label."""
        if len(toks) >= 2 and toks[1].text == ":" and toks[0].lower_ in TEASER_LABELS:
            return True
        if any(not self.view.outside[t.i] for t in toks) or toks[-1].text == ":":
            return False
        if any(t.pos_ == "VERB" and t.lemma_.lower() in SPEECH_CUES for t in toks):
            return False
        return len(toks) <= 12 and not any(t.ent_type_ == "PERSON" for t in toks)

    # -- emit ----------------------------------------------------------------------------
    def to_quotes(self, claims: list[Claim]) -> list[Quote]:
        quotes: list[Quote] = []
        for c in claims:
            spans = tuple(sorted(set(c.spans)))
            if not spans:
                continue
            start, end = spans[0][0], spans[-1][1]
            res = c.resolution
            speaker = res.speaker if res else None
            name = res.name if res else None
            cue = c.cue
            cue_start = self.doc[cue.start].idx if cue else None
            cue_end = (self.doc[cue.end - 1].idx + len(self.doc[cue.end - 1].text)) if cue \
                else None
            quotes.append(Quote(
                content=self.text[start:end], content_start=start, content_end=end,
                content_spans=spans, speaker=name,
                speaker_start=res.start if res else None,
                speaker_end=res.end if res else None,
                speaker_kind=_kind(speaker), speaker_role=speaker.role if speaker else None,
                speaker_aliases=tuple(a for a in (speaker.aliases if speaker else [])
                                      if a != name),
                cue=self.text[cue_start:cue_end] if cue else None,
                cue_start=cue_start, cue_end=cue_end, kind=c.kind))
        return quotes


def _starts_attribution(doc: Doc, i: int) -> bool:
    """Does an attribution start at token i ("He said", "Smith told", "said Smith")?"""
    for tok in doc[i:i + 6]:
        if tok.pos_ in ("VERB", "AUX") and tok.lemma_.lower() in SPEECH_CUES:
            return True
        if tok.is_punct:
            return False
    return False


def _kind(speaker: Speaker | None) -> str:
    if speaker is not None:
        return speaker.kind
    return "unknown"


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))

"""Speaker mentions and their resolution to one canonical speaker per text.

A speaker mention is the noun phrase a cue points at (``Mr Stoltenberg``, ``he``, ``the
ambassadors``, ``Estonia, Latvia and Lithuania``, ``Article 4 of the Washington Treaty``).
:class:`SpeakerResolver` turns it into a :class:`Speaker`: people named in the text are
clustered by name (``Secretary General Jens Stoltenberg`` = ``Mr Stoltenberg`` =
``Stoltenberg``), titles become roles, ``he``/``she``/``they`` go to the last matching
speaker or person, and role nominals (``the secretary general``, ``NATO's chief``) go to
the person holding a matching role.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from . import thresholds as T
from .gender import first_name_gender
from .wordlists import table, words

HONORIFICS: dict[str, str | None] = table("honorifics")  # honorific -> gender
TITLE_WORDS = words("title_words")
LEADER_NOUNS = words("leader_nouns")
ROLE_NOUNS = LEADER_NOUNS | words("role_nouns")
ORG_NOUNS = words("organisation_nouns")
DOCUMENT_NOUNS = words("document_nouns")
DOCUMENT_NAME_HEADS = words("document_name_heads")
SYNONYMS: dict[str, str | None] = table("role_synonyms")
# closed-class grammar, not vocabulary
PRONOUN_GENDER = {"he": "m", "him": "m", "she": "f", "her": "f"}
PLURAL_PRONOUNS = {"they", "them"}
LOCAL_PRONOUNS = {"i", "we", "me", "us", "you"}
_DET = re.compile(r"^(the|a|an|this|that|these|those)\s+", re.I)
_POSS = re.compile(r"['’]s$")
_PART_OF = re.compile(r"^((?:article|section|clause|paragraph|chapter|title)\s+\S+)\s+of\s+(.+)$",
                      re.I)

KEEP_LEFT = {"compound", "amod", "det", "poss", "nmod", "nummod", "case", "flat",
             "punct", "quantmod", "npadvmod", "advmod"}
KEEP_RIGHT = {"compound", "flat", "case", "nummod", "appos_name"}


@dataclass
class Speaker:
    """One speaker of a text, with every surface form it goes by."""

    name: str
    kind: str = "unknown"
    role: str | None = None
    gender: str | None = None
    aliases: list[str] = field(default_factory=list)
    named: bool = True  # False: ``name`` is a mention ("the mayor"), not a name

    def add_alias(self, surface: str) -> None:
        surface = " ".join(surface.split())
        if surface and surface != self.name and surface not in self.aliases:
            self.aliases.append(surface)

    def set_role(self, role: str | None) -> None:
        """Keep the most specific (longest) role seen."""
        if role and (not self.role or len(role) > len(self.role)):
            self.role = role


@dataclass(frozen=True)
class Resolution:
    """A speaker mention and the speaker it was resolved to (None: unresolvable)."""

    speaker: Speaker | None
    start: int
    end: int
    text: str

    @property
    def name(self) -> str | None:
        return self.speaker.name if self.speaker else (self.text or None)


def strip_det(text: str) -> str:
    """Drop a leading article or demonstrative."""
    return _DET.sub("", text.strip())


def _clean(text: str) -> str:
    return " ".join(text.replace("\n", " ").split()).strip(" ,;:-–—")


def name_key(token_text: str) -> str:
    return _POSS.sub("", token_text).lower().strip(".")


def mention_tokens(head: Token) -> tuple[int, int]:
    """Token range [start, end) of the speaker noun phrase headed by ``head``.

    Keeps determiners, possessors, compounds and adjectives, coordinated names
    (``Estonia, Latvia and Lithuania``) and an ``of``-phrase after a common noun
    (``envoys to the alliance``, ``Article 4 of the treaty``); drops relative clauses and
    appositions.

    Args:
        head: the syntactic head of the mention (e.g. the cue's subject).

    Returns:
        (start, end) token indices into ``head.doc``.
    """
    if head.tag_ in ("PRP", "WP"):
        return head.i, head.i + 1
    start = end = head.i
    for child in head.lefts:
        if child.dep_ in KEEP_LEFT or child.dep_ in ("cc", "conj"):
            start = min(start, child.left_edge.i)
    # do not let a left child run over a quotation mark or a sentence start
    for child in head.rights:
        dep = child.dep_
        if dep in ("conj", "cc") or (dep == "punct" and child.text == "," and
                                     any(c.dep_ == "conj" and c.i > child.i
                                         for c in head.rights)):
            end = max(end, child.right_edge.i if dep == "conj" else child.i)
        elif dep in ("compound", "flat", "nummod", "case"):
            end = max(end, child.right_edge.i)
        elif dep == "prep" and child.lower_ in ("of", "to", "for", "at") and \
                head.tag_ in ("NN", "NNS") and \
                child.right_edge.i - head.i <= T.MENTION_OF_PHRASE_MAX:
            end = max(end, child.right_edge.i)
        else:
            break
    doc = head.doc
    while start < head.i and (doc[start].is_punct or doc[start].is_space):
        start += 1
    while end > head.i and (doc[end].is_punct or doc[end].is_space):
        end -= 1
    return start, end + 1


def _span_text(doc: Doc, start: int, end: int) -> str:
    return _clean(doc[start:end].text)


class SpeakerResolver:
    """Resolve speaker mentions of one parsed text to canonical speakers.

    Args:
        doc: the parsed text.
        outside_quotes: per token index, True when the token is not inside quotation
            marks (names inside quotes are not used as antecedents).
    """

    def __init__(self, doc: Doc, outside_quotes: list[bool]):
        self.doc = doc
        self.outside = outside_quotes
        self.people: list[Speaker] = []
        self.others: dict[str, Speaker] = {}
        self._by_surname: dict[str, list[Speaker]] = {}
        self._person_mentions: list[tuple[int, Speaker]] = []  # (token index, speaker)
        self._speaker_history: list[tuple[int, Speaker]] = []  # resolved attributions
        self._collect_people()

    # -- find: people named in the text -------------------------------------------------
    def _collect_people(self) -> None:
        """Cluster PERSON entities: full names first, then surnames onto them."""
        singles: list[tuple[Span, list[str]]] = []
        for ent in self.doc.ents:
            if ent.label_ != "PERSON" or not self.outside[ent.start]:
                continue
            words = self._name_words(ent)
            if not words:
                continue
            if len(words) >= 2:
                person = self._person_for_full_name(words)
                self._note_person_mention(ent, person)
            else:
                singles.append((ent, words))
        for ent, words in singles:
            person = self._person_for_single_name(words[0])
            self._note_person_mention(ent, person)
        self._person_mentions.sort(key=lambda x: x[0])
        self._mention_index = [i for i, _ in self._person_mentions]

    def _name_words(self, ent: Span) -> list[str]:
        words = [t.text for t in ent if not t.is_punct or t.text in ("-", ".")]
        while words and name_key(words[0]) in set(HONORIFICS) | TITLE_WORDS:
            words = words[1:]
        if words:
            words[-1] = _POSS.sub("", words[-1])
        return [w for w in words if w and w not in ("'s", "’s")]

    def _person_for_full_name(self, words: list[str]) -> Speaker:
        name = " ".join(words)
        surname = name_key(words[-1])
        for person in self._by_surname.get(surname, []):
            if person.name.lower() == name.lower():
                return person
            first = name_key(person.name.split()[0])
            if first == name_key(words[0]) or len(person.name.split()) == 1:
                if len(name) > len(person.name):
                    person.add_alias(person.name)
                    person.name = name
                return person
        person = Speaker(name=name, kind="person", gender=self._gender_of_first(words[0]))
        self.people.append(person)
        self._by_surname.setdefault(surname, []).append(person)
        return person

    def _person_for_single_name(self, word: str) -> Speaker:
        key = name_key(word)
        candidates = self._by_surname.get(key, [])
        if not candidates:
            candidates = [p for p in self.people if name_key(p.name.split()[0]) == key]
        if candidates:
            return candidates[-1]
        person = Speaker(name=word, kind="person", gender=self._gender_of_first(word))
        self.people.append(person)
        self._by_surname.setdefault(key, []).append(person)
        return person

    @staticmethod
    def _gender_of_first(word: str) -> str | None:
        return first_name_gender(_POSS.sub("", word))

    def _note_person_mention(self, ent: Span, person: Speaker) -> None:
        person.add_alias(_clean(ent.text))
        role, honorific = self._title_before(ent)
        if honorific in HONORIFICS and HONORIFICS[honorific] and not person.gender:
            person.gender = HONORIFICS[honorific]
        person.set_role(role)
        self._person_mentions.append((ent.start, person))

    def _title_before(self, ent: Span) -> tuple[str | None, str | None]:
        """Role words written before a name ("NATO Secretary General"), and an honorific."""
        doc = self.doc
        i = ent.start
        # titles inside the entity itself ("President Joe Biden" tagged whole)
        inner = [t for t in ent if name_key(t.text) in TITLE_WORDS | set(HONORIFICS)]
        j = i
        while j > 0 and doc[j - 1].sent == ent.sent and doc[j - 1].tag_ in (
                "NNP", "NNPS", "NN", "JJ") and doc[j - 1].dep_ in (
                "compound", "amod", "nmod", "poss", "npadvmod", "punct") and \
                not doc[j - 1].is_punct and doc[j - 1].ent_type_ != "PERSON":
            j -= 1
        # honorific directly before ("Mr Stoltenberg"), stored with or without the dot
        honorific = None
        if j < i:
            first = name_key(doc[j].text)
            if first in HONORIFICS:
                honorific = first
        elif inner:
            honorific = name_key(inner[0].text) if name_key(inner[0].text) in HONORIFICS \
                else None
        words = [t.text for t in doc[j:i] if name_key(t.text) not in HONORIFICS]
        words += [t.text for t in inner if name_key(t.text) not in HONORIFICS]
        role = _clean(" ".join(words)) or None
        if role and not any(name_key(w) in TITLE_WORDS for w in role.split()):
            role = None
        return role, honorific

    # -- change: resolve one mention -----------------------------------------------------
    def resolve(self, head: Token) -> Resolution:
        """Resolve the mention headed by ``head`` and remember it as the last speaker.

        Args:
            head: head token of the speaker mention.

        Returns:
            The mention's character span and the speaker it stands for.
        """
        start, end = mention_tokens(head)
        doc = self.doc
        span = doc[start:end]
        text = _clean(span.text)
        speaker = self._resolve_span(head, span, text)
        if speaker is not None:
            if head.lower_ not in PRONOUN_GENDER and head.lower_ not in PLURAL_PRONOUNS \
                    and head.lower_ != "it":
                speaker.add_alias(text)
            self._speaker_history.append((head.i, speaker))
        return Resolution(speaker, span.start_char, span.end_char, text)

    def _resolve_span(self, head: Token, span: Span, text: str) -> Speaker | None:
        low = head.lower_
        if head.tag_ in ("WP", "WDT") and head.head.dep_ in ("relcl", "acl") and \
                head.head.head.i != head.head.i:
            noun = head.head.head  # "Mike Lee, who declared …" -> Mike Lee
            start, end = mention_tokens(noun)
            return self._resolve_span(noun, self.doc[start:end],
                                      _clean(self.doc[start:end].text))
        if head.tag_ in ("PRP", "WP") or low in PRONOUN_GENDER or low in PLURAL_PRONOUNS:
            return self._resolve_pronoun(head)
        conj = [c for c in head.children if c.dep_ == "conj"]
        if conj and head.tag_ in ("NNP", "NNPS"):
            return self._other(strip_det(text), "group")
        person = self._person_in(span)
        if person is not None:
            appos_role = self._appos_role(head)
            if appos_role:
                person.set_role(appos_role)
            return person
        named = self._appos_person(head)
        if named is not None:
            named.set_role(strip_det(text))
            return named
        if head.tag_ in ("NNP", "NNPS"):
            ent = head.ent_type_
            if head.lower_ in DOCUMENT_NAME_HEADS or ent == "LAW":
                return self._document(span, text, head)
            if ent in ("ORG", "FAC"):
                return self._other(strip_det(self._ent_text(head) or text), "organisation")
            if ent in ("GPE", "NORP", "LOC"):
                return self._other(strip_det(self._ent_text(head) or text), "country")
            if ent in ("LAW", "WORK_OF_ART"):
                return self._other(strip_det(text), "document")
            # an unlabelled proper noun: a surname seen before, else a new name
            key = name_key(head.text)
            if key in self._by_surname:
                return self._by_surname[key][-1]
            if head.lower_ in ORG_NOUNS or any(t.lower_ in ORG_NOUNS for t in span):
                return self._other(strip_det(text), "organisation")
            return self._other(strip_det(text), "person" if not ent else "unknown")
        lemma = head.lemma_.lower()
        if lemma in DOCUMENT_NOUNS:
            return self._document(span, text)
        if lemma in ROLE_NOUNS or low in ROLE_NOUNS:
            person = self._person_with_role(head, span)
            if person is not None:
                return person
        if head.tag_ == "NNS" and lemma not in ORG_NOUNS:
            return self._group_for_plural(head, span, text)
        if lemma in ORG_NOUNS:
            return self._other(strip_det(text), "organisation")
        return self._unnamed(text, lemma in ROLE_NOUNS or low in ROLE_NOUNS)

    def _appos_person(self, head: Token) -> Speaker | None:
        """``the harbour master, Ines Duarte,``: the person named in an apposition."""
        for c in head.children:
            if c.dep_ == "appos" and c.ent_type_ == "PERSON":
                start, end = mention_tokens(c)
                person = self._person_in(self.doc[start:end])
                if person is not None:
                    return person
        return None

    def _appos_role(self, head: Token) -> str | None:
        """``Ines Duarte, the harbour master,``: a short role in an apposition."""
        for c in head.children:
            if c.dep_ == "appos" and c.tag_ in ("NN", "NNS") and (
                    c.lemma_.lower() in ROLE_NOUNS or c.lower_ in ROLE_NOUNS or
                    _short_nominal(c)):
                start = min(t.i for t in c.subtree)
                end = c.i + 1
                for r in c.rights:
                    if r.dep_ == "prep" and r.lower_ == "of" and r.right_edge.i - c.i <= T.APPOSITION_ROLE_MAX:
                        end = r.right_edge.i + 1
                    break
                return strip_det(_clean(self.doc[start:end].text))
        return None

    def _ent_text(self, head: Token) -> str | None:
        for ent in self.doc.ents:
            if ent.start <= head.i < ent.end:
                return _POSS.sub("", ent.text)
        return None

    def _person_in(self, span: Span) -> Speaker | None:
        """The person named inside the mention, if any (last PERSON mention in it)."""
        k = bisect_left(self._mention_index, span.start)
        found = None
        while k < len(self._mention_index) and self._mention_index[k] < span.end:
            found = self._person_mentions[k][1]
            k += 1
        if found is None:
            for t in span:
                if t.tag_ == "NNP" and name_key(t.text) in self._by_surname:
                    found = self._by_surname[name_key(t.text)][-1]
        return found

    def _other(self, name: str, kind: str) -> Speaker:
        name = _clean(name)
        key = name.lower()
        if key not in self.others:
            self.others[key] = Speaker(name=name, kind=kind)
        return self.others[key]

    def _unnamed(self, text: str, is_role: bool) -> Speaker:
        """A nominal that names nobody ("the mayor", "a witness"): the mention is kept
        as written, a role noun as the role; its holder's name is unknown."""
        mention = _clean(text)
        key = "\0" + mention.lower()
        if key not in self.others:
            self.others[key] = Speaker(name=mention, kind="person" if is_role else "unknown",
                                       role=strip_det(mention) if is_role else None,
                                       named=False)
        return self.others[key]

    def _document(self, span: Span, text: str, head: Token | None = None) -> Speaker:
        """A written source, named by the document it belongs to: "Article 4 of NATO's
        founding Washington Treaty" -> "Washington Treaty" (aliases: the mention and
        "Article 4")."""
        doc_speaker = None
        for ent in self.doc.ents:
            if span.start <= ent.start and ent.end <= span.end and \
                    ent.label_ in ("LAW", "ORG", "WORK_OF_ART") and \
                    ent.root.lower_ in DOCUMENT_NAME_HEADS | DOCUMENT_NOUNS:
                doc_speaker = self._other(_POSS.sub("", strip_det(ent.text)), "document")
        if doc_speaker is None:
            doc_speaker = self._other(strip_det(text), "document")
        whole = _PART_OF.match(doc_speaker.name)
        if whole:  # "Article 12 of the Harbour Act" -> "Harbour Act"
            part = doc_speaker
            doc_speaker = self._other(strip_det(whole.group(2)), "document")
            doc_speaker.add_alias(whole.group(1))
            doc_speaker.add_alias(part.name)
        doc_speaker.kind = "document"
        doc_speaker.add_alias(strip_det(text))
        if head is not None and head.dep_ == "pobj" and head.head.lower_ == "of":
            part = head.head.head  # "Article 4 of the treaty"
            if part.lower_ in ("article", "section", "clause", "paragraph", "chapter"):
                start = part.i
                end = max([c.i for c in part.children if c.dep_ in ("nummod", "appos")] +
                          [part.i]) + 1
                doc_speaker.add_alias(_clean(self.doc[start:end].text))
        return doc_speaker

    def _person_with_role(self, head: Token, span: Span) -> Speaker | None:
        """A role nominal ("the secretary general", "NATO's chief") -> its holder."""
        words = {name_key(t.text) for t in span if not t.is_punct}
        org_words = {name_key(t.text) for t in span if t.ent_type_ in ("ORG", "GPE", "NORP")}
        noun = name_key(head.text)

        def fits(p: Speaker) -> bool:
            if not p.role:
                return False
            role = {name_key(w) for w in p.role.split()}
            if org_words and not (org_words & role):
                return False
            if noun in role or (words - {"the", "a", "an"}) & role & ROLE_NOUNS:
                return True
            return noun in LEADER_NOUNS and bool(role & LEADER_NOUNS)

        before = [p for i, p in reversed(self._person_mentions) if i < head.i and fits(p)]
        if before:
            return before[0]
        after = [p for i, p in self._person_mentions if i > head.i and fits(p)]
        return after[0] if after else None

    def _group_for_plural(self, head: Token, span: Span, text: str) -> Speaker:
        """A plural nominal; a bare "the envoys" takes a fuller earlier form."""
        key = SYNONYMS.get(head.lemma_.lower()) or head.lemma_.lower()
        if len([t for t in span if not t.is_punct]) <= T.BARE_PLURAL_MAX_WORDS:
            for tok in reversed(self.doc[max(0, head.i - T.PLURAL_ANTECEDENT_WINDOW):head.i]):
                if tok.tag_ == "NNS" and (SYNONYMS.get(tok.lemma_.lower()) or
                                          tok.lemma_.lower()) == key:
                    mods = [c for c in tok.lefts if c.dep_ == "compound" and
                            c.ent_type_ in ("ORG", "GPE", "NORP")]
                    if mods:
                        fuller = _clean(self.doc[mods[0].i:tok.i + 1].text)
                        group = self._other(fuller, "group")
                        group.add_alias(strip_det(text))
                        return group
        return self._other(strip_det(text), "group")

    def _resolve_pronoun(self, head: Token) -> Speaker | None:
        low = head.lower_
        if low in LOCAL_PRONOUNS or head.tag_ == "WP":
            return None
        gender = PRONOUN_GENDER.get(low)
        if low in PLURAL_PRONOUNS or low == "it":
            wanted = ("group", "organisation", "country") if low != "it" else (
                "organisation", "country", "document")
            for i, sp in reversed(self._speaker_history):
                if i < head.i and sp.kind in wanted and head.i - i < T.THEY_IT_WINDOW:
                    return sp
            return None
        # he / she: the last compatible speaker, else the last compatible person mentioned
        last_speaker = None
        for i, sp in reversed(self._speaker_history):
            if i < head.i and sp.kind == "person":
                last_speaker = (i, sp)
                break
        k = bisect_left(self._mention_index, head.i)
        for j in range(k - 1, -1, -1):
            i, person = self._person_mentions[j]
            if head.i - i > T.HE_SHE_WINDOW:
                break
            if last_speaker and last_speaker[0] > i and _gender_ok(last_speaker[1], gender):
                return last_speaker[1]
            if _gender_ok(person, gender) and self._is_subject_like(i):
                return person
        if last_speaker and _gender_ok(last_speaker[1], gender):
            return last_speaker[1]
        for j in range(k - 1, -1, -1):
            i, person = self._person_mentions[j]
            if _gender_ok(person, gender) and head.i - i <= T.HE_SHE_WINDOW:
                return person
        return None

    def _is_subject_like(self, i: int) -> bool:
        tok = self.doc[i]
        while tok.dep_ in ("compound", "flat") and tok.head.i != tok.i:
            tok = tok.head
        return tok.dep_ in ("nsubj", "nsubjpass", "appos", "ROOT", "poss", "pobj", "dobj")


def _gender_ok(person: Speaker, gender: str | None) -> bool:
    return person.kind == "person" and (gender is None or person.gender in (None, gender))


def _short_nominal(noun: Token) -> bool:
    """``the harbour master``, ``a city councillor``: a short common-noun phrase with an
    article and no clause, as an apposition to a name reads like a role."""
    toks = list(noun.subtree)
    return len(toks) <= T.SHORT_ROLE_MAX_TOKENS and toks[0].lower_ in ("the", "a", "an") and not any(
        t.pos_ in ("VERB", "AUX", "PROPN") or t.dep_ in ("relcl", "acl", "prep")
        for t in toks)

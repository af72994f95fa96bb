"""Read-only lookups over one parsed text, shared by the passes.

:class:`DocView` holds the parse, the quotation spans (pass 1) and what follows from them
alone: which token sits inside which quotation, each token's paragraph, and which
quotations are names or titles rather than anyone's words. No pass writes to it.
"""
from __future__ import annotations

from bisect import bisect_right

from spacy.tokens import Doc, Token

from . import thresholds as T
from .quotes import Quotation

SENTENCE_END = {".", "!", "?", "…", "...", "?!", "!!"}
DASHES = {"—", "–", "-", "--", "―", "‒"}


class DocView:
    """Per-text lookups: token of a character, paragraph of a token, quotations.

    Args:
        doc: the parsed text.
        quotations: its quotation spans (:func:`.quotes.find_quotations`).
    """

    def __init__(self, doc: Doc, quotations: list[Quotation]):
        self.doc = doc
        self.text = doc.text
        self.tok_starts = [t.idx for t in doc]
        self.quotations = quotations
        n = len(doc)
        self.quote_of: list[int | None] = [None] * n
        for qi, q in enumerate(quotations):
            a, b = self.q_tokens(q)
            for i in range(a, b + 1):
                self.quote_of[i] = qi
        self.outside = [q is None for q in self.quote_of]
        self.para_of: list[int] = []
        self._para_start = [0]  # token index where each paragraph starts (paragraphs are contiguous)
        para = 0
        for t in doc:
            self.para_of.append(para)
            if "\n" in t.text or "\n" in t.whitespace_:
                para += 1
                self._para_start.append(t.i + 1)
        self.n_paras = para + 1
        self._para_start.append(n)
        self._para_tokens: dict[int, tuple[Token, ...]] = {}
        self.titles = frozenset(qi for qi, q in enumerate(quotations)
                                if looks_like_title(self, q))

    def tok_at(self, char: int) -> int:
        """Index of the token holding character ``char`` (or the one before it)."""
        return max(0, bisect_right(self.tok_starts, char) - 1)

    def q_tokens(self, q: Quotation) -> tuple[int, int]:
        """Token range [a, b] (inclusive) of a quotation, marks included."""
        return self.tok_at(q.start), self.tok_at(max(q.start, q.end - 1))

    def para_tokens(self, para: int) -> list[Token]:
        """The non-space tokens of paragraph ``para`` (a new list: callers may change it)."""
        toks = self._para_tokens.get(para)
        if toks is None:
            if 0 <= para < self.n_paras:
                a, b = self._para_start[para], self._para_start[para + 1]
                toks = tuple(t for t in self.doc[a:b] if not t.is_space)
            else:
                toks = ()
            toks = self._para_tokens[para] = toks
        return list(toks)

    def plain(self, i: int) -> bool:
        """Is token i reporter's text: outside quotation marks, or inside a quoted name or
        title (``state Del. Marcia "Cia" Price shouted``)?"""
        qi = self.quote_of[i]
        return qi is None or qi in self.titles


def looks_like_title(view: DocView, q: Quotation) -> bool:
    """A name or a title of a work: every word capitalised, no clause ("Face the
    Nation", "Women Who Work", "Guccifer")."""
    a, b = view.q_tokens(q)
    words = [t for t in view.doc[a:b + 1] if t.is_alpha]
    if not words:
        return True
    content = [t for t in words if not t.is_stop or t.i == words[0].i]
    capitalised = all(t.text[0].isupper() for t in content)
    return capitalised and (len(words) <= T.TITLE_MAX_WORDS or not any(
        t.tag_.startswith("VB") for t in words))


def speechlike(view: DocView, q: Quotation) -> bool:
    """Long enough and verb-bearing to be someone's words, not a title or a name."""
    a, b = view.q_tokens(q)
    toks = view.doc[a:b + 1]
    words = [t for t in toks if t.is_alpha]
    if len(words) < T.SPEECH_MIN_WORDS:
        return False
    has_verb = any(t.tag_.startswith("VB") or t.tag_ == "MD" for t in toks)
    long_words = [t for t in words if len(t) >= T.SPEECH_LONG_WORD_CHARS]
    titled = sum(t.text[0].isupper() for t in long_words) >= \
        T.SPEECH_MAX_CAPITALISED * len(long_words)
    return has_verb and not titled


def overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))

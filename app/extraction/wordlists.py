"""Word lists of the engine, read from ``data/words/`` (one file per list).

A ``.txt`` list holds words separated by white space; a ``.tsv`` list holds ``key<TAB>value``
lines; ``#`` starts a comment in both. Lists are read once per process.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

WORDS_DIR = Path(__file__).with_name("data") / "words"


def _lines(name: str) -> list[str]:
    text = (WORDS_DIR / name).read_text(encoding="utf-8")
    return [line.split("#", 1)[0].strip() for line in text.splitlines()]


@lru_cache(maxsize=None)
def words(name: str) -> frozenset[str]:
    """The words of ``data/words/<name>.txt`` (lower case as written)."""
    return frozenset(w for line in _lines(f"{name}.txt") for w in line.split())


@lru_cache(maxsize=None)
def table(name: str) -> dict[str, str | None]:
    """The ``key -> value`` pairs of ``data/words/<name>.tsv`` (``-`` reads as None)."""
    out: dict[str, str | None] = {}
    for line in _lines(f"{name}.tsv"):
        if line:
            key, _, value = line.partition("\t")
            value = value.strip()
            out[key.strip()] = None if value in ("", "-") else value
    return out

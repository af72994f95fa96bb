"""Grammatical gender of a first name, for ``he``/``she`` resolution.

From gender-guesser's name dataset (the ``nam_dict.txt`` of Jörg Michael's gender program,
shipped in the PyPI package, read offline). Only clear answers count: "male" and
"female", and "mostly_…" ones (a name used for both is no evidence).
"""
from __future__ import annotations

from functools import lru_cache

_ANSWERS = {"male": "m", "female": "f", "mostly_male": "m", "mostly_female": "f"}


@lru_cache(maxsize=1)
def _detector():
    import gender_guesser.detector as gender_detector

    return gender_detector.Detector(case_sensitive=False)


@lru_cache(maxsize=4096)
def first_name_gender(name: str) -> str | None:
    """``"m"``, ``"f"`` or None (unknown, androgynous, or not a first name)."""
    name = name.strip(".")
    if len(name) < 2 or not name[0].isalpha():
        return None
    return _ANSWERS.get(_detector().get_gender(name))

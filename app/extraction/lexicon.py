"""Cue lexicons (lemmas, from ``data/words/``) and the mined cue table.

SPEECH_CUES introduce a direct quotation ("…," she said). CLAUSE_CUES report a clause
(Stoltenberg said the alliance will …): speech acts plus the few attitude verbs whose
reported clause is a claim often enough. FRAGMENT_CUES take a quoted fragment as object
(called it a "disaster", vowed to defend "every inch"). OBJECT_CUES are the verbs whose
object or infinitive is itself a message (urged voters to …, accused him of …).
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from . import thresholds as T
from .wordlists import words

SPEECH_CUES: frozenset[str] = words("speech_cues")
OBJECT_CUES: frozenset[str] = words("object_cues")
CLAUSE_CUES: frozenset[str] = SPEECH_CUES | words("attitude_cues")
FRAGMENT_CUES: frozenset[str] = SPEECH_CUES | words("fragment_cues")

# -- mined cue table ---------------------------------------------------------------------
# data/cue_table.json: for each reported-speech pattern "lemma|complement" the number of
# candidates the engine found in PolNeAR train and how many of them were gold
# attributions (tools/mine_cues.py). cue_precision() smooths that towards a prior.
CUE_TABLE_PATH = Path(__file__).with_name("data") / "cue_table.json"
OTHER_STAR = "~"  # "~|dobj": the pooled counts of object patterns of verbs outside the
#                  object lexicon ("*|dobj": of those inside it)
QUOTED_SUFFIX = "^q"  # the pattern's complement holds a quotation ("called it a "disaster"")


@lru_cache(maxsize=1)
def cue_table() -> dict[str, tuple[int, int]]:
    """The mined table {pattern key: (candidates, gold)}; empty if the file is missing."""
    try:
        raw = json.loads(CUE_TABLE_PATH.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: (int(v[0]), int(v[1])) for k, v in raw.get("patterns", {}).items()}


@lru_cache(maxsize=4096)
def cue_precision(key: str) -> float:
    """Estimated share of a pattern's candidates that are real attributions.

    Args:
        key: ``"lemma|complement"``, e.g. ``"say|ccomp"``, ``"refer|prep:to"``, with
            ``"^q"`` appended when the complement holds a quotation.

    Returns:
        A smoothed precision in [0, 1]: the mined counts pulled towards a prior (a
        clause reported by a verb of the speech lexicon: ``SPEECH_CLAUSE_PRIOR``, by
        another verb: ``OTHER_CLAUSE_PRIOR``; other patterns: the mined average of their
        complement type). A clause holding quoted words, reported by a verb the table
        does not know, starts from at least ``QUOTED_CLAUSE_PRIOR``.
    """
    table = cue_table()
    k = T.CUE_SMOOTHING
    if key.endswith(QUOTED_SUFFIX):
        # quoted words in the complement: counts of their own, pulled towards the pattern
        plain = key[:-len(QUOTED_SUFFIX)]
        base = cue_precision(plain)
        if plain not in table and plain.partition("|")[2] in ("ccomp", "parataxis"):
            base = max(base, T.QUOTED_CLAUSE_PRIOR)
        n, m = table.get(key, (0, 0))
        return (m + k * base) / (n + k)
    lemma, _, comp = key.partition("|")
    if comp in ("ccomp", "parataxis", "as"):
        prior = T.SPEECH_CLAUSE_PRIOR if lemma in SPEECH_CUES else T.OTHER_CLAUSE_PRIOR
    else:
        star = "*" if lemma in OBJECT_CUES else OTHER_STAR
        n0, m0 = table.get(f"{star}|{comp.split(':')[0].split('+')[0]}", (0, 0))
        prior = m0 / n0 if n0 else 0.0
    n, m = table.get(key, (0, 0))
    return (m + k * prior) / (n + k)

"""Cue lexicon (lemmas).

SPEECH_CUES introduce a direct quotation ("…," she said). CLAUSE_CUES report a clause
(Stoltenberg said the alliance will …): speech acts plus the few attitude verbs whose
reported clause is a claim often enough. FRAGMENT_CUES take a quoted fragment as object
(called it a "disaster", vowed to defend "every inch").
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

_SPEECH = """
say tell add write ask note report announce suggest tweet argue explain acknowledge
declare claim insist warn urge promise vow pledge state reply respond answer recall admit
concede confirm deny predict assert contend maintain stress emphasize emphasise complain
comment observe remark testify disclose reveal indicate allege charge accuse agree
conclude caution counter tout boast joke quip muse wonder hint signal post blog retort
shout scream yell whisper mutter repeat reiterate assure inform advise propose recommend
demand threaten continue describe call estimate point mention
brag lament concur opine posit rule plead question challenge dismiss criticize
criticise praise thank apologize apologise swear affirm forecast project
interject exclaim sigh laugh chuckle cry snap murmur gush rave crow fume rail scoff
text email e-mail message publish print editorialize editorialise
read
""".split()

_ATTITUDE = """
believe think know feel hope fear worry expect doubt guess figure reckon suspect
understand learn find show
""".split()

_FRAGMENT = """
call describe label dub brand term characterize characterise deride praise denounce
vow promise pledge threaten refer
""".split()

# Verbs whose object or infinitive is itself a message or a stance (called him a
# "liar", accused her of lying, urged voters to …, vowed to …, cited a study). Verbs whose
# object is an event or a thing (announced deployments, declared an emergency, defended
# the border, endorsed a candidate) report a clause only.
_OBJECT = """
call describe label dub brand term characterize characterise portray paint liken deride
accuse blame credit criticize criticise condemn denounce decry slam blast assail mock
praise hail applaud thank congratulate question challenge dispute deny reject dismiss
rebut repudiate cite mention refer point quote invoke reference tweet post retweet email
write repeat echo stress emphasize emphasise voice express urge ask demand recommend
propose advocate warn vow promise pledge threaten claim acknowledge admit confirm explain
reveal disclose recall suggest show tout hint insist comment lash argue
""".split()

SPEECH_CUES: frozenset[str] = frozenset(_SPEECH)
OBJECT_CUES: frozenset[str] = frozenset(_OBJECT)
CLAUSE_CUES: frozenset[str] = frozenset(_SPEECH) | frozenset(_ATTITUDE)
FRAGMENT_CUES: frozenset[str] = frozenset(_SPEECH) | frozenset(_FRAGMENT)

# -- mined cue table ---------------------------------------------------------------------
# data/cue_table.json: for each reported-speech pattern "lemma|complement" the number of
# candidates the engine found in PolNeAR train and how many of them were gold
# attributions (tools/mine_cues.py). cue_precision() smooths that towards a prior.
CUE_TABLE_PATH = Path(__file__).with_name("data") / "cue_table.json"
SMOOTHING = 4.0
QUOTED_SUFFIX = "^q"  # the pattern's complement holds a quotation ("called it a "disaster"")
SPEECH_CLAUSE_PRIOR = 0.6
OTHER_CLAUSE_PRIOR = 0.2
QUOTED_CLAUSE_PRIOR = 0.5  # a clause holding quoted words; rare verbs' mined share: 0.74


@lru_cache(maxsize=1)
def cue_table() -> dict[str, tuple[int, int]]:
    """The mined table {pattern key: (candidates, gold)}; empty if the file is missing."""
    try:
        raw = json.loads(CUE_TABLE_PATH.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: (int(v[0]), int(v[1])) for k, v in raw.get("patterns", {}).items()}


def cue_precision(key: str) -> float:
    """Estimated share of a pattern's candidates that are real attributions.

    Args:
        key: ``"lemma|complement"``, e.g. ``"say|ccomp"``, ``"refer|prep:to"``, with
            ``"^q"`` appended when the complement holds a quotation.

    Returns:
        A smoothed precision in [0, 1]: the mined counts pulled towards a prior (a
        clause reported by a verb of the hand lexicon: 0.6, by another verb: 0.2; other
        patterns: the mined average of their complement type). A clause holding
        quoted words, reported by a verb the table does not know, starts from at least
        ``QUOTED_CLAUSE_PRIOR``.
    """
    table = cue_table()
    if key.endswith(QUOTED_SUFFIX):
        # quoted words in the complement: counts of their own, pulled towards the pattern
        plain = key[:-len(QUOTED_SUFFIX)]
        base = cue_precision(plain)
        if plain not in table and plain.partition("|")[2] in ("ccomp", "parataxis"):
            # a verb never mined reporting a clause that holds quoted words
            base = max(base, QUOTED_CLAUSE_PRIOR)
        n, m = table.get(key, (0, 0))
        return (m + SMOOTHING * base) / (n + SMOOTHING)
    lemma, _, comp = key.partition("|")
    if comp in ("ccomp", "parataxis", "as"):
        prior = SPEECH_CLAUSE_PRIOR if lemma in SPEECH_CUES else OTHER_CLAUSE_PRIOR
    else:
        n0, m0 = table.get(f"*|{comp.split(':')[0].split('+')[0]}", (0, 0))
        prior = m0 / n0 if n0 else 0.0
    n, m = table.get(key, (0, 0))
    return (m + SMOOTHING * prior) / (n + SMOOTHING)

"""Cue lexicon (lemmas).

SPEECH_CUES introduce a direct quotation ("…," she said). CLAUSE_CUES report a clause
(Stoltenberg said the alliance will …): speech acts plus the few attitude verbs whose
reported clause is a claim often enough. FRAGMENT_CUES take a quoted fragment as object
(called it a "disaster", vowed to defend "every inch").
"""
from __future__ import annotations

_SPEECH = """
say tell add write ask note report announce suggest tweet argue explain acknowledge
declare claim insist warn urge promise vow pledge state reply respond answer recall admit
concede confirm deny predict assert contend maintain stress emphasize emphasise complain
comment observe remark testify disclose reveal indicate allege charge accuse agree
conclude caution counter tout boast joke quip muse wonder hint signal post blog retort
shout scream yell whisper mutter repeat reiterate assure inform advise propose recommend
demand threaten declare continue describe call estimate point mention acknowledge
brag lament concur opine posit rule plead question challenge dismiss complain criticize
criticise praise thank apologize apologise vow swear affirm announce forecast project
interject exclaim sigh laugh chuckle cry snap murmur gush rave crow fume rail scoff
tweet text email e-mail message post publish print editorialize editorialise
""".split()

_ATTITUDE = """
believe think know feel hope fear worry expect doubt guess figure reckon suspect
understand learn find show
""".split()

_FRAGMENT = """
call describe label dub brand term characterize characterise deride praise denounce
vow promise pledge threaten refer promise
""".split()

SPEECH_CUES: frozenset[str] = frozenset(_SPEECH)
CLAUSE_CUES: frozenset[str] = frozenset(_SPEECH) | frozenset(_ATTITUDE)
FRAGMENT_CUES: frozenset[str] = frozenset(_SPEECH) | frozenset(_FRAGMENT)

"""Features of one sentence (and of its place in a document) for check-worthiness.

Everything here is computed from the text alone, with regular expressions and small
generic English word lists: no spaCy pass, so scoring a claim at ingest costs
microseconds. Three kinds of feature feed the linear model:

* n-grams (:func:`ngrams`): lowercased word 1- and 2-grams, digits folded to ``0``;
* cues (:func:`cue_features`): named, human-readable signals (a number, a comparison, a
  causal link, a past event; opinion, promise, request, question, thanks), which also
  give the reason shown in the queue;
* context (:func:`context_features`): where the sentence sits among the document's
  sentences (the speaker's share of questions, an answer to another speaker's question,
  the first sentence of a turn). Optional: a lone claim gets neutral values.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Sequence

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[$%?]")
_DIGITS = re.compile(r"[0-9]+")


def normalise(text: str) -> str:
    """Lowercase, straight apostrophes, digits folded to ``0``."""
    return _DIGITS.sub("0", text.lower().replace("’", "'").replace("‘", "'"))


def words(text: str) -> list[str]:
    """The word tokens of :func:`normalise`\\ d text (``$``, ``%`` and ``?`` kept as tokens)."""
    return _WORD.findall(normalise(text))


def ngrams(text: str) -> list[str]:
    """Word unigrams and bigrams (bigrams joined by a space), in text order."""
    tokens = words(text)
    return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]


def _any(*patterns: str) -> re.Pattern:
    return re.compile(r"\b(?:" + "|".join(patterns) + r")\b", re.IGNORECASE)


# Generic English cue lists (not taken from any evaluation data).
_NUMBER_WORDS = _any(
    r"hundreds?", r"thousands?", r"millions?", r"billions?", r"trillions?", r"percent",
    r"per cent", r"dozens?", r"twice", r"double[ds]?", r"triple[ds]?", r"half", r"quarter",
    r"one third", r"two thirds", r"majority", r"average", r"rate", r"ratio",
)
_DIGIT = re.compile(r"\d[\d,.]*|%|\$|€|£")
_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b|\b(?:19|20)\d0s\b")
_COMPARISON = re.compile(
    r"\b(?:more|less|fewer|most|least|than|highest|lowest|largest|smallest|biggest|best|worst|"
    r"greater|greatest|higher|lower|larger|smaller|bigger|better|worse|record|ever|"
    r"increas\w*|decreas\w*|ris(?:e|es|en|ing)|rose|fell|falls?|drop\w*|grow\w*|grew|"
    r"doubl\w*|tripl\w*|cut|cuts|surg\w*|declin\w*|up from|down from|compared)\b|\b\w{3,}est\b",
    re.IGNORECASE,
)
_CAUSAL = _any(
    r"because", r"caus\w*", r"due to", r"led to", r"leads? to", r"result(?:s|ed)? in",
    r"as a result", r"therefore", r"thanks to", r"responsible for", r"blam\w*", r"since",
    r"so that", r"consequence\w*", r"effect of", r"impact of",
)
_PAST_EVENT = re.compile(
    r"\b(?:was|were|had|did|voted|passed|signed|said|told|announced|approved|created|lost|"
    r"won|killed|spent|paid|raised|took|gave|made|sent|built|left|came|went|began|became|"
    r"wrote|sold|bought|fought|supported|opposed)\b|\b\w{3,}ed\b|\bin (?:18|19|20)\d\d\b|"
    r"\b(?:last|ago|yesterday|previous|former|formerly)\b",
    re.IGNORECASE,
)
_OPINION = _any(
    r"i think", r"i believe", r"i feel", r"i guess", r"i hope", r"in my (?:opinion|view)",
    r"i'm (?:sure|convinced|proud|honored|honoured|glad|happy)", r"i am (?:sure|convinced|proud)",
    r"(?:great|wonderful|terrible|horrible|amazing|fantastic|beautiful|incredible|tremendous|"
    r"disgrace\w*|sad|shame|nasty|wrong|right thing|love|hate|important|nice|good|bad)",
)
_PROMISE = _any(
    r"will", r"i'll", r"we'll", r"won't", r"going to", r"gonna", r"promise\w*", r"plan to",
    r"intend to", r"i'm going", r"we're going", r"commit\w* to", r"would", r"future",
)
_REQUEST = _any(
    r"please", r"let's", r"let me", r"let us", r"we must", r"we need to", r"you need to",
    r"should", r"ought to", r"must", r"urge\w*", r"call on", r"ask\w*", r"want you",
)
_PLEASANTRY = _any(
    r"thank\w*", r"welcome", r"good (?:evening|morning|afternoon|night)", r"congratulat\w*",
    r"applause", r"laughter", r"crosstalk", r"inaudible", r"ladies and gentlemen", r"hello",
    r"appreciate", r"honou?r to", r"pleasure", r"god bless", r"okay", r"ok", r"yes",
    r"sir", r"ma'am",
)
_FIRST_PERSON = _any(r"i", r"i'm", r"i've", r"i'd", r"me", r"my", r"myself")
_SECOND_PERSON = _any(r"you", r"you're", r"your", r"you've")
_CAPITAL = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][A-Za-z]+")


@dataclass(frozen=True)
class Cue:
    """One named cue: a reason word shown to editors and the pattern that finds it."""

    name: str
    pattern: re.Pattern


CUES: tuple[Cue, ...] = (
    Cue("number", _DIGIT),
    Cue("quantity", _NUMBER_WORDS),
    Cue("year", _YEAR),
    Cue("comparison", _COMPARISON),
    Cue("causal", _CAUSAL),
    Cue("event", _PAST_EVENT),
    Cue("opinion", _OPINION),
    Cue("promise", _PROMISE),
    Cue("request", _REQUEST),
    Cue("pleasantry", _PLEASANTRY),
)
CUE_NAMES = tuple(c.name for c in CUES)
SHAPE_NAMES = (
    "question", "log_words", "short", "first_person", "second_person", "names", "exclaim",
)
CONTEXT_NAMES = (
    "has_context", "speaker_question_rate", "speaker_share", "answers_question",
    "turn_start", "turn_position", "log_turn_length",
)
CUE_FEATURES = CUE_NAMES + SHAPE_NAMES


def cue_features(text: str) -> list[float]:
    """Cue counts (squashed to 0..~1.6 by ``log1p``) and shape features of one sentence.

    Returns:
        Floats in the order of :data:`CUE_FEATURES`.
    """
    tokens = words(text)
    n = max(len(tokens), 1)
    out = [math.log1p(len(cue.pattern.findall(text))) for cue in CUES]
    stripped = text.strip()
    out += [
        1.0 if stripped.endswith("?") else 0.0,
        math.log1p(n) / 4.0,
        1.0 if n < 6 else 0.0,
        min(len(_FIRST_PERSON.findall(text)) / n * 5, 1.0),
        min(len(_SECOND_PERSON.findall(text)) / n * 5, 1.0),
        math.log1p(len(_CAPITAL.findall(stripped))),
        1.0 if stripped.endswith("!") else 0.0,
    ]
    return out


def _speaker_key(speaker: str | None) -> str:
    """A speaker label without bracketed stage directions ("(APPLAUSE) X" -> "x")."""
    return re.sub(r"\([^)]*\)", " ", speaker or "").strip().lower()


def context_features(speakers: Sequence[str | None], texts: Sequence[str]) -> list[list[float]]:
    """Features of each sentence's place in its document, in the order of :data:`CONTEXT_NAMES`.

    Args:
        speakers: The speaker of each sentence (``None`` when unknown), in document order.
        texts: The sentences, in document order.

    Returns:
        One row per sentence. A document of one sentence gets ``has_context`` 0 and
        neutral values elsewhere.
    """
    n = len(texts)
    if n != len(speakers):
        raise ValueError("speakers and texts differ in length")
    keys = [_speaker_key(s) for s in speakers]
    questions = [t.strip().endswith("?") for t in texts]
    asked: dict[str, int] = {}
    said: dict[str, int] = {}
    for key, q in zip(keys, questions):
        said[key] = said.get(key, 0) + 1
        asked[key] = asked.get(key, 0) + int(q)
    # Turns: runs of the same speaker.
    turn_of, turn_len, starts = [], [], []
    for i, key in enumerate(keys):
        if i == 0 or key != keys[i - 1]:
            starts.append(i)
        turn_of.append(len(starts) - 1)
    for t, start in enumerate(starts):
        end = starts[t + 1] if t + 1 < len(starts) else n
        turn_len.append(end - start)
    rows = []
    for i, key in enumerate(keys):
        if n < 2:
            rows.append([0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0])
            continue
        turn = turn_of[i]
        start = starts[turn]
        prev_turn_asked = False
        if turn > 0:
            prev_start = starts[turn - 1]
            prev_turn_asked = any(questions[prev_start:start])
        rows.append([
            1.0,
            asked[key] / said[key],
            said[key] / n,
            1.0 if prev_turn_asked else 0.0,
            1.0 if i == start else 0.0,
            min((i - start) / 10.0, 1.0),
            math.log1p(turn_len[turn]) / 4.0,
        ])
    return rows

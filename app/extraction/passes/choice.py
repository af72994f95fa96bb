"""Pass 5, speaker choice: which of a direct quote's candidates is its speaker.

A small logistic regression over candidate features (where the candidate was found, how
far from the quote, its tag and entity type, the cue's lemma, how the quote ends ...),
trained on PolNeAR train with cross-validation (``python -m app.extraction
train-speaker``, :mod:`..speaker_model`) and stored as plain weights in
``data/speaker_model.json``. The candidate with the highest score is the speaker; its cue
is the claim's cue. Claims with one candidate (reported clauses, fragments, labelled
lines) keep it.

Input: the view and claims with ``candidates``. Output: ``speaker_head`` and ``cue`` set.
"""
from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

from ..claims import Candidate, Claim
from ..cues import cue_lemma
from ..document import DocView
from ..lexicon import cue_precision

MODEL_PATH = Path(__file__).resolve().parents[1] / "data" / "speaker_model.json"


class SpeakerModel:
    """Logistic-regression weights over named binary/real features."""

    def __init__(self, weights: dict[str, float], bias: float, meta: dict | None = None):
        self.weights = weights
        self.bias = bias
        self.meta = meta or {}

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> "SpeakerModel":
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(raw["weights"], raw["bias"], {k: v for k, v in raw.items()
                                                 if k not in ("weights", "bias")})

    def score(self, features: dict[str, float]) -> float:
        """Probability that the candidate with these features is the speaker."""
        z = self.bias + sum(self.weights.get(k, 0.0) * v for k, v in features.items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@lru_cache(maxsize=1)
def default_model() -> SpeakerModel:
    """The committed model (``data/speaker_model.json``), loaded once per process."""
    return SpeakerModel.load()


def choose_speakers(view: DocView, claims: list[Claim],
                    model: SpeakerModel | None = None) -> None:
    """Set each claim's ``speaker_head`` (and ``cue``) from its candidates.

    Args:
        view: the parsed text.
        claims: claims from the find passes.
        model: the scoring model (default: the committed one).
    """
    for c in claims:
        if c.speaker_head is not None or not c.candidates:
            continue
        if len(c.candidates) == 1:
            best = c.candidates[0]
        else:
            model = model or default_model()
            best = max(c.candidates, key=lambda cand: model.score(
                candidate_features(view, c, cand)))
        c.speaker_head = best.head
        if best.cue is not None:
            c.cue = best.cue


def _bucket(n: int, edges=(1, 3, 6, 10, 20)) -> str:
    for e in edges:
        if n <= e:
            return f"<={e}"
    return f">{edges[-1]}"


def _coarse(tok) -> str:
    if tok.tag_ in ("PRP", "WP"):
        return "pron"
    if tok.tag_ in ("NNP", "NNPS"):
        return "propn"
    if tok.tag_ in ("NN", "NNS"):
        return "noun"
    return "other"


def candidate_features(view: DocView, claim: Claim, cand: Candidate) -> dict[str, float]:
    """Named features of one speaker candidate of a claim (see the module docstring)."""
    head = cand.head
    q = claim.quotations[0] if claim.quotations else None
    a, b = (view.q_tokens(q) if q is not None else
            (view.tok_at(claim.start), view.tok_at(claim.end - 1)))
    dist = a - head.i if head.i < a else head.i - b
    coarse = _coarse(head)
    src = cand.source
    f: dict[str, float] = {
        f"src={src}": 1.0,
        f"src={src}&rank={min(cand.rank, 2)}": 1.0,
        f"tag={coarse}": 1.0,
        f"src={src}&tag={coarse}": 1.0,
        f"ent={head.ent_type_ or '-'}": 1.0,
        f"dep={head.dep_}": 1.0,
        f"dist{_bucket(max(0, dist))}": 1.0,
        f"src={src}&dist{_bucket(max(0, dist))}": 1.0,
        f"ncand={min(len(claim.candidates), 4)}": 1.0,
        "same_para": float(view.para_of[head.i] == claim.para),
    }
    inner = view.text[q.inner_end - 1] if q is not None and q.inner_end > q.inner_start else ""
    f[f"quote_end={inner if inner in ',.?!:;' else 'other'}"] = 1.0
    f[f"src={src}&quote_end={inner if inner in ',.?!' else 'other'}"] = 1.0
    if cand.cue is not None:
        lemma = cue_lemma(cand.cue.token)
        f[f"cue={lemma if lemma in ('say', 'tell', 'add', 'write', 'ask') else 'other'}"] = 1.0
        f["cue_prec"] = cue_precision(f"{lemma}|ccomp")
        f["cue_has_subject"] = float(cand.cue.subject is not None)
        f["head_after_cue"] = float(head.i > cand.cue.token.i)
    else:
        f["no_cue"] = 1.0
    return f

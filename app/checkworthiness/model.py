"""The check-worthiness scorer: three small linear models over what ingest already has.

* **n-grams**: logistic regression on TF-IDF word 1–2-grams of the sentence;
* **embedding**: logistic regression on the sentence's MiniLM vector (the one stored for
  related claims, so nothing is encoded twice);
* **cues**: logistic regression on the named cues and the context features of
  :mod:`app.checkworthiness.features`.

Each model's logit is z-scored with its training statistics and the three are averaged
(an even ensemble: measured on cross-validation it beats one model over all features).
In a document, each sentence then takes ``smoothing`` times its neighbours' scores
(check-worthy sentences come in runs). A logistic curve fitted on the training data maps
the result to 0..1. Runs on numpy alone; the artefact is one ``.npz`` (no pickles).
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, Sequence

import numpy as np

from app.checkworthiness.features import (
    CONTEXT_NAMES, CUE_FEATURES, context_features, cue_features, ngrams,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_ARTEFACT = DATA_DIR / "checkworthiness.npz"

# Cue feature -> the word shown in the queue. A sentence above the average gets the
# checkable cue that raised it most; one below, the cue that lowered it most.
CHECKABLE_REASONS = {
    "number": "number", "quantity": "number", "year": "date", "comparison": "comparison",
    "causal": "causal", "event": "event",
}
UNCHECKABLE_REASONS = {
    "opinion": "opinion", "promise": "promise", "request": "request",
    "pleasantry": "pleasantry", "question": "question", "short": "fragment",
}


class Score(NamedTuple):
    """A sentence's check-worthiness (0..1) and the word or two that says why."""

    score: float
    reason: str


@dataclass
class CheckworthinessModel:
    """Trained weights; build with :meth:`load` (or ``train.fit``), score with :meth:`score`."""

    vocab: dict[str, int]
    idf: np.ndarray
    ngram_coef: np.ndarray
    embed_coef: np.ndarray
    cue_mean: np.ndarray
    cue_scale: np.ndarray
    cue_coef: np.ndarray
    intercepts: np.ndarray  # (3,) n-gram, embedding, cues
    z_mean: np.ndarray  # (3,) training mean of each model's logit
    z_std: np.ndarray  # (3,)
    smoothing: float
    calibration: np.ndarray  # (2,) slope, intercept of the final logistic curve
    prior: float  # share of check-worthy sentences in training: above it, a reason for; below, against
    feature_names: tuple[str, ...] = CUE_FEATURES + CONTEXT_NAMES

    # --- the parts ----------------------------------------------------------------

    def ngram_vectors(self, texts: Sequence[str]) -> list[tuple[np.ndarray, np.ndarray]]:
        """Sparse TF-IDF rows ``(term indices, l2-normalised weights)`` (sublinear tf)."""
        rows = []
        for text in texts:
            counts: dict[int, int] = {}
            for gram in ngrams(text):
                j = self.vocab.get(gram)
                if j is not None:
                    counts[j] = counts.get(j, 0) + 1
            idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            weights = (1.0 + np.log(tf)) * self.idf[idx] if len(idx) else tf
            norm = float(np.sqrt(np.dot(weights, weights)))
            rows.append((idx, weights / norm if norm > 0 else weights))
        return rows

    def cue_matrix(self, texts: Sequence[str], speakers: Sequence[str | None] | None = None) -> np.ndarray:
        """Standardised cue + context features; without ``speakers`` the context part is 0
        (the training mean: no evidence either way)."""
        cues = np.array([cue_features(t) for t in texts], dtype=np.float64).reshape(len(texts), -1)
        n_cue = cues.shape[1]
        if speakers is None or len(texts) < 2:
            raw = np.hstack([cues, np.zeros((len(texts), len(CONTEXT_NAMES)))])
            out = (raw - self.cue_mean) / self.cue_scale
            out[:, n_cue:] = 0.0
            return out
        raw = np.hstack([cues, np.array(context_features(list(speakers), list(texts)), dtype=np.float64)])
        return (raw - self.cue_mean) / self.cue_scale

    def logits(self, texts: Sequence[str], vectors: np.ndarray, cues: np.ndarray) -> np.ndarray:
        """``(n, 3)`` logits of the n-gram, embedding and cue models."""
        vectors = np.asarray(vectors, dtype=np.float64).reshape(len(texts), -1)
        if vectors.shape[1] != self.embed_coef.shape[0]:
            raise ValueError(f"vectors have {vectors.shape[1]} dimensions, the model expects "
                             f"{self.embed_coef.shape[0]}")
        ngram = np.array([float(np.dot(self.ngram_coef[idx], w)) if len(idx) else 0.0
                          for idx, w in self.ngram_vectors(texts)])
        return np.stack([ngram, vectors @ self.embed_coef, cues @ self.cue_coef], axis=1) + self.intercepts

    def combined(self, logits: np.ndarray, *, in_document: bool) -> np.ndarray:
        """The ensemble's raw score: mean z-scored logit, smoothed over neighbours in a document."""
        raw = ((logits - self.z_mean) / self.z_std).mean(axis=1)
        if in_document and self.smoothing and len(raw) > 1:
            padded = np.concatenate([[0.0], raw, [0.0]])  # no neighbour: the average, 0
            raw = raw + self.smoothing * (padded[:-2] + padded[2:])
        return raw

    def probability(self, raw: np.ndarray) -> np.ndarray:
        slope, intercept = self.calibration
        return 1.0 / (1.0 + np.exp(-(slope * raw + intercept)))

    def reasons(self, cues: np.ndarray, high: np.ndarray) -> list[str]:
        """A word for each sentence: for one above the prior (``high``), the checkable
        cue that raised its score most (number, comparison, causal, event, date); for one
        below, the cue that lowered it most (opinion, promise, request, question,
        pleasantry, fragment). ``statement`` / ``no checkable fact`` when no cue counts."""
        contributions = cues * self.cue_coef
        index = {name: j for j, name in enumerate(self.feature_names)}
        out = []
        for row, up in zip(contributions, high):
            words = CHECKABLE_REASONS if up else UNCHECKABLE_REASONS
            sign = 1.0 if up else -1.0
            best, best_value = None, 0.0
            for name, word in words.items():
                value = sign * row[index[name]]
                if value > best_value:
                    best, best_value = word, value
            out.append(best or ("statement" if up else "no checkable fact"))
        return out

    # --- the entry points ---------------------------------------------------------

    def score(
        self,
        texts: Sequence[str],
        vectors: np.ndarray,
        *,
        speakers: Sequence[str | None] | None = None,
    ) -> list[Score]:
        """Score sentences.

        Args:
            texts: The sentences (claims).
            vectors: Their MiniLM embeddings, ``(len(texts), 384)``, as stored for related claims.
            speakers: When given, ``texts`` are one document's sentences in order (an
                article's claims, a debate) and their context counts: who speaks, the
                speaker's share of questions, answers, neighbours. ``None`` scores each
                sentence on its own.

        Returns:
            One :class:`Score` per text, in order.
        """
        texts = list(texts)
        if not texts:
            return []
        if speakers is not None and len(speakers) != len(texts):
            raise ValueError("speakers and texts differ in length")
        cues = self.cue_matrix(texts, speakers)
        raw = self.combined(self.logits(texts, vectors, cues), in_document=speakers is not None)
        probs = self.probability(raw)
        reasons = self.reasons(cues, probs >= self.prior)
        return [Score(float(p), r) for p, r in zip(probs, reasons)]

    def score_one(self, text: str, vector: np.ndarray) -> Score:
        """Score one claim on its own."""
        return self.score([text], np.asarray(vector).reshape(1, -1))[0]

    # --- storage ------------------------------------------------------------------

    def save(self, path: str | Path) -> None:
        """Write the weights as one compressed ``.npz`` (strings as a unicode array)."""
        terms = [""] * len(self.vocab)
        for term, j in self.vocab.items():
            terms[j] = term
        np.savez_compressed(
            path,
            vocab=np.array(terms, dtype=np.str_),
            idf=self.idf.astype(np.float32),
            ngram_coef=self.ngram_coef.astype(np.float32),
            embed_coef=self.embed_coef.astype(np.float32),
            cue_mean=self.cue_mean, cue_scale=self.cue_scale, cue_coef=self.cue_coef,
            intercepts=self.intercepts, z_mean=self.z_mean, z_std=self.z_std,
            smoothing=np.array(self.smoothing), calibration=self.calibration, prior=np.array(self.prior),
            feature_names=np.array(self.feature_names, dtype=np.str_),
        )

    @classmethod
    def load(cls, path: str | Path = DEFAULT_ARTEFACT) -> "CheckworthinessModel":
        """Read weights written by :meth:`save` (no pickles are loaded)."""
        with np.load(path, allow_pickle=False) as data:
            names = tuple(str(n) for n in data["feature_names"])
            if names != CUE_FEATURES + CONTEXT_NAMES:
                raise ValueError(f"{path} was trained with other features; run "
                                 "`python -m app.checkworthiness train`")
            return cls(
                vocab={str(t): j for j, t in enumerate(data["vocab"])},
                idf=data["idf"].astype(np.float64),
                ngram_coef=data["ngram_coef"].astype(np.float64),
                embed_coef=data["embed_coef"].astype(np.float64),
                cue_mean=data["cue_mean"], cue_scale=data["cue_scale"], cue_coef=data["cue_coef"],
                intercepts=data["intercepts"], z_mean=data["z_mean"], z_std=data["z_std"],
                smoothing=float(data["smoothing"]), calibration=data["calibration"],
                prior=float(data["prior"]),
                feature_names=names,
            )


_MODELS: dict[str, CheckworthinessModel] = {}
_LOCK = threading.Lock()


def get_model(path: str | Path = DEFAULT_ARTEFACT) -> CheckworthinessModel:
    """The process-wide model read from ``path`` (the committed artefact by default)."""
    key = str(path)
    with _LOCK:
        if key not in _MODELS:
            _MODELS[key] = CheckworthinessModel.load(path)
        return _MODELS[key]

"""Training and cross-validation of :class:`~app.checkworthiness.model.CheckworthinessModel`.

Needs scikit-learn (a sentence-transformers dependency) only here; scoring needs numpy.
Everything is deterministic: folds come from a seeded permutation of the sorted debate
ids, and the solvers (lbfgs) have no randomness.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from app.checkworthiness.features import CONTEXT_NAMES, CUE_FEATURES, context_features, cue_features, ngrams
from app.checkworthiness.model import CheckworthinessModel

SEED = 14
FOLDS = 5
C_NGRAM = C_EMBED = C_CUES = 1.0
MIN_DF = 2
SMOOTHING = 0.1


@dataclass
class Corpus:
    """Debates flattened to sentences, in document order."""

    ids: list[str]  # debate id of each sentence
    lines: list[int]
    speakers: list[str]
    texts: list[str]
    labels: np.ndarray | None
    vectors: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, mask: np.ndarray) -> "Corpus":
        idx = np.flatnonzero(mask)
        return Corpus([self.ids[i] for i in idx], [self.lines[i] for i in idx],
                      [self.speakers[i] for i in idx], [self.texts[i] for i in idx],
                      None if self.labels is None else self.labels[idx],
                      None if self.vectors is None else self.vectors[idx])

    def documents(self) -> list[np.ndarray]:
        """Index arrays of each debate's sentences, in order of first appearance."""
        order: dict[str, list[int]] = {}
        for i, doc in enumerate(self.ids):
            order.setdefault(doc, []).append(i)
        return [np.array(v) for v in order.values()]


def read_debates(path: str | Path, *, labelled: bool = True) -> Corpus:
    """Read ``{"id", "sentences": [{"line", "speaker", "text", "label"?}]}`` lines."""
    ids, lines, speakers, texts, labels = [], [], [], [], []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            debate = json.loads(line)
            if not isinstance(debate, dict) or "id" not in debate or not isinstance(debate.get("sentences"), list):
                raise ValueError(f"{path} line {n}: expected {{\"id\", \"sentences\": [...]}}")
            for s in debate["sentences"]:
                ids.append(str(debate["id"]))
                lines.append(int(s["line"]))
                speakers.append(str(s.get("speaker") or ""))
                texts.append(str(s.get("text") or ""))
                if labelled:
                    labels.append(int(s["label"]))
    return Corpus(ids, lines, speakers, texts, np.array(labels) if labelled else None)


def sha256_of(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def embed(corpus: Corpus, *, cache_dir: str | Path | None) -> np.ndarray:
    """MiniLM vectors of every sentence (the app's embedder; cached on disk if asked)."""
    from app.similarity import get_embedder

    corpus.vectors = get_embedder().encode(corpus.texts, batch_size=64, cache_dir=cache_dir)
    return corpus.vectors


def raw_cues(corpus: Corpus) -> np.ndarray:
    """Cue + context features of every sentence (context within its own debate)."""
    out = np.zeros((len(corpus), len(CUE_FEATURES) + len(CONTEXT_NAMES)))
    for idx in corpus.documents():
        texts = [corpus.texts[i] for i in idx]
        ctx = context_features([corpus.speakers[i] for i in idx], texts)
        out[idx] = np.hstack([np.array([cue_features(t) for t in texts]), np.array(ctx)])
    return out


def fold_of(corpus: Corpus, folds: int = FOLDS, seed: int = SEED) -> np.ndarray:
    """Fold number of each sentence: debates dealt round-robin after a seeded shuffle."""
    debates = sorted(set(corpus.ids))
    order = np.random.default_rng(seed).permutation(len(debates))
    fold_of_debate = {debates[j]: k % folds for k, j in enumerate(order)}
    return np.array([fold_of_debate[d] for d in corpus.ids])


def _fit_blocks(corpus: Corpus, cues_raw: np.ndarray):
    """Fit the three logistic regressions; returns a scorer of raw logits and the parts."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    y = corpus.labels
    tfidf = TfidfVectorizer(analyzer=ngrams, sublinear_tf=True, min_df=MIN_DF)
    x_ngram = tfidf.fit_transform(corpus.texts)
    ngram = LogisticRegression(C=C_NGRAM, max_iter=5000).fit(x_ngram, y)
    embed_lr = LogisticRegression(C=C_EMBED, max_iter=5000).fit(corpus.vectors, y)
    mean = cues_raw.mean(axis=0)
    scale = cues_raw.std(axis=0)
    scale[scale < 1e-9] = 1.0
    cue_lr = LogisticRegression(C=C_CUES, max_iter=5000).fit((cues_raw - mean) / scale, y)
    return tfidf, ngram, embed_lr, cue_lr, mean, scale


def _model_from(parts, z_mean, z_std, calibration, prior: float = 0.5) -> CheckworthinessModel:
    tfidf, ngram, embed_lr, cue_lr, mean, scale = parts
    return CheckworthinessModel(
        vocab={str(t): int(j) for t, j in tfidf.vocabulary_.items()},
        idf=tfidf.idf_.astype(np.float64),
        ngram_coef=ngram.coef_[0].astype(np.float64),
        embed_coef=embed_lr.coef_[0].astype(np.float64),
        cue_mean=mean, cue_scale=scale, cue_coef=cue_lr.coef_[0].astype(np.float64),
        intercepts=np.array([ngram.intercept_[0], embed_lr.intercept_[0], cue_lr.intercept_[0]]),
        z_mean=np.asarray(z_mean, dtype=np.float64), z_std=np.asarray(z_std, dtype=np.float64),
        smoothing=SMOOTHING, calibration=np.asarray(calibration, dtype=np.float64), prior=prior,
    )


def _document_logits(model: CheckworthinessModel, corpus: Corpus, cues_raw: np.ndarray) -> np.ndarray:
    cues = (cues_raw - model.cue_mean) / model.cue_scale
    return model.logits(corpus.texts, corpus.vectors, cues)


def fit(corpus: Corpus, *, inner_folds: int = 4) -> CheckworthinessModel:
    """Train on labelled debates (``corpus.vectors`` filled).

    The z-scoring statistics and the final logistic curve come from held-out logits of
    an inner cross-validation by debate, so they describe unseen sentences, not the
    (over-confident) training fit.
    """
    if corpus.vectors is None or corpus.labels is None:
        raise ValueError("fit needs labels and vectors")
    cues_raw = raw_cues(corpus)
    held_out = np.zeros((len(corpus), 3))
    folds = fold_of(corpus, inner_folds, SEED + 1)
    for k in range(inner_folds):
        train = folds != k
        parts = _fit_blocks(corpus.subset(train), cues_raw[train])
        partial = _model_from(parts, np.zeros(3), np.ones(3), np.array([1.0, 0.0]))
        held_out[~train] = _document_logits(partial, corpus.subset(~train), cues_raw[~train])
    z_mean, z_std = held_out.mean(axis=0), held_out.std(axis=0)
    model = _model_from(_fit_blocks(corpus, cues_raw), z_mean, z_std, np.array([1.0, 0.0]),
                        prior=float(corpus.labels.mean()))
    raw = np.zeros(len(corpus))
    for idx in corpus.documents():
        raw[idx] = model.combined(held_out[idx], in_document=True)
    from sklearn.linear_model import LogisticRegression

    curve = LogisticRegression(C=1e4, max_iter=5000).fit(raw.reshape(-1, 1), corpus.labels)
    model.calibration = np.array([curve.coef_[0, 0], curve.intercept_[0]])
    return model


def rank_scores(model: CheckworthinessModel, corpus: Corpus) -> dict[str, list[list[float]]]:
    """``{debate id: [[line, score], ...]}`` scoring each debate as one document."""
    out: dict[str, list[list[float]]] = {}
    for idx in corpus.documents():
        texts = [corpus.texts[i] for i in idx]
        scores = model.score(texts, corpus.vectors[idx], speakers=[corpus.speakers[i] for i in idx])
        out[corpus.ids[idx[0]]] = [[corpus.lines[i], s.score] for i, s in zip(idx, scores)]
    return out


def average_precision(labels: Sequence[int], scores: Sequence[float], lines: Sequence[int]) -> float:
    """AP as the CLEF-2019 scorer computes it (ties broken by line number)."""
    order = sorted(range(len(labels)), key=lambda i: (-scores[i], lines[i]))
    hits, total = 0, 0.0
    for rank, i in enumerate(order, 1):
        if labels[i]:
            hits += 1
            total += hits / rank
    positives = sum(labels)
    return total / positives if positives else 0.0


def cross_validate(corpus: Corpus, folds: int = FOLDS) -> tuple[dict[str, float], dict[str, list[list[float]]]]:
    """Per-debate AP of ``folds``-fold cross-validation by debate, and the held-out scores."""
    fold = fold_of(corpus, folds)
    aps: dict[str, float] = {}
    predictions: dict[str, list[list[float]]] = {}
    for k in range(folds):
        model = fit(corpus.subset(fold != k))
        test = corpus.subset(fold == k)
        scored = rank_scores(model, test)
        predictions.update(scored)
        for idx in test.documents():
            debate = test.ids[idx[0]]
            by_line = dict((int(line), score) for line, score in scored[debate])
            lines = [test.lines[i] for i in idx]
            aps[debate] = average_precision([int(test.labels[i]) for i in idx],
                                            [by_line[line] for line in lines], lines)
    return aps, predictions

"""The "already checked" calibration: features, threshold choice, the committed curve."""
from __future__ import annotations

import numpy as np

from app.similarity.confidence import (
    DEFAULT_CONFIDENCE_PATH, MatchConfidence, choose_threshold, confidence_features, wilson_lower,
)


def test_features_are_the_chosen_candidates_cosine():
    assert confidence_features([0.2, 0.9, 0.5], top=1).tolist() == [0.9]
    assert confidence_features([], top=0).tolist() == [0.0]


def test_threshold_keeps_the_flagged_set_precise_with_a_margin():
    probs = np.linspace(1.0, 0.0, 400)
    correct = np.r_[np.ones(300, dtype=bool), np.zeros(100, dtype=bool)]  # the top 300 right
    t = choose_threshold(probs, correct, 0.9)
    flagged = probs >= t
    assert correct[flagged].mean() >= 0.9
    assert wilson_lower(correct[flagged].sum(), flagged.sum()) >= 0.9
    assert flagged.sum() < 334  # the plain 90% cut (300/0.9) is above the interval's
    assert choose_threshold(probs, np.zeros(400, dtype=bool), 0.9) == 1.0


def test_committed_calibration_loads_and_rises_with_the_cosine():
    model = MatchConfidence.load(DEFAULT_CONFIDENCE_PATH)
    low, high = model.probability(np.array([0.2])), model.probability(np.array([0.9]))
    assert 0.0 < low < model.threshold <= high < 1.0
    assert model.meta["queries"] == "claimmatch_train_queries.jsonl"  # train split only

"""Train the reported-speech acceptance model (pass 3b) on PolNeAR train.

    python -m app.extraction train-reported [--train …] [--scorer …] [--docs /tmp/train.spacy]

Every reported-speech candidate of a train article (any pattern precision) is labelled by
whether it is a right attribution (the scorer's content match with the speaker right).
Features: the pattern's mined precision (as a logit; mined out-of-fold, so no row sees
its own article's counts), the speaker mention's form (pronoun, relative pronoun, named,
role), the content's length, the pattern's complement type, the cue's tense, negation
and place in the sentence. A logistic regression with C chosen by 5-fold cross-validation
grouped by article; weights stored as JSON (``data/reported_model.json``). The engine
keeps a candidate whose probability is at least ``thresholds.REPORTED_THRESHOLD``.
Dev is never read here.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import lexicon
from .claims import Claim
from .document import DocView
from .passes.reported import MODEL_PATH, reported_features
from .pipeline import Options, find_claims
from .speaker_model import DEFAULT_SCORER, DEFAULT_TRAIN, load_scorer, parsed_docs

FOLDS = 5
C_GRID = (0.1, 0.3, 1.0, 3.0)


def candidate_claims(doc) -> tuple[DocView, list[Claim]]:
    """Every reported candidate of a text as the engine would assemble it."""
    view, claims = find_claims(doc, Options(threshold=-1.0, learned_reported=False))
    return view, [c for c in claims if c.key]


def label(rec: dict, view: DocView, claims: list[Claim], scorer) -> list[int]:
    """1 for a claim matched to a gold attribution with the speaker right."""
    from .passes.emit import emit

    preds = []
    for c in claims:
        q = emit(view, [c], True)
        preds.append(q[0].to_dict() if q else {"content_start": 0, "content_end": 0,
                                                 "speaker": None})
    from .tools.mine_cues import other_object_pattern, right_candidates

    right = right_candidates(rec["quotes"], preds, [other_object_pattern(c) for c in claims],
                             rec["text"], scorer)
    return [int(j in right) for j in range(len(claims))]


def mine(records, docs, scorer) -> dict[str, tuple[int, int]]:
    from .tools.mine_cues import count_patterns

    counts = count_patterns(records, docs, scorer)
    return {k: (v[0], v[1]) for k, v in counts.items() if v[0] >= 3 or k[:2] in ("*|", "~|")}


def rows_out_of_fold(records, docs, scorer, folds=FOLDS):
    """(fold, features, label) for every candidate, its precision mined on other folds."""
    fold_of = [n % folds for n in range(len(records))]
    rows = []
    real_table = lexicon.cue_table
    try:
        for f in range(folds):
            others = [n for n in range(len(records)) if fold_of[n] != f]
            lexicon.cue_table = lambda: {}
            lexicon.cue_precision.cache_clear()
            table = mine([records[n] for n in others], [docs[n] for n in others], scorer)
            lexicon.cue_table = lambda table=table: table
            lexicon.cue_precision.cache_clear()
            for n in range(len(records)):
                if fold_of[n] != f:
                    continue
                view, claims = candidate_claims(docs[n])
                labels = label(records[n], view, claims, scorer)
                rows += [(f, reported_features(view, c), y) for c, y in zip(claims, labels)]
            print(f"fold {f}: {len(rows)} rows", file=sys.stderr)
    finally:
        lexicon.cue_table = real_table
        lexicon.cue_precision.cache_clear()
    return rows


def train(rows, c_grid=C_GRID) -> dict:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import log_loss

    def fit(part, c):
        vec = DictVectorizer()
        x = vec.fit_transform([f for _, f, _ in part])
        lr = LogisticRegression(C=c, max_iter=3000).fit(x, [y for _, _, y in part])
        return vec, lr

    folds = sorted({f for f, _, _ in rows})
    cv = {}
    for c in c_grid:
        losses = []
        for k in folds:
            vec, lr = fit([r for r in rows if r[0] != k], c)
            te = [r for r in rows if r[0] == k]
            p = lr.predict_proba(vec.transform([f for _, f, _ in te]))[:, 1]
            losses.append(log_loss([y for _, _, y in te], p, labels=[0, 1]) * len(te))
        cv[c] = sum(losses) / len(rows)
    best = min(cv, key=cv.get)
    vec, lr = fit(rows, best)
    weights = dict(zip(vec.get_feature_names_out(), lr.coef_[0]))
    return {
        "built_by": "python -m app.extraction train-reported",
        "trained_on": "polnear_train.jsonl", "candidates": len(rows),
        "positives": sum(y for _, _, y in rows), "C": best,
        "cv_log_loss": {str(c): round(v, 5) for c, v in cv.items()},
        "bias": round(float(lr.intercept_[0]), 6),
        "weights": {k: round(float(v), 6) for k, v in sorted(weights.items()) if abs(v) > 1e-6},
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m app.extraction train-reported",
                                 description=__doc__.split("\n")[0])
    ap.add_argument("--train", default=DEFAULT_TRAIN)
    ap.add_argument("--scorer", default=DEFAULT_SCORER)
    ap.add_argument("--docs", help="DocBin cache of the train parses (read, or written)")
    ap.add_argument("--out", default=str(MODEL_PATH))
    args = ap.parse_args(argv)
    records = [json.loads(x) for x in open(args.train, encoding="utf-8") if x.strip()]
    docs = parsed_docs(records, args.docs)
    rows = rows_out_of_fold(records, docs, load_scorer(args.scorer))
    model = train(rows)
    Path(args.out).write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    print(f"{model['candidates']} candidates ({model['positives']} right); C={model['C']}; "
          f"cv log loss {model['cv_log_loss']} -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

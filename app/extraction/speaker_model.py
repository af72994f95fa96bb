"""Train the speaker-choice model (pass 5) on PolNeAR train, with cross-validation.

    python -m app.extraction train-speaker [--train /work/shared/eval/polnear_train.jsonl]
        [--scorer /work/shared/eval/score_quotes.py] [--docs /tmp/train.spacy]

For every direct quote of a train article with two or more speaker candidates, matched to
a gold attribution by the scorer's own content matching, each candidate is labelled by
whether its mention overlaps the gold speaker's span. A logistic regression
(scikit-learn, a training-time dependency only) is fitted over the named features of
:func:`.passes.choice.candidate_features`; its C is chosen by 5-fold cross-validation
grouped by article (claim-level accuracy: the top-scored candidate is right). The
weights are written as plain JSON (``data/speaker_model.json``), which the engine reads
without scikit-learn. Dev is never read here.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path

from .claims import Claim
from .document import DocView
from .passes.choice import MODEL_PATH, candidate_features
from .pipeline import Options, find_candidates
from .quotes import find_quotations
from .speakers import mention_tokens

DEFAULT_TRAIN = "/work/shared/eval/polnear_train.jsonl"
DEFAULT_SCORER = "/work/shared/eval/score_quotes.py"
C_GRID = (0.03, 0.1, 0.3, 1.0, 3.0)
FOLDS = 5


def load_scorer(path: str):
    spec = importlib.util.spec_from_file_location("score_quotes", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def parsed_docs(records: list[dict], docs_path: str | None):
    """Parses of the records: from a DocBin cache when given (and written there)."""
    from spacy.tokens import DocBin

    from .engine import get_extractor

    nlp = get_extractor().nlp
    if docs_path and Path(docs_path).exists():
        return list(DocBin().from_disk(docs_path).get_docs(nlp.vocab))
    docs = list(nlp.pipe((r["text"] for r in records), batch_size=32))
    if docs_path:
        db = DocBin()
        for d in docs:
            db.add(d)
        db.to_disk(docs_path)
    return docs


def labelled_claims(records: list[dict], docs, scorer) -> list[tuple[int, list[dict], list[int]]]:
    """(article index, candidate features, candidate labels) per trainable claim."""
    rows = []
    for n, (rec, doc) in enumerate(zip(records, docs)):
        view = DocView(doc, find_quotations(doc.text, join_paragraphs=True))
        claims = [c for c in find_candidates(view, Options())
                  if c.kind == "direct" and len(c.candidates) >= 2]
        if not claims:
            continue
        gold, text = rec["quotes"], rec["text"]
        preds = [{"content_start": c.start, "content_end": c.end,
                  "content_spans": [list(s) for s in c.spans]} for c in claims]
        for gi, pj in scorer.match(gold, preds, text).items():
            g = gold[gi]
            if g.get("speaker_start") is None:
                continue
            gspans = g.get("speaker_spans") or [[g["speaker_start"], g["speaker_end"]]]
            gchars = scorer.charset(text, gspans)
            claim: Claim = claims[pj]
            labels = []
            for cand in claim.candidates:
                s, e = mention_tokens(cand.head)
                span = doc[s:e]
                labels.append(int(bool(scorer.charset(text, [[span.start_char, span.end_char]])
                                       & gchars)))
            if any(labels):
                rows.append((n, [candidate_features(view, claim, c) for c in claim.candidates],
                             labels))
    return rows


def _accuracy(rows, score_fn) -> float:
    right = sum(labels[max(range(len(labels)), key=lambda k: score_fn(feats[k]))]
                for _, feats, labels in rows)
    return right / len(rows) if rows else 0.0


def train(rows, c_grid=C_GRID, folds=FOLDS, seed=0) -> dict:
    """Cross-validate C, fit on all rows; the model as a JSON-ready dict."""
    import numpy as np
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    groups = sorted({g for g, _, _ in rows})
    rng = np.random.default_rng(seed)
    fold_of = dict(zip(groups, rng.permutation(len(groups)) % folds))

    def fit(train_rows, c):
        vec = DictVectorizer()
        x = vec.fit_transform([f for _, feats, _ in train_rows for f in feats])
        y = [lab for _, _, labels in train_rows for lab in labels]
        lr = LogisticRegression(C=c, max_iter=2000).fit(x, y)
        weights = dict(zip(vec.get_feature_names_out(), lr.coef_[0]))
        bias = float(lr.intercept_[0])
        return weights, bias

    def scorer_of(weights, bias):
        return lambda f: bias + sum(weights.get(k, 0.0) * v for k, v in f.items())

    cv = {}
    for c in c_grid:
        accs = []
        for k in range(folds):
            tr = [r for r in rows if fold_of[r[0]] != k]
            te = [r for r in rows if fold_of[r[0]] == k]
            accs.append(_accuracy(te, scorer_of(*fit(tr, c))) * len(te))
        cv[c] = sum(accs) / len(rows)
    best = max(cv, key=lambda c: (cv[c], -c))
    weights, bias = fit(rows, best)
    first = _accuracy(rows, lambda f: 0.0)  # ties -> the first candidate (hand order)
    return {
        "built_by": "python -m app.extraction train-speaker",
        "trained_on": "polnear_train.jsonl",
        "claims": len(rows), "articles": len(groups), "C": best,
        "cv_accuracy": {str(c): round(a, 4) for c, a in cv.items()},
        "first_candidate_accuracy": round(first, 4),
        "bias": round(bias, 6),
        "weights": {k: round(float(v), 6) for k, v in sorted(weights.items()) if abs(v) > 1e-6},
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m app.extraction train-speaker",
                                 description=__doc__.split("\n")[0])
    ap.add_argument("--train", default=DEFAULT_TRAIN, help="PolNeAR train JSONL (gold)")
    ap.add_argument("--scorer", default=DEFAULT_SCORER, help="path to score_quotes.py")
    ap.add_argument("--docs", help="DocBin cache of the train parses (read, or written)")
    ap.add_argument("--out", default=str(MODEL_PATH))
    args = ap.parse_args(argv)
    records = [json.loads(x) for x in open(args.train, encoding="utf-8") if x.strip()]
    rows = labelled_claims(records, parsed_docs(records, args.docs), load_scorer(args.scorer))
    model = train(rows)
    Path(args.out).write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    print(f"{model['claims']} claims from {model['articles']} articles; C={model['C']}; "
          f"cv accuracy {model['cv_accuracy']}; first candidate "
          f"{model['first_candidate_accuracy']} -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

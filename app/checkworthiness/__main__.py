"""Command line: ``python -m app.checkworthiness train|cv|rank``.

``train``  fits the model on labelled debates and writes the artefact (``.npz``) and,
           beside it, a ``.json`` with the command, the data's sha256 and the figures.
``cv``     5-fold cross-validation split by debate: prints MAP and per-debate AP;
           ``--pred FILE`` writes the held-out scores for ``score_checkworthy.py``.
``rank``   reads ``{"id", "sentences": [{"line", "speaker", "text"}]}`` lines and writes
           ``{"id", "scores": [[line, score], ...]}`` lines (each debate is one document).
"""
from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import argparse
import json
import platform
import shlex
import sys
import time
from pathlib import Path

import numpy as np

from app.checkworthiness.model import DEFAULT_ARTEFACT, CheckworthinessModel



def default_train_path() -> Path:
    """``$CLAIMDESK_EVAL_DIR/checkworthy_train.jsonl``, else the first ``shared/eval`` above the repository."""
    name = "checkworthy_train.jsonl"
    if os.environ.get("CLAIMDESK_EVAL_DIR"):
        return Path(os.environ["CLAIMDESK_EVAL_DIR"]) / name
    for parent in Path(__file__).resolve().parents[2:]:
        if (parent / "shared" / "eval" / name).is_file():
            return parent / "shared" / "eval" / name
    return Path("../shared/eval") / name


def _cache_dir(args) -> str:
    return args.cache_dir or os.environ.get("CLAIMDESK_CACHE_DIR") or ".cache"


def _load(args):
    from app.checkworthiness import train

    corpus = train.read_debates(args.data)
    train.embed(corpus, cache_dir=_cache_dir(args))
    return train, corpus


def cv_command(args) -> int:
    started = time.perf_counter()
    train, corpus = _load(args)
    aps, predictions = train.cross_validate(corpus, folds=args.folds)
    for debate in sorted(aps):
        print(f"{debate:28} AP {aps[debate]:.3f}")
    mean = float(np.mean(list(aps.values())))
    print(f"{'MAP (' + str(args.folds) + '-fold CV by debate)':28}    {mean:.4f}   "
          f"({len(aps)} debates, {time.perf_counter() - started:.0f}s)")
    if args.pred:
        with open(args.pred, "w", encoding="utf-8") as f:
            for debate, scores in predictions.items():
                f.write(json.dumps({"id": debate, "scores": scores}) + "\n")
    print(json.dumps({"cv_map": round(mean, 4), "folds": args.folds, "debates": len(aps)}))
    return 0


def train_command(args) -> int:
    started = time.perf_counter()
    train, corpus = _load(args)
    model = train.fit(corpus)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    model.save(out)
    import sklearn

    meta = {
        "command": "python -m app.checkworthiness " + " ".join(shlex.quote(a) for a in args.argv),
        "data": Path(args.data).name,
        "data_sha256": train.sha256_of(args.data),
        "sentences": len(corpus),
        "positives": int(corpus.labels.sum()),
        "debates": len(set(corpus.ids)),
        "seed": train.SEED,
        "settings": {"C": [train.C_NGRAM, train.C_EMBED, train.C_CUES], "min_df": train.MIN_DF,
                     "smoothing": train.SMOOTHING, "inner_folds": 4},
        "embedding_model": "all-MiniLM-L6-v2",
        "vocabulary": len(model.vocab),
        "artefact_bytes": out.stat().st_size,
        "versions": {"python": platform.python_version(), "numpy": np.__version__,
                     "scikit-learn": sklearn.__version__},
    }
    out.with_suffix(".json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out} ({out.stat().st_size:,} bytes, {len(model.vocab):,} n-grams) "
          f"in {time.perf_counter() - started:.0f}s", file=sys.stderr)
    return 0


def rank_command(args) -> int:
    from app.checkworthiness import train

    model = CheckworthinessModel.load(args.model)
    corpus = train.read_debates(args.jsonl, labelled=False)
    train.embed(corpus, cache_dir=_cache_dir(args))
    out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout
    try:
        for debate, scores in train.rank_scores(model, corpus).items():
            out.write(json.dumps({"id": debate, "scores": scores}) + "\n")
    finally:
        if args.out:
            out.close()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m app.checkworthiness", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name, func, help_ in (("train", train_command, "fit and write the artefact"),
                              ("cv", cv_command, "cross-validate by debate")):
        sub = commands.add_parser(name, help=help_)
        sub.add_argument("--data", default=str(default_train_path()), help="labelled debates JSONL (default %(default)s)")
        sub.add_argument("--cache-dir", default=None, help="embedding cache (default $CLAIMDESK_CACHE_DIR or .cache)")
        sub.set_defaults(func=func)
        if name == "train":
            sub.add_argument("--out", default=str(DEFAULT_ARTEFACT), help="artefact path (default %(default)s)")
        else:
            sub.add_argument("--folds", type=int, default=5)
            sub.add_argument("--pred", default=None, help="write held-out scores here (scorer format)")
    rank = commands.add_parser("rank", help="score debates for score_checkworthy.py")
    rank.add_argument("--jsonl", required=True, help='debates: {"id", "sentences": [{"line","speaker","text"}]}')
    rank.add_argument("--model", default=str(DEFAULT_ARTEFACT))
    rank.add_argument("--out", default=None, help="output file (default stdout)")
    rank.add_argument("--cache-dir", default=None)
    rank.set_defaults(func=rank_command)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    args.argv = argv
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())

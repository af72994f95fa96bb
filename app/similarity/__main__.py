"""Command line: ``python -m app.similarity rank|train-fusion``.

``rank --corpus C.jsonl --queries Q.jsonl --k 10``: corpus lines are ``{"id", "text",
"title"?}``, query lines ``{"id", "text"}``; one line ``{"id": <query id>, "ranked":
[<corpus ids>]}`` per query goes to stdout.

``train-fusion --corpus C.jsonl --queries TRAIN.jsonl``: fits the learned fusion on
queries with ``gold`` ids (pairwise logistic regression over each query's candidates),
reports its 5-fold cross-validated MAP@5 on those queries, and writes
``app/similarity/data/fusion.json`` with the command and the data's sha256.

Embeddings go through the same :class:`Embedder`, :class:`HybridRanker` and query
cleaning as the app, with an on-disk embedding cache (``--cache-dir``,
``$CLAIMDESK_CACHE_DIR`` or ``.cache``).
"""
from __future__ import annotations

import os

# Before numpy/torch are imported: one BLAS thread, so numpy does not fight torch on
# small machines (measured: see bench/related.py).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import argparse
import hashlib
import json
import shlex
import sys
import time
from pathlib import Path

import numpy as np

from app.similarity.embedder import DEFAULT_MODEL, default_cache_dir, get_embedder
from app.similarity.fusion import (
    DEFAULT_DEPTH, DEFAULT_FUSION_PATH, LearnedFusion, ZScoreFusion, features, pairwise_training_rows,
)
from app.similarity.ranking import DEFAULT_WEIGHTS, FusionWeights, HybridRanker, clean_query_text


def read_jsonl(path: str) -> list[dict]:
    """Read one JSON object per non-blank line."""
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def build_ranker(args: argparse.Namespace, corpus: list[dict], fusion=None) -> HybridRanker:
    """A ranker over the corpus (ids numbered 0..n-1), titles embedded unless ``--no-title``."""
    embedder = get_embedder(args.model)
    cache_dir = args.cache_dir or default_cache_dir()
    texts = [doc["text"] for doc in corpus]
    titles = [doc.get("title") or None for doc in corpus]
    vectors = embedder.encode(texts, batch_size=args.batch_size, cache_dir=cache_dir)
    title_vectors = None
    if any(titles) and not args.no_title:
        title_vectors = embedder.encode([t or "" for t in titles], batch_size=args.batch_size, cache_dir=cache_dir)
    else:
        titles = None
    if fusion is None and (getattr(args, "title_weight", None) is not None
                           or getattr(args, "lexical_weight", None) is not None):
        weights = FusionWeights(
            title=DEFAULT_WEIGHTS.title if args.title_weight is None else args.title_weight,
            lexical=DEFAULT_WEIGHTS.lexical if args.lexical_weight is None else args.lexical_weight,
        )
        ranker = HybridRanker(embedder.dim, weights=weights, pool=args.pool)
    else:
        ranker = HybridRanker(embedder.dim, fusion=fusion, pool=args.pool)
    ranker.add(range(len(corpus)), texts, vectors, titles=titles, title_vectors=title_vectors)
    return ranker


def encode_queries(args: argparse.Namespace, queries: list[dict]) -> tuple[list[str], np.ndarray]:
    """Cleaned (unless ``--raw-queries``) query texts and their vectors."""
    texts = [q["text"] if args.raw_queries else clean_query_text(q["text"]) for q in queries]
    vectors = get_embedder(args.model).encode(texts, batch_size=args.batch_size,
                                              cache_dir=args.cache_dir or default_cache_dir())
    return texts, vectors


def rank_command(args: argparse.Namespace) -> int:
    """Rank corpus documents for every query and print JSONL predictions."""
    started = time.perf_counter()
    corpus = read_jsonl(args.corpus)
    queries = read_jsonl(args.queries)
    # Corpus ids may be any strings; the ranker works on ints, so number them.
    external = [str(doc["id"]) for doc in corpus]
    fusion = LearnedFusion.load(args.fusion) if args.fusion else None
    ranker = build_ranker(args, corpus, fusion)
    query_texts, query_vectors = encode_queries(args, queries)
    out = sys.stdout
    for query, text, vector in zip(queries, query_texts, query_vectors):
        matches = ranker.rank(text, vector, k=args.k)
        out.write(json.dumps({"id": query["id"], "ranked": [external[m.id] for m in matches]}) + "\n")
    print(
        f"ranked {len(queries)} queries against {len(corpus)} documents "
        f"with {get_embedder(args.model).name} ({ranker.fusion}) in {time.perf_counter() - started:.1f}s",
        file=sys.stderr,
    )
    return 0


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def average_precision_at(ranked: list[int], gold: set[int], k: int = 5) -> float:
    """AP@k with the |gold| divisor (trec_eval, as the CLEF scorer)."""
    hits, total = 0, 0.0
    for i, doc in enumerate(ranked[:k], 1):
        if doc in gold:
            hits += 1
            total += hits / i
    return total / len(gold) if gold else 0.0


def _fit_weights(groups, c: float) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression

    x, y = pairwise_training_rows(groups)
    return LogisticRegression(C=c, fit_intercept=False, max_iter=5000).fit(x, y).coef_[0]


def train_fusion_command(args: argparse.Namespace) -> int:
    """Fit the learned fusion on queries with gold ids; cross-validate it; write it."""
    started = time.perf_counter()
    corpus = read_jsonl(args.corpus)
    queries = [q for q in read_jsonl(args.queries) if q.get("gold")]
    position = {str(doc["id"]): i for i, doc in enumerate(corpus)}
    ranker = build_ranker(args, corpus, ZScoreFusion(depth=args.depth))  # only its candidates are used
    texts, vectors = encode_queries(args, queries)
    groups = []
    for query, text, vector in zip(queries, texts, vectors):
        found = ranker.candidates(ranker_terms(text), vector)
        gold = {position[str(g)] for g in query["gold"] if str(g) in position}
        groups.append((features(found, args.depth), np.isin(found.ids, list(gold)), found.ids, gold))
    # 5-fold cross-validation over the training queries (fixed deal: query i in fold i % 5).
    folds = np.arange(len(groups)) % 5
    aps = []
    for fold in range(5):
        weights = _fit_weights([(g[0], g[1]) for g, f in zip(groups, folds) if f != fold], args.c)
        for g, f in zip(groups, folds):
            if f == fold:
                order = g[2][np.argsort(-(g[0] @ weights), kind="stable")]
                aps.append(average_precision_at(order.tolist(), g[3]))
    weights = _fit_weights([(g[0], g[1]) for g in groups], args.c)
    recall = float(np.mean([g[1].any() for g in groups]))
    fusion = LearnedFusion(weights, args.depth)
    fusion.save(
        args.out,
        command="python -m app.similarity " + " ".join(shlex.quote(a) for a in args.argv),
        corpus=Path(args.corpus).name, corpus_sha256=_sha256(args.corpus),
        queries=Path(args.queries).name, queries_sha256=_sha256(args.queries),
        training_queries=len(groups), regularisation_c=args.c,
        cv_map_at_5=round(float(np.mean(aps)), 4), candidate_recall=round(recall, 4),
        embedding_model=get_embedder(args.model).name,
    )
    print(f"train-fusion: {len(groups)} queries, 5-fold CV MAP@5 {np.mean(aps):.4f}, candidate recall "
          f"{recall:.3f}; wrote {args.out} in {time.perf_counter() - started:.0f}s", file=sys.stderr)
    print(json.dumps({"cv_map_at_5": round(float(np.mean(aps)), 4), "queries": len(groups),
                      "weights": [round(float(w), 4) for w in weights]}))
    return 0


def train_confidence_command(args: argparse.Namespace) -> int:
    """Calibrate the "already checked" flag on held-out fused scores of train queries."""
    from app.similarity.confidence import confidence_features, fit_confidence

    started = time.perf_counter()
    corpus = read_jsonl(args.corpus)
    queries = [q for q in read_jsonl(args.queries) if q.get("gold")]
    position = {str(doc["id"]): i for i, doc in enumerate(corpus)}
    ranker = build_ranker(args, corpus, ZScoreFusion(depth=DEFAULT_DEPTH))  # only its candidates are used
    texts, vectors = encode_queries(args, queries)
    groups = []
    for query, text, vector in zip(queries, texts, vectors):
        found = ranker.candidates(ranker_terms(text), vector)
        gold = {position[str(g)] for g in query["gold"] if str(g) in position}
        groups.append((features(found, DEFAULT_DEPTH), np.isin(found.ids, list(gold)), found))
    # Held-out fused scores: fold i's queries ranked by a fusion fitted on the other folds.
    folds = np.arange(len(groups)) % 5
    rows, correct = [], []
    for fold in range(5):
        weights = _fit_weights([(g[0], g[1]) for g, f in zip(groups, folds) if f != fold], 1.0)
        for g, f in zip(groups, folds):
            if f != fold or len(g[2]) == 0:
                continue
            top = int(np.argmax(g[0] @ weights))
            rows.append(confidence_features(g[2].cosine, top))
            correct.append(bool(g[1][top]))
    rows_array, correct_array = np.vstack(rows), np.array(correct)
    model = fit_confidence(rows_array, correct_array, target_precision=args.target_precision)
    probs = np.array([model.probability(r) for r in rows_array])
    flagged = probs >= model.threshold
    precision = float(correct_array[flagged].mean()) if flagged.any() else 0.0
    model.save(
        args.out,
        command="python -m app.similarity " + " ".join(shlex.quote(a) for a in args.argv),
        corpus=Path(args.corpus).name, corpus_sha256=_sha256(args.corpus),
        queries=Path(args.queries).name, queries_sha256=_sha256(args.queries),
        target_precision=args.target_precision, training_queries=len(rows),
        train_precision=round(precision, 4), train_flagged_share=round(float(flagged.mean()), 4),
        train_top1_right=round(float(correct_array.mean()), 4), embedding_model=get_embedder(args.model).name,
    )
    print(f"train-confidence: {len(rows)} queries (held-out fusion's top match), threshold {model.threshold:.3f}: "
          f"{flagged.mean():.1%} flagged, precision {precision:.3f}; wrote {args.out} in "
          f"{time.perf_counter() - started:.0f}s", file=sys.stderr)
    print(json.dumps({"threshold": round(model.threshold, 4), "train_precision": round(precision, 4),
                      "train_flagged_share": round(float(flagged.mean()), 4)}))
    return 0


def ranker_terms(text: str):
    from app.similarity.lexical import tokenize

    return tokenize(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m app.similarity", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    rank = commands.add_parser("rank", help="rank a JSONL corpus for JSONL queries")
    rank.add_argument("--corpus", required=True, help='JSONL: {"id", "text", "title"?}')
    rank.add_argument("--queries", required=True, help='JSONL: {"id", "text"}')
    rank.add_argument("--k", type=int, default=10, help="results per query (default 10)")
    rank.add_argument("--model", default=os.environ.get("CLAIMDESK_EMBEDDING_MODEL", DEFAULT_MODEL),
                      help="model name or local model dir (default $CLAIMDESK_EMBEDDING_MODEL or %(default)s)")
    rank.add_argument("--cache-dir", default=None, help="embedding cache dir (default $CLAIMDESK_CACHE_DIR or .cache)")
    rank.add_argument("--batch-size", type=int, default=64)
    rank.add_argument("--pool", type=int, default=100, help="candidates per signal before fusion")
    rank.add_argument("--title-weight", type=float, default=None, help=f"default {DEFAULT_WEIGHTS.title}")
    rank.add_argument("--lexical-weight", type=float, default=None, help=f"default {DEFAULT_WEIGHTS.lexical}")
    rank.add_argument("--no-title", action="store_true", help="ignore corpus titles")
    rank.add_argument("--raw-queries", action="store_true", help="do not clean query text")
    rank.add_argument("--fusion", default=None, help=f"learned fusion JSON (default {DEFAULT_FUSION_PATH.name})")
    rank.set_defaults(func=rank_command)

    train = commands.add_parser("train-fusion", help="fit the learned fusion on queries with gold ids")
    train.add_argument("--corpus", required=True, help='JSONL: {"id", "text", "title"?}')
    train.add_argument("--queries", required=True, help='JSONL: {"id", "text", "gold": [corpus ids]}')
    train.add_argument("--out", default=str(DEFAULT_FUSION_PATH))
    train.add_argument("--depth", type=int, default=DEFAULT_DEPTH, help="top list per signal (default %(default)s)")
    train.add_argument("--c", type=float, default=1.0, help="inverse regularisation (default %(default)s)")
    train.add_argument("--model", default=os.environ.get("CLAIMDESK_EMBEDDING_MODEL", DEFAULT_MODEL))
    train.add_argument("--cache-dir", default=None)
    train.add_argument("--batch-size", type=int, default=64)
    train.add_argument("--pool", type=int, default=DEFAULT_DEPTH)
    train.add_argument("--no-title", action="store_true")
    train.add_argument("--raw-queries", action="store_true")
    train.set_defaults(func=train_fusion_command)

    conf = commands.add_parser("train-confidence", help="calibrate the 'already checked' flag on train queries")
    conf.add_argument("--corpus", required=True, help='JSONL: {"id", "text", "title"?}')
    conf.add_argument("--queries", required=True, help='JSONL: {"id", "text", "gold": [corpus ids]}')
    conf.add_argument("--out", default=str(Path(__file__).resolve().parent / "data" / "confidence.json"))
    conf.add_argument("--target-precision", type=float, default=0.95,
                      help="precision the flagged train queries must reach (lower end of the 95%% interval)")
    conf.add_argument("--model", default=os.environ.get("CLAIMDESK_EMBEDDING_MODEL", DEFAULT_MODEL))
    conf.add_argument("--cache-dir", default=None)
    conf.add_argument("--batch-size", type=int, default=64)
    conf.add_argument("--pool", type=int, default=100)
    conf.add_argument("--no-title", action="store_true")
    conf.add_argument("--raw-queries", action="store_true")
    conf.set_defaults(func=train_confidence_command)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    args.argv = argv
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())

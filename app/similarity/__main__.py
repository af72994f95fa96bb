"""Command line: ``python -m app.similarity rank --corpus C.jsonl --queries Q.jsonl --k 10``.

Corpus lines are ``{"id", "text", "title"?}``, query lines ``{"id", "text"}``; one line
``{"id": <query id>, "ranked": [<corpus ids>]}`` per query goes to stdout. Embeddings go
through the same :class:`Embedder`, :class:`HybridRanker` and query cleaning as the app,
with an on-disk embedding cache (``--cache-dir``, ``$CLAIMDESK_CACHE_DIR`` or ``.cache``).
"""
from __future__ import annotations

import os

# Before numpy/torch are imported: one BLAS thread, so numpy does not fight torch on
# small machines (measured: see bench/related.py).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import argparse
import json
import sys
import time

from app.similarity.embedder import DEFAULT_MODEL, default_cache_dir, get_embedder
from app.similarity.ranking import DEFAULT_WEIGHTS, FusionWeights, HybridRanker, clean_query_text


def read_jsonl(path: str) -> list[dict]:
    """Read one JSON object per non-blank line."""
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def rank_command(args: argparse.Namespace) -> int:
    """Rank corpus documents for every query and print JSONL predictions."""
    started = time.perf_counter()
    corpus = read_jsonl(args.corpus)
    queries = read_jsonl(args.queries)
    # Corpus ids may be any strings; the ranker works on ints, so number them.
    external = [str(doc["id"]) for doc in corpus]
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
    weights = FusionWeights(
        title=DEFAULT_WEIGHTS.title if args.title_weight is None else args.title_weight,
        lexical=DEFAULT_WEIGHTS.lexical if args.lexical_weight is None else args.lexical_weight,
    )
    ranker = HybridRanker(embedder.dim, weights=weights, pool=args.pool)
    ranker.add(range(len(corpus)), texts, vectors, titles=titles, title_vectors=title_vectors)

    query_texts = [q["text"] if args.raw_queries else clean_query_text(q["text"]) for q in queries]
    query_vectors = embedder.encode(query_texts, batch_size=args.batch_size, cache_dir=cache_dir)
    out = sys.stdout
    for query, text, vector in zip(queries, query_texts, query_vectors):
        matches = ranker.rank(text, vector, k=args.k)
        out.write(json.dumps({"id": query["id"], "ranked": [external[m.id] for m in matches]}) + "\n")
    print(
        f"ranked {len(queries)} queries against {len(corpus)} documents "
        f"with {embedder.name} ({weights}) in {time.perf_counter() - started:.1f}s",
        file=sys.stderr,
    )
    return 0


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
    rank.set_defaults(func=rank_command)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())

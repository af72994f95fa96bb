"""Bench: related-claims lookup latency, index memory and encoding throughput.

Usage (from the repo root):
    python bench/related.py [--sizes 10000 100000] [--queries 300] [--blas-threads 1]
                            [--torch-threads 0] [--encode-texts 512] [--no-encode]

Fills a VectorIndex and a HybridRanker with synthetic claims (clustered random unit
vectors, Zipf-distributed words for BM25) and times a related-claims lookup through the
engine next to a bare numpy matrix product (+ argpartition top-k) over the same matrix.
Then times encoding one batch of claim texts through ``Embedder.encode`` next to bare
``SentenceTransformer.encode``, and one end-to-end query (encode + hybrid rank).
Then the app's own path: ``app.related.related_claims`` on a throwaway SQLite database
holding the same number of claims and stored vectors (catch-up query, hybrid rank, loading
the related claims), next to bare numpy over the same vectors.
Prints a table; the last line is one JSON object with every figure.
"""
from __future__ import annotations

import argparse
from pathlib import Path
import os
import sys



# The shared evaluation data sits beside the project checkout (../shared/eval).
SHARED_EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"

def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--queries", type=int, default=300, help="timed lookups per size")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--blas-threads", type=int, default=1,
                        help="OpenBLAS threads for numpy (0 = library default)")
    parser.add_argument("--torch-threads", type=int, default=0, help="torch threads (0 = library default)")
    parser.add_argument("--encode-texts", type=int, default=512, help="texts in the encoding batch")
    parser.add_argument("--encode-rounds", type=int, default=4)
    parser.add_argument("--no-encode", action="store_true", help="skip the model benches")
    parser.add_argument("--no-app", action="store_true", help="skip the app-path bench (SQLite, no model)")
    parser.add_argument("--corpus", default=str(SHARED_EVAL / "claimmatch_vclaims.jsonl"),
                        help="JSONL with real claim texts for the encoding bench (synthetic if absent)")
    return parser.parse_args(argv)


ARGS = parse_args()
# Thread pools must be sized before numpy / torch are imported.
# Only numpy's OpenBLAS pool: OMP_NUM_THREADS would also shrink torch's pool.
if ARGS.blas_threads:
    os.environ["OPENBLAS_NUM_THREADS"] = str(ARGS.blas_threads)
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import json  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from app.similarity import HybridRanker, VectorIndex, normalize_rows  # noqa: E402


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def percentiles(samples_s: list[float]) -> dict:
    ms = np.array(samples_s) * 1000.0
    return {"p50_ms": round(float(np.percentile(ms, 50)), 3), "p95_ms": round(float(np.percentile(ms, 95)), 3)}


def synthetic_vectors(n: int, dim: int, rng: np.random.Generator) -> np.ndarray:
    """Unit vectors around 1,000 cluster centres (claims on the same story sit close)."""
    centres = rng.standard_normal((1000, dim)).astype(np.float32)
    out = centres[rng.integers(0, 1000, n)] + 0.8 * rng.standard_normal((n, dim)).astype(np.float32)
    return normalize_rows(out)


def synthetic_texts(n: int, rng: np.random.Generator, vocab: int = 30_000) -> list[str]:
    """Claims of 8-30 Zipf-distributed words (a few very common ones, a long tail)."""
    lengths = rng.integers(8, 31, n)
    words = np.minimum(rng.zipf(1.15, int(lengths.sum())), vocab)
    out, pos = [], 0
    for length in lengths:
        out.append(" ".join(f"w{w}" for w in words[pos:pos + length]))
        pos += length
    return out


def bench_size(n: int, rng: np.random.Generator) -> dict:
    vectors = synthetic_vectors(n, ARGS.dim, rng)
    texts = synthetic_texts(n, rng)
    ids = np.arange(1, n + 1)

    rss0 = rss_bytes()
    t0 = time.perf_counter()
    index = VectorIndex(ARGS.dim)
    index.add(ids.tolist(), vectors)
    build_index_s = time.perf_counter() - t0

    rss1 = rss_bytes()
    t0 = time.perf_counter()
    ranker = HybridRanker(ARGS.dim)
    ranker.add(ids.tolist(), texts, vectors)
    build_ranker_s = time.perf_counter() - t0
    ranker_rss = rss_bytes() - rss1

    bare_matrix = vectors  # the same vectors, as a plain array
    picks = rng.integers(0, n, ARGS.queries)
    k = ARGS.k
    engine, bare, bare_mm, hybrid = [], [], [], []
    for i in range(-20, ARGS.queries):  # 20 warm-up rounds
        row = int(picks[i % ARGS.queries])
        id_ = int(ids[row])
        query = bare_matrix[row]

        t0 = time.perf_counter()
        scores = bare_matrix @ query
        t1 = time.perf_counter()
        top = np.argpartition(-scores, k + 1)[: k + 1]
        top = top[np.argsort(-scores[top])]
        top = [int(ids[j]) for j in top if ids[j] != id_][:k]
        t2 = time.perf_counter()
        got = index.search(query, k=k, exclude={id_})
        t3 = time.perf_counter()
        related = ranker.related(id_, k=k)
        t4 = time.perf_counter()
        if i >= 0:
            bare_mm.append(t1 - t0)
            bare.append(t2 - t0)
            engine.append(t3 - t2)
            hybrid.append(t4 - t3)
            assert [g for g, _ in got] == top or len(set(g for g, _ in got) ^ set(top)) <= 2  # ties only
    del related
    return {
        "n": n,
        "bare_matmul": percentiles(bare_mm),
        "bare_topk": percentiles(bare),
        "engine_search": percentiles(engine),
        "hybrid_related": percentiles(hybrid),
        "index_nbytes": index.nbytes,
        "index_live_bytes": len(index) * ARGS.dim * 4,
        "ranker_rss_bytes": ranker_rss,
        "index_rss_bytes": rss1 - rss0,
        "build_index_s": round(build_index_s, 3),
        "build_ranker_s": round(build_ranker_s, 3),
    }


def load_texts(count: int) -> list[str]:
    if os.path.exists(ARGS.corpus):
        with open(ARGS.corpus, encoding="utf-8") as f:
            texts = [json.loads(line)["text"] for line in f if line.strip()]
        return texts[:count]
    rng = np.random.default_rng(1)
    words = "the president said new law tax vote claim report police city war health vaccine".split()
    return [" ".join(rng.choice(words, 18)) for _ in range(count)]


def bench_encode() -> dict:
    import torch

    from app.similarity import DEFAULT_MODEL, Embedder, get_embedder

    if ARGS.torch_threads:
        torch.set_num_threads(ARGS.torch_threads)
    # --blas-threads 0 measures the untamed default: the engine would otherwise cap BLAS.
    embedder = get_embedder() if ARGS.blas_threads else Embedder(DEFAULT_MODEL, blas_threads=None)
    model = embedder.model
    texts = load_texts(ARGS.encode_texts)
    embedder.encode(texts[:64])  # warm up
    bare_s, engine_s = [], []
    def bare():
        return model.encode(texts, batch_size=64, convert_to_numpy=True,
                            normalize_embeddings=True, show_progress_bar=False)

    def engine():
        return embedder.encode(texts, batch_size=64)

    for round_ in range(ARGS.encode_rounds):  # interleaved A-B / B-A so outside load hits both
        order = ((bare, bare_s), (engine, engine_s))
        for fn, times in order if round_ % 2 == 0 else order[::-1]:
            t0 = time.perf_counter()
            vectors = fn()
            times.append(time.perf_counter() - t0)
            if fn is bare:
                bare_vectors = vectors
            else:
                engine_vectors = vectors
    assert np.allclose(bare_vectors, engine_vectors, atol=1e-5)

    # End to end: one query text encoded, then ranked against the real claims.
    corpus = load_texts(10_000)
    vectors = embedder.encode(corpus, cache_dir=os.environ.get("CLAIMDESK_CACHE_DIR") or ".cache")
    ranker = HybridRanker(embedder.dim)
    ranker.add(range(len(corpus)), corpus, vectors)
    e2e, enc1 = [], []
    for i in range(60):
        text = corpus[(i * 37) % len(corpus)] + " says a viral post"
        t0 = time.perf_counter()
        vector = embedder.encode([text])[0]
        t1 = time.perf_counter()
        ranker.rank(text, vector, k=10)
        t2 = time.perf_counter()
        if i >= 10:
            enc1.append(t1 - t0)
            e2e.append(t2 - t0)
    bare_med, engine_med = float(np.median(bare_s)), float(np.median(engine_s))
    return {
        "texts": len(texts),
        "bare_texts_per_s": round(len(texts) / bare_med, 1),
        "engine_texts_per_s": round(len(texts) / engine_med, 1),
        "engine_over_bare_throughput": round(bare_med / engine_med, 3),
        "engine_over_bare_throughput_best": round(min(bare_s) / min(engine_s), 3),
        "query_encode": percentiles(enc1),
        "query_end_to_end": {**percentiles(e2e), "corpus": len(corpus)},
        "torch_threads": torch.get_num_threads(),
    }


def bench_app_path(n: int, rng: np.random.Generator) -> dict:
    """Time ``related_claims`` through the app on a SQLite desk of ``n`` claims."""
    import tempfile

    import sqlalchemy as sa

    from app import create_app, related
    from app.related.service import store as ranker_store
    from app.extensions import db
    from app.models import Article, Claim, Embedding
    from app.similarity import vector_to_bytes

    vectors = synthetic_vectors(n, ARGS.dim, rng)
    texts = synthetic_texts(n, rng)
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/related.db"})
        with app.app_context():
            db.create_all()
            model = app.config["CLAIMDESK_EMBEDDING_MODEL"]
            per_article = 100
            db.session.execute(sa.insert(Article.__table__), [
                {"id": a, "title": f"Article {a}", "text": "x", "sha256": f"{a:064x}", "source": "seed"}
                for a in range(1, n // per_article + 2)])
            for lo in range(0, n, 10_000):
                ids = range(lo + 1, min(n, lo + 10_000) + 1)
                db.session.execute(sa.insert(Claim.__table__), [
                    {"id": i, "article_id": (i - 1) // per_article + 1, "content": texts[i - 1], "kind": "direct",
                     "start": 0, "end": 1, "status": "new", "version": 1, "edited": False} for i in ids])
                db.session.execute(sa.insert(Embedding.__table__), [
                    {"owner_kind": "claim", "owner_id": i, "model": model, "dim": ARGS.dim, "text_sha1": "-",
                     "vector": vector_to_bytes(vectors[i - 1])} for i in ids])
            db.session.commit()
            started = time.perf_counter()
            ranker_store("claim").sync()  # the first lookup of a worker builds its ranker
            build_s = time.perf_counter() - started
            picks = rng.integers(1, n + 1, size=ARGS.queries)
            app_samples, bare_samples = [], []
            matrix = vectors
            for claim_id in picks.tolist():
                with app.test_request_context():
                    claim = db.session.get(Claim, claim_id)
                    t0 = time.perf_counter()
                    related.related_claims(claim, k=5)
                    app_samples.append(time.perf_counter() - t0)
                    db.session.remove()
                t0 = time.perf_counter()
                scores = matrix @ matrix[claim_id - 1]
                np.argpartition(-scores, ARGS.k)[:ARGS.k]
                bare_samples.append(time.perf_counter() - t0)
            db.engine.dispose()
    return {"n": n, "app_related": percentiles(app_samples), "bare_topk": percentiles(bare_samples),
            "build_ranker_from_db_s": round(build_s, 2)}


def main() -> None:
    rng = np.random.default_rng(0)
    load = os.getloadavg()
    results = {
        "blas_threads": ARGS.blas_threads or "default",
        "cpus": os.cpu_count(),
        "loadavg_1m_at_start": round(load[0], 2),
        "sizes": [bench_size(n, rng) for n in ARGS.sizes],
    }
    if not ARGS.no_app:
        results["app_path"] = [bench_app_path(n, rng) for n in ARGS.sizes]
    if not ARGS.no_encode:
        results["encode"] = bench_encode()
    results["loadavg_1m_at_end"] = round(os.getloadavg()[0], 2)

    mb = lambda b: f"{b / 2**20:8.1f}"  # noqa: E731
    print(f"related-claims lookup, k={ARGS.k}, dim={ARGS.dim}, {ARGS.queries} lookups, "
          f"BLAS threads={results['blas_threads']}, load avg {results['loadavg_1m_at_start']}")
    print(f"{'n':>8} | {'path':<28} | {'p50 ms':>8} | {'p95 ms':>8} | {'vs bare p95':>11}")
    print("-" * 76)
    for r in results["sizes"]:
        base = r["bare_topk"]["p95_ms"]
        for label, key in (("bare numpy matmul", "bare_matmul"), ("bare matmul + top-k", "bare_topk"),
                           ("VectorIndex.search", "engine_search"), ("HybridRanker.related", "hybrid_related")):
            p = r[key]
            print(f"{r['n']:>8} | {label:<28} | {p['p50_ms']:>8.2f} | {p['p95_ms']:>8.2f} | {p['p95_ms'] / base:>10.2f}x")
        r["engine_over_bare_p95"] = round(r["engine_search"]["p95_ms"] / base, 3)
    print()
    print(f"{'n':>8} | {'index MiB (alloc)':>17} | {'index MiB (live)':>16} | {'ranker RSS MiB':>14} | {'build s':>7}")
    print("-" * 76)
    for r in results["sizes"]:
        print(f"{r['n']:>8} | {mb(r['index_nbytes']):>17} | {mb(r['index_live_bytes']):>16} | "
              f"{mb(r['ranker_rss_bytes']):>14} | {r['build_ranker_s']:>7.2f}")
    if "app_path" in results:
        print()
        print(f"{'n':>8} | {'app path (related_claims)':<28} | {'p50 ms':>8} | {'p95 ms':>8} | {'vs bare p95':>11}")
        print("-" * 76)
        for r in results["app_path"]:
            a, b = r["app_related"], r["bare_topk"]
            r["app_over_bare_p95"] = round(a["p95_ms"] / b["p95_ms"], 3)
            print(f"{r['n']:>8} | {'bare matmul + top-k':<28} | {b['p50_ms']:>8.2f} | {b['p95_ms']:>8.2f} | {1:>10.2f}x")
            print(f"{r['n']:>8} | {'related_claims (DB + rank)':<28} | {a['p50_ms']:>8.2f} | {a['p95_ms']:>8.2f} | "
                  f"{r['app_over_bare_p95']:>10.2f}x   (ranker built from DB in {r['build_ranker_from_db_s']} s)")
    if "encode" in results:
        e = results["encode"]
        print()
        print(f"encoding {e['texts']} claim texts, batch 64, torch threads {e['torch_threads']}: "
              f"bare {e['bare_texts_per_s']}/s, engine {e['engine_texts_per_s']}/s, "
              f"ratio {e['engine_over_bare_throughput']} (median of {ARGS.encode_rounds} rounds; "
              f"best-of ratio {e['engine_over_bare_throughput_best']})")
        print(f"one query: encode p50 {e['query_encode']['p50_ms']} ms p95 {e['query_encode']['p95_ms']} ms; "
              f"encode + hybrid rank over {e['query_end_to_end']['corpus']} claims "
              f"p50 {e['query_end_to_end']['p50_ms']} ms p95 {e['query_end_to_end']['p95_ms']} ms")
    print(f"load average (1 min) at start {results['loadavg_1m_at_start']}, at end {results['loadavg_1m_at_end']} "
          f"on {results['cpus']} CPUs shared with other work")
    print(json.dumps(results))


if __name__ == "__main__":
    main()

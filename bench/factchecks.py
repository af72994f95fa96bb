"""Fact-checks from other publishers, end to end: ClaimReview import, ranking, the flag.

Usage (from the repo root):
    python bench/factchecks.py [--db sqlite|postgresql] [--split dev] [--skip-engine]

1. Converts the 10,375 CLEF-2020 verified claims into one ClaimReview JSON-LD DataFeed
   (url ``https://factcheck.example/<vclaim_id>``, ``claimReviewed`` the claim, ``name``
   the fact-check's title; the data has no ratings, so each says "unrated").
2. Imports it into a fresh desk database with ``flask --app app import-factchecks``
   (timed). On a shared machine encoding 20,750 texts takes most of an hour, so the
   vectors come from the embedding cache (``CLAIMDESK_EMBEDDING_CACHE``, filled by the
   engine run or an earlier bench) and the encoder's own rate is measured apart on 500
   texts; the table gives both and the import rate they imply without a cache.
3. Ranks the split's queries with ``flask --app app related-factchecks`` (the claim
   page's ranking) and scores MAP@5 with the shared scorer; unless ``--skip-engine``,
   also runs the engine (``python -m app.similarity rank``) on the same data and prints
   the difference (it must stay within 0.005).
4. In process: lookup latency of one query (encode + rank, p50/p95), and the "already
   checked" flag on the split: the share of queries flagged and how often the flagged
   top match is right.

Prints a table; the last line is one JSON object.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_EVAL = next((p / "shared" / "eval" for p in ROOT.parents[:2] if (p / "shared" / "eval").is_dir()),
                   ROOT.parent / "shared" / "eval")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(ROOT))
URL = "https://factcheck.example/{}"
PUBLISHER = "CLEF-2020 CheckThat! verified claims"


def claimreview_feed(vclaims: list[dict]) -> dict:
    """The verified claims as one schema.org DataFeed of ClaimReviews."""
    return {"@context": "https://schema.org", "@type": "DataFeed", "dataFeedElement": [{
        "@type": "DataFeedItem", "item": {
            "@type": "ClaimReview", "url": URL.format(v["id"]), "claimReviewed": v["text"],
            **({"name": v["title"]} if v.get("title") else {}),
            "author": {"@type": "Organization", "name": PUBLISHER},
            "reviewRating": {"@type": "Rating", "alternateName": "unrated"},
        }} for v in vclaims]}


def fresh_database(kind: str, pg_url: str, tmp: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp / 'desk.db'}"
    import psycopg
    import sqlalchemy as sa

    base, _, name = pg_url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:  # the bench's own database
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    engine = sa.create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()
    return pg_url


def score(queries: Path, predictions: Path) -> dict:
    done = subprocess.run([sys.executable, str(SHARED_EVAL / "score_claimmatch.py"), str(queries), str(predictions),
                           "--json"], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else 0.0


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL",
                                                           "postgresql://postgres@127.0.0.1:5432/cd_priority_bench"))
    parser.add_argument("--split", default="dev")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--skip-engine", action="store_true", help="do not run the engine for comparison")
    args = parser.parse_args(argv)

    vclaims = [json.loads(line) for line in open(SHARED_EVAL / "claimmatch_vclaims.jsonl", encoding="utf-8")]
    queries_path = SHARED_EVAL / f"claimmatch_{args.split}_queries.jsonl"
    queries = [json.loads(line) for line in open(queries_path, encoding="utf-8")]
    tmp = Path(tempfile.mkdtemp(prefix="factchecks-bench-"))
    feed = tmp / "clef2020-vclaims.jsonld"
    feed.write_text(json.dumps(claimreview_feed(vclaims)), encoding="utf-8")
    cache = os.environ.get("CLAIMDESK_CACHE_DIR") or str(ROOT / ".cache")
    env = {**os.environ, "DATABASE_URL": fresh_database(args.db, args.pg_url, tmp),
           "CLAIMDESK_ANN_DIR": str(tmp / "ann"), "SECRET_KEY": "bench", "CLAIMDESK_EMBEDDING_CACHE": cache}
    if not args.skip_engine:  # the engine's run fills the cache the import reads
        engine_pred = tmp / "pred_engine.jsonl"
        with open(engine_pred, "w", encoding="utf-8") as out:
            subprocess.run([sys.executable, "-m", "app.similarity", "rank", "--corpus",
                            str(SHARED_EVAL / "claimmatch_vclaims.jsonl"), "--queries", str(queries_path),
                            "--k", str(args.k), "--cache-dir", cache], stdout=out, cwd=ROOT, check=True,
                           stderr=subprocess.DEVNULL)
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    subprocess.run([*flask, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)

    started = time.perf_counter()
    imported = subprocess.run([*flask, "import-factchecks", str(feed)], env=env, cwd=ROOT, capture_output=True,
                              text=True)
    import_seconds = time.perf_counter() - started
    if imported.returncode != 0:
        sys.exit(f"import-factchecks failed:\n{imported.stdout}\n{imported.stderr[-3000:]}")
    summary = imported.stdout.strip().splitlines()[-1]

    query_file = tmp / "queries.jsonl"
    query_file.write_text("".join(json.dumps({"id": q["id"], "text": q["text"]}) + "\n" for q in queries))
    app_pred = tmp / "pred_app_urls.jsonl"
    subprocess.run([*flask, "related-factchecks", "--queries", str(query_file), "--k", str(args.k),
                    "-o", str(app_pred)], env=env, cwd=ROOT, check=True, capture_output=True)
    ids_pred = tmp / "pred_app.jsonl"
    prefix = URL.format("")
    with open(app_pred, encoding="utf-8") as src, open(ids_pred, "w", encoding="utf-8") as out:
        for line in src:
            row = json.loads(line)
            out.write(json.dumps({"id": row["id"], "ranked": [u[len(prefix):] for u in row["ranked"]]}) + "\n")
    app_figures = score(queries_path, ids_pred)

    engine_figures = None if args.skip_engine else score(queries_path, engine_pred)

    # In process: lookup latency and the "already checked" flag.
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "CLAIMDESK_ANN_DIR", "SECRET_KEY")})
    from app import create_app, related
    from app.extensions import db
    from app.factchecks import service
    from app.priority import checked
    from app.similarity import clean_query_text

    app = create_app()
    latencies, flagged, right = [], 0, 0
    with app.app_context():
        service.rank_for_text(queries[0]["text"])  # warm: model, index, frequencies
        for query in queries:
            t0 = time.perf_counter()
            service.rank_for_text(query["text"], k=args.k)
            latencies.append((time.perf_counter() - t0) * 1000)
        texts = [clean_query_text(q["text"]) for q in queries]
        vectors = related.embedder().encode(texts, batch_size=64)
        urls = {}
        for query, text, vector in zip(queries, texts, vectors):
            match = checked.best_match(text, vector)
            if match is None:
                continue
            flagged += 1
            if match.id not in urls:
                urls.update(service.urls_of([match.id]))
            right += urls[match.id][len(prefix):] in {str(g) for g in query.get("gold", [])}
        threshold = checked.threshold()
        count = service.factcheck_count()
        sample = [f"{v['text']} (encoder rate sample {i})" for i, v in enumerate(vclaims[:500])]
        t0 = time.perf_counter()
        related.embedder().encode(sample, batch_size=64)
        encode_rate = len(sample) / (time.perf_counter() - t0)
        db.session.remove()
        db.engine.dispose()

    titles = sum(1 for v in vclaims if v.get("title"))
    uncached_rate = len(vclaims) / (import_seconds + (len(vclaims) + titles) / encode_rate)
    rows = [
        ("fact-checks imported", f"{count:,}", summary),
        ("import rate, cached vectors", f"{len(vclaims) / import_seconds:.1f} /s", f"{import_seconds:.1f} s"),
        ("encoder alone", f"{encode_rate:.1f} texts/s", "500 texts, batch 64"),
        ("import rate, no cache", f"{uncached_rate:.1f} /s", "implied: 2 texts per fact-check"),
        (f"{args.split} MAP@5, app path", f"{app_figures['MAP@5']:.4f}", "flask related-factchecks"),
    ]
    if engine_figures:
        rows.append((f"{args.split} MAP@5, engine", f"{engine_figures['MAP@5']:.4f}",
                     f"difference {app_figures['MAP@5'] - engine_figures['MAP@5']:+.4f}"))
    rows += [
        ("lookup p50 / p95", f"{percentile(latencies, 0.5):.0f} / {percentile(latencies, 0.95):.0f} ms",
         "one query: clean, encode, rank"),
        ("flag coverage", f"{flagged / len(queries):.1%}", f"threshold {threshold:.3f}: {flagged} of {len(queries)}"),
        ("flag precision", f"{right / flagged:.1%}" if flagged else "n/a", "flagged top match is gold"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"Fact-checks bench on {args.db} ({args.split} split)")
    for name, value, note in rows:
        print(f"  {name:<{width}}  {value:>14}  {note}")
    print(json.dumps({
        "db": args.db, "split": args.split, "factchecks": count, "import_seconds": round(import_seconds, 1),
        "import_per_second_cached": round(len(vclaims) / import_seconds, 1),
        "encode_texts_per_second": round(encode_rate, 1), "import_per_second": round(uncached_rate, 1),
        "map_at_5_app": app_figures['MAP@5'], "map_at_5_engine": engine_figures['MAP@5'] if engine_figures else None,
        "lookup_p50_ms": round(percentile(latencies, 0.5), 1), "lookup_p95_ms": round(percentile(latencies, 0.95), 1),
        "flag_threshold": round(threshold, 4), "flag_coverage": round(flagged / len(queries), 4),
        "flag_precision": round(right / flagged, 4) if flagged else None, "app": app_figures, "engine": engine_figures,
    }))


if __name__ == "__main__":
    main()

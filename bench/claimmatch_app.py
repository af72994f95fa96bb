"""CLEF-2020 claim matching through the desk's own related-claims path (index + full text).

Usage (from the repo root):
    python bench/claimmatch_app.py --db sqlite|postgresql [--split dev] [--out pred.jsonl]

Loads the 10,375 verified claims into a fresh desk database (one article per verified
claim, titled with its fact-check's title; the claim's text as the claim), stores their
vectors as the app does (Embedding rows; encoded through the embedding cache in .cache),
builds the related-claims index, then ranks each query's cleaned text with
``related.rank("claim", ...)``: the same candidates, full-text search and fusion as the
claim page. Writes predictions and prints the shared scorer's figures; the last line is
one JSON object.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_EVAL = next((p / "shared" / "eval" for p in ROOT.parents[:2] if (p / "shared" / "eval").is_dir()),
                   ROOT.parent / "shared" / "eval")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(ROOT))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/cd_ann_bench"))
    parser.add_argument("--split", default="dev")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)

    import numpy as np
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from app import create_app, related
    from app.extensions import db
    from app.related import index
    from app.similarity import clean_query_text, get_embedder, vector_to_bytes

    corpus = [json.loads(line) for line in open(SHARED_EVAL / "claimmatch_vclaims.jsonl", encoding="utf-8")]
    queries = [json.loads(line) for line in open(SHARED_EVAL / f"claimmatch_{args.split}_queries.jsonl", encoding="utf-8")]
    tmp = Path(tempfile.mkdtemp(prefix="claimmatch-"))
    if args.db == "sqlite":
        url = f"sqlite:///{tmp / 'desk.db'}"
    else:
        url = args.pg_url
        base, _, name = url.rpartition("/")
        import psycopg

        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:  # the bench's own database
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
        engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
        engine.dispose()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "CLAIMDESK_ANN_DIR": str(tmp / "ann")})
    embedder = get_embedder(app.config["CLAIMDESK_EMBEDDING_MODEL"])
    cache = os.environ.get("CLAIMDESK_CACHE_DIR") or ROOT / ".cache"
    vectors = embedder.encode([d["text"] for d in corpus], cache_dir=cache)
    texts = [clean_query_text(q["text"]) for q in queries]
    query_vectors = embedder.encode(texts, cache_dir=cache)
    now = datetime(2026, 1, 1)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        model = app.config["CLAIMDESK_EMBEDDING_MODEL"]
        db.session.execute(sa.text("INSERT INTO articles (id, title, text, sha256, source, ingested_at) "
                                   "VALUES (:id, :title, :text, :sha, 'seed', :now)"),
                           [{"id": i, "title": (d.get("title") or "")[:500], "text": d["text"], "sha": f"{i:064x}",
                             "now": now} for i, d in enumerate(corpus, start=1)])
        db.session.execute(sa.text('INSERT INTO claims (id, article_id, content, kind, start, "end", status, version, '
                                   "edited, created_at, updated_at) VALUES (:id, :id, :text, 'direct', 0, 1, 'new', "
                                   "1, false, :now, :now)"),
                           [{"id": i, "text": d["text"], "now": now} for i, d in enumerate(corpus, start=1)])
        db.session.execute(sa.text("INSERT INTO embeddings (owner_kind, owner_id, model, dim, text_sha1, vector, "
                                   "created_at) VALUES ('claim', :id, :model, :dim, '-', :vector, :now)"),
                           [{"id": i, "model": model, "dim": vectors.shape[1], "vector": vector_to_bytes(v), "now": now}
                            for i, v in enumerate(vectors, start=1)])
        db.session.commit()
        if args.db == "postgresql":
            db.session.execute(sa.text("ANALYZE claims"))
            db.session.commit()
        index.rebuild("claim")
        reader = index.reader("claim")
        out_path = Path(args.out or tmp / f"pred_{args.split}.jsonl")
        with open(out_path, "w") as out:
            for query, text, vector in zip(queries, texts, query_vectors):
                ranked = related.rank("claim", text, vector, k=args.k)
                out.write(json.dumps({"id": query["id"], "ranked": [corpus[r.id - 1]["id"] for r in ranked]}) + "\n")
        info = {"db": args.db, "claims": len(reader), "exact_index": reader.exact,
                "lexical_budget": app.config["CLAIMDESK_LEXICAL_BUDGET"], "sample": int(reader.sample_ids.shape[0])}
        db.session.remove()
        db.engine.dispose()
    scored = subprocess.run([sys.executable, str(SHARED_EVAL / "score_claimmatch.py"),
                             str(SHARED_EVAL / f"claimmatch_{args.split}_queries.jsonl"), str(out_path), "--json"],
                            capture_output=True, text=True, check=True)
    figures = json.loads(scored.stdout.strip().splitlines()[-1])
    print(f"CLEF-2020 {args.split} through the app path on {args.db}: " +
          ", ".join(f"{k} {v:.4f}" for k, v in figures.items() if isinstance(v, float)))
    print(json.dumps({**info, **figures, "predictions": str(out_path)}))
    del np


if __name__ == "__main__":
    main()

"""What priority adds to ingest: the whole ``submit`` of each article, and within it the
check-worthiness scoring and the "already checked" lookups.

Usage (from the repository root)::

    python bench/priority_ingest.py [--n 60] [--factchecks 10375] [--data polnear_train.jsonl]

Ingests ``--n`` PolNeAR articles through ``app.ingest.submit`` into a fresh SQLite desk
(with ``--factchecks N``, the first N CLEF-2020 verified claims imported as fact-checks
first, so every claim's "already checked" lookup searches a real collection). The two
priority steps are timed where ingest calls them (wrapped in this process only). The
issue allows check-worthiness 10% of ingest time; the lookups are reported beside it.
Prints a table; the last line is one JSON object.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[1]
SHARED_EVAL = next((p / "shared" / "eval" for p in ROOT.parents[:2] if (p / "shared" / "eval").is_dir()),
                   ROOT.parent / "shared" / "eval")
sys.path.insert(0, str(ROOT))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=60, help="articles to ingest")
    parser.add_argument("--factchecks", type=int, default=0, help="CLEF-2020 verified claims imported first")
    parser.add_argument("--data", default=str(SHARED_EVAL / "polnear_train.jsonl"))
    args = parser.parse_args(argv)

    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from app.factchecks import service as factchecks
    from app.ingest import service as ingest
    from app.ingest import submit
    from app.errors import DomainError

    tmp = Path(tempfile.mkdtemp(prefix="ingest-bench-"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'desk.db'}", "CLAIMDESK_ANN_DIR": str(tmp / "ann"),
                      "SECRET_KEY": "bench"})
    texts = []
    with open(args.data, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                texts.append(json.loads(line)["text"])
            if len(texts) >= args.n + 1:
                break
    spent = {"score": 0.0, "checked": 0.0}
    real_score, real_matches = ingest.priority.score_texts, ingest.checked.matches_for_new

    def timed(name, func):
        def wrapper(*a, **k):
            t0 = time.perf_counter()
            try:
                return func(*a, **k)
            finally:
                spent[name] += time.perf_counter() - t0
        return wrapper

    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        if args.factchecks:
            vclaims = [json.loads(line) for line in open(SHARED_EVAL / "claimmatch_vclaims.jsonl", encoding="utf-8")]
            feed = [{"@type": "ClaimReview", "url": f"https://factcheck.example/{v['id']}", "claimReviewed": v["text"],
                     "name": v.get("title"), "author": {"name": "CLEF-2020"},
                     "reviewRating": {"alternateName": "unrated"}} for v in vclaims[:args.factchecks]]
            factchecks.import_factchecks([factchecks.FactCheckFile("feed.json", json.dumps(feed).encode())])
        submit(text=texts[0], source="cli")  # warm: spaCy, the embedder, the indexes
        ingest.priority.score_texts = timed("score", real_score)
        ingest.checked.matches_for_new = timed("checked", real_matches)
        total, claims, done = 0.0, 0, 0
        for text in texts[1:]:
            t0 = time.perf_counter()
            try:
                result = submit(text=text, source="cli")
            except DomainError:
                continue
            total += time.perf_counter() - t0
            claims += len(result.claim_ids)
            done += 1
        db.session.remove()
        db.engine.dispose()
    base = total - spent["score"] - spent["checked"]
    rows = [
        ("articles / claims", f"{done} / {claims}", ""),
        ("ingest, whole submit", f"{total / done * 1000:.0f} ms/article", "extraction, embedding, storing, priority"),
        ("check-worthiness", f"{spent['score'] / done * 1000:.1f} ms/article",
         f"{spent['score'] / base:.1%} of ingest without the priority steps"),
        ("already-checked lookups", f"{spent['checked'] / done * 1000:.1f} ms/article",
         f"{spent['checked'] / base:.1%} ({args.factchecks:,} fact-checks in the desk)"),
    ]
    print("Ingest with priority (SQLite)")
    for name, value, note in rows:
        print(f"  {name:<26} {value:>18}  {note}")
    print(json.dumps({"bench": "ingest", "articles": done, "claims": claims, "factchecks": args.factchecks,
                      "ingest_ms_per_article": round(total / done * 1000, 1),
                      "checkworthiness_ms_per_article": round(spent["score"] / done * 1000, 2),
                      "checkworthiness_overhead": round(spent["score"] / base, 4),
                      "checked_ms_per_article": round(spent["checked"] / done * 1000, 2),
                      "checked_overhead": round(spent["checked"] / base, 4)}))


if __name__ == "__main__":
    main()

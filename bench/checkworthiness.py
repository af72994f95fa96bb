"""What check-worthiness scoring adds to ingest: engine time next to extraction + embedding.

Usage (from the repository root)::

    python bench/checkworthiness.py [--data polnear_train.jsonl] [--n 100] [--repeats 3]

For the same PolNeAR articles, in one process (models loaded and warmed first; runs
interleaved, best of ``--repeats`` kept, so a busy machine hurts every part alike):

* ``extract``: ``Extractor.extract_many`` (the spaCy parse plus the quote rules);
* ``embed``: encoding each article's claims with the MiniLM embedder, one batch per
  article, as ingest does (``related.prepare_claims``);
* ``score``: ``CheckworthinessModel.score`` on each article's claims, their vectors and
  speakers (what ingest would add).

The overhead is ``score / (extract + embed)``; the issue allows 10%. ``score / extract``
is printed too: the embedding's share swings most with the machine's load. Prints a table, then
as its last line one JSON object with the figures.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.checkworthiness import get_model  # noqa: E402
from app.extraction import get_extractor  # noqa: E402
from app.similarity import get_embedder  # noqa: E402

DEFAULT_DATA = "/work/shared/eval/polnear_train.jsonl"


def load_texts(path: str, n: int) -> list[str]:
    texts: list[str] = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                texts.append(json.loads(line)["text"])
            if len(texts) >= n:
                break
    return texts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--n", type=int, default=100, help="articles")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)

    texts = load_texts(args.data, args.n)
    extractor, embedder, model = get_extractor(), get_embedder(), get_model()
    warm = list(extractor.extract_many(texts[:4]))
    embedder.encode([q.content for q in warm[0]] or ["warm up"])
    model.score(["warm up"], embedder.encode(["warm up"]))

    best = {"extract": float("inf"), "embed": float("inf"), "score": float("inf")}
    claims = 0
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        quotes = list(extractor.extract_many(texts))
        t1 = time.perf_counter()
        vectors = [embedder.encode([q.content for q in qs]) for qs in quotes]
        t2 = time.perf_counter()
        for qs, vs in zip(quotes, vectors):
            if qs:
                model.score([q.content for q in qs], vs, speakers=[q.speaker for q in qs])
        t3 = time.perf_counter()
        claims = sum(len(qs) for qs in quotes)
        for key, seconds in (("extract", t1 - t0), ("embed", t2 - t1), ("score", t3 - t2)):
            best[key] = min(best[key], seconds)

    n = len(texts)
    ingest = best["extract"] + best["embed"]
    overhead = best["score"] / ingest
    print(f"check-worthiness at ingest: {n} PolNeAR articles, {claims} claims, best of {args.repeats}")
    print(f"{'part':26} {'s total':>9} {'ms/article':>11} {'ms/claim':>9}")
    for key, label in (("extract", "extraction (spaCy+rules)"), ("embed", "embedding (MiniLM)"),
                       ("score", "check-worthiness score")):
        print(f"{label:26} {best[key]:9.3f} {1000 * best[key] / n:11.2f} {1000 * best[key] / max(claims, 1):9.3f}")
    print(f"overhead = score / (extraction + embedding) = {100 * overhead:.2f}%  (limit 10%); "
          f"score / extraction alone = {100 * best['score'] / best['extract']:.2f}%")
    print(json.dumps({
        "bench": "checkworthiness", "articles": n, "claims": claims, "repeats": args.repeats,
        "extract_s": round(best["extract"], 4), "embed_s": round(best["embed"], 4),
        "score_s": round(best["score"], 4),
        "score_ms_per_claim": round(1000 * best["score"] / max(claims, 1), 4),
        "ingest_ms_per_article": round(1000 * ingest / n, 2),
        "overhead_ratio": round(overhead, 4),
        "overhead_vs_extraction_ratio": round(best["score"] / best["extract"], 4),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Throughput of the quote extraction engine next to bare spaCy, same texts, same process.

Usage (from the repository root)::

    python bench/extraction.py [--data polnear_train.jsonl] [--n 200] [--repeats 2]

Three timings over the same PolNeAR articles (one model load each, warm-up first, runs
interleaved, best of ``--repeats`` kept, so a busy shared machine hurts all alike):

* ``bare (shipped)``: ``spacy.load(DEFAULT_MODEL)`` with every pipe, ``nlp.pipe``;
* ``bare (engine pipes)``: ``nlp.pipe`` of the engine's own pipeline object;
* ``engine``: ``Extractor.extract_many`` (the same parse plus the passes, with the
  learned reported-speech and speaker-choice models).

Prints a table, then as its last line one JSON object with the figures.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import spacy

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.extraction import DEFAULT_MODEL, get_extractor  # noqa: E402

DEFAULT_DATA = "/work/shared/eval/polnear_train.jsonl"


def load_texts(paths: list[str], n: int) -> list[str]:
    """The first ``n`` article texts of the given JSONL files."""
    texts: list[str] = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    texts.append(json.loads(line)["text"])
                if len(texts) >= n:
                    return texts
    return texts


def time_bare(nlp, texts: list[str], batch_size: int) -> float:
    start = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=batch_size):
        pass
    return time.perf_counter() - start


def time_engine(extractor, texts: list[str], batch_size: int) -> tuple[float, int]:
    start = time.perf_counter()
    n_quotes = sum(len(q) for q in extractor.extract_many(texts, batch_size=batch_size))
    return time.perf_counter() - start, n_quotes


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", nargs="+", default=[DEFAULT_DATA])
    ap.add_argument("--n", type=int, default=200, help="articles (at least 200)")
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=32)
    args = ap.parse_args(argv)

    texts = load_texts(args.data, args.n)
    chars = sum(len(t) for t in texts)
    extractor = get_extractor()
    shipped = spacy.load(DEFAULT_MODEL)
    warm = texts[:8]
    time_bare(shipped, warm, args.batch_size)
    time_engine(extractor, warm, args.batch_size)

    runs: dict[str, list[float]] = {"bare_shipped": [], "bare_engine_pipes": [], "engine": []}
    n_quotes = 0
    for _ in range(args.repeats):
        runs["bare_shipped"].append(time_bare(shipped, texts, args.batch_size))
        runs["bare_engine_pipes"].append(time_bare(extractor.nlp, texts, args.batch_size))
        seconds, n_quotes = time_engine(extractor, texts, args.batch_size)
        runs["engine"].append(seconds)

    rate = {k: len(texts) / min(v) for k, v in runs.items()}
    ratio_shipped = rate["engine"] / rate["bare_shipped"]
    ratio_same = rate["engine"] / rate["bare_engine_pipes"]
    print(f"quote extraction throughput: {len(texts)} PolNeAR articles, {chars:,} chars, "
          f"batch {args.batch_size}, best of {args.repeats}")
    print(f"{'run':28} {'pipes':52} {'articles/s':>10}")
    print(f"{'bare nlp.pipe (shipped)':28} {','.join(shipped.pipe_names):52} "
          f"{rate['bare_shipped']:10.2f}")
    print(f"{'bare nlp.pipe (engine pipes)':28} {','.join(extractor.nlp.pipe_names)[:52]:52} "
          f"{rate['bare_engine_pipes']:10.2f}")
    print(f"{'engine extract_many':28} {'(engine pipes + passes)':52} {rate['engine']:10.2f}")
    print(f"engine / bare (shipped) = {ratio_shipped:.2f}   "
          f"engine / bare (engine pipes) = {ratio_same:.2f}   quotes found: {n_quotes}")
    print(json.dumps({
        "bench": "extraction", "articles": len(texts), "chars": chars,
        "batch_size": args.batch_size, "repeats": args.repeats, "quotes": n_quotes,
        "bare_shipped_articles_per_s": round(rate["bare_shipped"], 3),
        "bare_engine_pipes_articles_per_s": round(rate["bare_engine_pipes"], 3),
        "engine_articles_per_s": round(rate["engine"], 3),
        "ratio_vs_bare_shipped": round(ratio_shipped, 3),
        "ratio_vs_bare_engine_pipes": round(ratio_same, 3),
        "shipped_pipes": shipped.pipe_names, "engine_pipes": extractor.nlp.pipe_names,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())

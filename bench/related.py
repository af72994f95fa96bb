"""Bench: related-claims lookup at scale: shared ANN index vs exact brute force, app path.

Usage (from the repo root; the machine is shared, so run it with nice):
    nice python bench/related.py [--sizes 100000 1000000] [--db sqlite postgresql] [--ef 64 256] [--no-adds]
                                 [--queries 300] [--worker-lookups 1000]

For each size n:
- vectors: real all-MiniLM-L6-v2 vectors of the first 10,000 CLEF-2020 verified claims
  (../shared/eval/claimmatch_vclaims.jsonl, cached in .cache), and n - 10,000 synthetic
  ones made from them (:func:`synthetic_claims`): each starts at a real claim, moves a
  random part of the way (0-50%) towards one of its 10 nearest real neighbours, and gets
  Gaussian noise shaped by the real vectors' covariance (so it stays in the directions
  MiniLM uses), then is normalised to unit length like every MiniLM vector. The noise
  scale is set so that 10,000 synthetic vectors have the same median nearest-neighbour
  cosine as the 10,000 real ones. Their texts are the anchor claim's words with a quarter
  dropped and two of the neighbour's words added, so words and vectors agree.
  ``--real 3000 --sizes 300000`` has a million's density (100 synthetic claims per real
  one) at under a third of the cost: a cheap stand-in for 1M when tuning the index.
- the index is built as the app builds it (AnnWriter.rebuild, the app's settings): build
  time and file size; exact brute force (numpy matmul + top-k over all n vectors) and the
  index alone are timed on the same random stored claims, recall@10 of the index against
  exact; add throughput: 5,000+ claims added in batches of 50 as ingests do, including
  the compaction they trigger (journal appends alone are reported too);
- for each database: a desk database holding the n claims and their vectors is filled
  (migrations, full-text triggers / generated columns included), then the app path
  (``related.related_claims`` in a request context: stored vector, index, full-text
  query, fusion, loading the claims shown) is timed, and a separate "web worker" process
  does 1,000 lookups; its private (unshared) memory growth is reported, the index
  files' clean file-backed pages excepted (page cache every worker shares).
Prints a table; the last line is one JSON object (``{"sizes": [...]}``).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The shared evaluation data sits beside the checkout (../shared/eval), or beside the
# folder of work trees.
SHARED_EVAL = next((p / "shared" / "eval" for p in ROOT.parents[:2] if (p / "shared" / "eval").is_dir()),
                   ROOT.parent / "shared" / "eval")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--db", nargs="*", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"],
                        help="databases for the app path (none: the index alone)")
    parser.add_argument("--ef", type=int, nargs="*", default=[], metavar="EF",
                        help="also search the built index at these HNSW search depths (CLAIMDESK_ANN_EF): "
                             "recall@10 and latency per depth")
    parser.add_argument("--no-adds", action="store_true", help="skip the add-throughput step")
    parser.add_argument("--queries", type=int, default=300, help="timed lookups per size and path")
    parser.add_argument("--worker-lookups", type=int, default=1000)
    parser.add_argument("--real", type=int, default=10_000, help="real MiniLM vectors")
    parser.add_argument("--adds", type=int, default=0, help="claims added for the add throughput "
                        "(default: the journal size that triggers one compaction, plus 500)")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/cd_ann_bench"))
    parser.add_argument("--workdir", default=str(ROOT / "bench" / "out" / "related"))
    parser.add_argument("--corpus", default=str(SHARED_EVAL / "claimmatch_vclaims.jsonl"))
    parser.add_argument("--keep", action="store_true", help="keep the databases and index files")
    parser.add_argument("--crossover", type=int, nargs="*", default=None, metavar="N",
                        help="only time the flat (exact) base against HNSW at these sizes "
                             "(where CLAIMDESK_ANN_EXACT_BELOW should sit)")
    parser.add_argument("--worker", nargs=3, metavar=("DB_URL", "ANN_DIR", "N"), help=argparse.SUPPRESS)
    return parser.parse_args(argv)


ARGS = parse_args()
os.environ["OPENBLAS_NUM_THREADS"] = "1"  # as the app serves (make run)
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
sys.path.insert(0, str(ROOT))

import json  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from datetime import datetime  # noqa: E402

import numpy as np  # noqa: E402

PER_ARTICLE = 100
MODEL = "all-MiniLM-L6-v2"


def p95(samples_s: list[float]) -> float:
    return round(float(np.percentile(np.array(samples_s) * 1000.0, 95)), 3)


def p50(samples_s: list[float]) -> float:
    return round(float(np.percentile(np.array(samples_s) * 1000.0, 50)), 3)


# --- data ------------------------------------------------------------------------------


def real_claims(count: int) -> tuple[list[str], np.ndarray]:
    from app.similarity import get_embedder

    with open(ARGS.corpus, encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in f if line.strip()][:count]
    vectors = get_embedder(MODEL).encode(texts, cache_dir=os.environ.get("CLAIMDESK_CACHE_DIR") or ROOT / ".cache")
    return texts, vectors


def median_nn_cosine(vectors: np.ndarray, rng: np.random.Generator, probes: int = 2000) -> float:
    picked = rng.choice(vectors.shape[0], min(probes, vectors.shape[0]), replace=False)
    sims = vectors[picked] @ vectors.T
    sims[np.arange(picked.size), picked] = -1.0
    return float(np.median(sims.max(axis=1)))


class SyntheticClaims:
    """Synthetic claims around real ones (see the module docstring)."""

    def __init__(self, texts: list[str], vectors: np.ndarray, rng: np.random.Generator, neighbours: int = 10):
        self.texts, self.vectors, self.rng = texts, vectors.astype(np.float32), rng
        centred = self.vectors - self.vectors.mean(axis=0)
        values, axes = np.linalg.eigh(np.cov(centred.T))
        self.shape = (axes * np.sqrt(np.clip(values, 0, None))).astype(np.float32)  # covariance = S S^T
        sims = self.vectors @ self.vectors.T
        np.fill_diagonal(sims, -1.0)
        self.near = np.argpartition(-sims, neighbours, axis=1)[:, :neighbours]
        self.words = [t.split() for t in texts]
        self.sigma = self._calibrate(median_nn_cosine(self.vectors, rng))

    def _make(self, count: int, sigma: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        anchors = rng.integers(0, self.vectors.shape[0], count)
        partners = self.near[anchors, rng.integers(0, self.near.shape[1], count)]
        alpha = rng.uniform(0.5, 1.0, count).astype(np.float32)[:, None]
        noise = rng.standard_normal((count, self.vectors.shape[1])).astype(np.float32) @ self.shape.T
        out = alpha * self.vectors[anchors] + (1 - alpha) * self.vectors[partners] + sigma * noise
        return out / np.linalg.norm(out, axis=1, keepdims=True), anchors, partners

    def _calibrate(self, target: float) -> float:
        low, high = 0.05, 3.0
        for _ in range(12):
            sigma = (low + high) / 2
            made, _a, _p = self._make(self.vectors.shape[0], sigma, np.random.default_rng(7))
            if median_nn_cosine(made, np.random.default_rng(8)) > target:
                low = sigma
            else:
                high = sigma
        return (low + high) / 2

    def make(self, count: int) -> tuple[list[str], np.ndarray]:
        vectors = np.empty((count, self.vectors.shape[1]), dtype=np.float32)
        texts: list[str] = []
        for lo in range(0, count, 50_000):
            size = min(50_000, count - lo)
            part, anchors, partners = self._make(size, self.sigma, self.rng)
            vectors[lo:lo + size] = part
            keep = self.rng.random((size, 64)) > 0.25
            for row, (a, b) in enumerate(zip(anchors.tolist(), partners.tolist())):
                words = [w for w, k in zip(self.words[a], keep[row]) if k] or self.words[a][:1]
                extra = self.words[b]
                words += [extra[int(self.rng.integers(0, len(extra)))] for _ in range(2)] if extra else []
                texts.append(" ".join(words))
        return texts, vectors


# --- the index ---------------------------------------------------------------------------


def app_settings():
    from app import create_app
    from app.related import index

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return index.settings(app), app.config


def build_index(ann_dir: Path, vectors: np.ndarray, settings) -> dict:
    from app.similarity.ann import AnnWriter, read_current

    shutil.rmtree(ann_dir, ignore_errors=True)
    writer = AnnWriter(ann_dir, model=MODEL, dim=vectors.shape[1], settings=settings, background=False)
    ids = np.arange(1, vectors.shape[0] + 1, dtype=np.int64)
    started = time.perf_counter()
    writer.rebuild(lambda: [(ids, vectors)])
    build_s = time.perf_counter() - started
    size = sum(p.stat().st_size for p in ann_dir.iterdir() if p.is_file() and p.name.startswith("g"))
    shards = json.loads((ann_dir / f"{read_current(ann_dir)}.json").read_text()).get("shards", 1)
    return {"build_s": round(build_s, 1), "file_mb": round(size / 2**20, 1), "shards": shards}


def time_search(ann_dir: Path, vectors: np.ndarray, picks: np.ndarray, k: int = 10,
                ef: int | None = None) -> dict:
    from app.similarity.ann import AnnReader

    reader = AnnReader(ann_dir, model=MODEL, expansion_search=ef)
    reader.refresh()
    exact, ann, hits = [], [], 0
    for i in range(-20, len(picks)):
        row = int(picks[i % len(picks)])
        query = vectors[row]
        t0 = time.perf_counter()
        scores = vectors @ query
        top = np.argpartition(-scores, k + 1)[: k + 1]
        top = top[np.argsort(-scores[top])]
        truth = [int(j) + 1 for j in top if j != row][:k]
        t1 = time.perf_counter()
        got = reader.search(query, k, exclude={row + 1})
        t2 = time.perf_counter()
        if i >= 0:
            exact.append(t1 - t0)
            ann.append(t2 - t1)
            hits += len({key for key, _ in got} & set(truth))
    return {"exact": {"p50_ms": p50(exact), "p95_ms": p95(exact)},
            "ann": {"p50_ms": p50(ann), "p95_ms": p95(ann), "recall_at_10": round(hits / (k * len(picks)), 4),
                    "exact_base": reader.exact}}


def time_adds(ann_dir: Path, vectors: np.ndarray, settings, rng: np.random.Generator) -> dict:
    """Add claims in batches of 50 (as ingests do) until one compaction has run."""
    from app.similarity.ann import AnnWriter

    work = ann_dir.with_name(ann_dir.name + "-adds")
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(ann_dir, work)
    writer = AnnWriter(work, model=MODEL, dim=vectors.shape[1], settings=settings, background=True)
    count = ARGS.adds or settings.journal_max + 500
    new = vectors[rng.integers(0, vectors.shape[0], count)]
    first = vectors.shape[0] + 1
    appends = 0.0
    started = time.perf_counter()
    for lo in range(0, count, 50):
        t0 = time.perf_counter()
        writer.add(range(first + lo, first + min(count, lo + 50)), new[lo:lo + 50])
        appends += time.perf_counter() - t0
    writer.wait()
    elapsed = time.perf_counter() - started
    shutil.rmtree(work, ignore_errors=True)
    return {"adds_per_s": round(count / elapsed, 1), "journal_adds_per_s": round(count / appends, 1),
            "adds": count}


# --- a desk database -------------------------------------------------------------------------


def fill_database(db_name: str, texts: list[str], vectors: np.ndarray, ann_dir: Path, workdir: Path) -> str:
    """A migrated desk database holding the claims and their vectors; its URL."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db

    n = len(texts)
    if db_name == "sqlite":
        path = workdir / f"related-{n}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        url = ARGS.pg_url
        ensure_postgresql_database(url)
        engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
        engine.dispose()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "CLAIMDESK_ANN_DIR": str(ann_dir.parent)})
    now = datetime(2026, 1, 1)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        articles = n // PER_ARTICLE + 1
        if db_name == "postgresql":
            _fill_postgresql(url, texts, vectors, articles, now)
        else:
            _fill_sqlite(db, texts, vectors, articles, now)
        db.engine.dispose()
    return url


def ensure_postgresql_database(url: str) -> None:
    """Create the bench's own database when it is missing (never touches another)."""
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _claim_rows(texts, now):
    for i, text in enumerate(texts, start=1):
        yield (i, (i - 1) // PER_ARTICLE + 1, text, "direct", 0, 1, "new", 1, False, now, now)


CLAIM_COLUMNS = ("id", "article_id", "content", "kind", "start", "end", "status", "version", "edited",
                 "created_at", "updated_at")


def _fill_sqlite(db, texts, vectors, articles, now) -> None:
    import sqlalchemy as sa

    from app.similarity import vector_to_bytes

    conn = db.engine.raw_connection()
    cur = conn.cursor()
    cur.execute("BEGIN")
    cur.executemany("INSERT INTO articles (id, title, text, sha256, source, ingested_at) VALUES (?, ?, 'x', ?, 'seed', ?)",
                    [(a, f"Article {a}", f"{a:064x}", now) for a in range(1, articles + 1)])
    columns = ", ".join(f'"{c}"' for c in CLAIM_COLUMNS)
    cur.executemany(f"INSERT INTO claims ({columns}) VALUES ({', '.join('?' * len(CLAIM_COLUMNS))})",
                    _claim_rows(texts, now))
    cur.executemany("INSERT INTO embeddings (owner_kind, owner_id, model, dim, text_sha1, vector, created_at) "
                    "VALUES ('claim', ?, ?, ?, '-', ?, ?)",
                    ((i, MODEL, vectors.shape[1], vector_to_bytes(v), now) for i, v in enumerate(vectors, start=1)))
    cur.execute("COMMIT")
    cur.execute("ANALYZE")
    conn.close()
    del sa


def _fill_postgresql(url, texts, vectors, articles, now) -> None:
    import psycopg

    from app.similarity import vector_to_bytes

    with psycopg.connect(url, autocommit=True) as conn:
        with conn.cursor() as cur:
            with cur.copy("COPY articles (id, title, text, sha256, source, ingested_at) FROM STDIN") as copy:
                for a in range(1, articles + 1):
                    copy.write_row((a, f"Article {a}", "x", f"{a:064x}", "seed", now))
            columns = ", ".join(f'"{c}"' for c in CLAIM_COLUMNS)
            with cur.copy(f"COPY claims ({columns}) FROM STDIN") as copy:
                for row in _claim_rows(texts, now):
                    copy.write_row(row)
            with cur.copy("COPY embeddings (owner_kind, owner_id, model, dim, text_sha1, vector, created_at) "
                          "FROM STDIN") as copy:
                for i, v in enumerate(vectors, start=1):
                    copy.write_row(("claim", i, MODEL, vectors.shape[1], "-", vector_to_bytes(v), now))
            for table in ("articles", "claims", "embeddings"):
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
            cur.execute("VACUUM ANALYZE claims")
            cur.execute("VACUUM ANALYZE embeddings")


def app_for(url: str, ann_root: Path):
    from app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "CLAIMDESK_ANN_DIR": str(ann_root)})


def time_app_path(url: str, ann_root: Path, n: int, picks: np.ndarray) -> dict:
    from app import related
    from app.extensions import db
    from app.models import Claim

    app = app_for(url, ann_root)
    samples = []
    with app.app_context():
        for i in range(-20, len(picks)):
            claim_id = int(picks[i % len(picks)]) + 1
            with app.test_request_context():
                claim = db.session.get(Claim, claim_id)
                t0 = time.perf_counter()
                related.related_claims(claim, k=5)
                if i >= 0:
                    samples.append(time.perf_counter() - t0)
                db.session.remove()
        db.engine.dispose()
    return {"p50_ms": p50(samples), "p95_ms": p95(samples)}


# --- one web worker's memory ------------------------------------------------------------------

_HEADER = re.compile(r"^[0-9a-f]+-[0-9a-f]+ ")


def private_kb(index_files: tuple[str, ...]) -> dict:
    """Private memory of this process (kB), and the index files' clean file-backed pages."""
    private = index_clean = index_rss = 0
    current = ""
    with open("/proc/self/smaps") as f:
        for line in f:
            if _HEADER.match(line):
                current = line
                continue
            field, _, rest = line.partition(":")
            if field not in ("Private_Clean", "Private_Dirty", "Rss"):
                continue
            kb = int(rest.split()[0])
            in_index = any(name in current for name in index_files)
            if field == "Rss":
                index_rss += kb if in_index else 0
                continue
            if in_index and field == "Private_Clean":
                index_clean += kb
            else:
                private += kb
    return {"private": private, "index_clean": index_clean, "index_rss": index_rss}


def worker_main(url: str, ann_root: str, n: int) -> None:
    """A web worker: the app, 1,000 related-claims lookups; prints its memory as JSON."""
    from app import related
    from app.extensions import db
    from app.models import Claim

    app = app_for(url, Path(ann_root))
    rng = np.random.default_rng(5)
    with app.app_context():
        with app.test_request_context():  # warm up the app and the database connection, no index yet
            db.session.get(Claim, 1)
            db.session.remove()
        before = private_kb((".usearch", ".npy", ".journal"))
        for claim_id in rng.integers(1, n + 1, ARGS.worker_lookups).tolist():
            with app.test_request_context():
                related.related_claims(db.session.get(Claim, claim_id), k=5)
                db.session.remove()
        after = private_kb((".usearch", ".npy", ".journal"))
    print(json.dumps({"private_mb": round((after["private"] - before["private"]) / 1024, 1),
                      "index_file_pages_mb": round(after["index_rss"] / 1024, 1)}))


def worker_memory(url: str, ann_root: Path, n: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--worker-lookups", str(ARGS.worker_lookups),
                          "--worker", url, str(ann_root), str(n)],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- main ---------------------------------------------------------------------------------------


def crossover(synthetic: "SyntheticClaims", real_vectors: np.ndarray, settings) -> None:
    """Index-alone lookups on a flat (exact) base and on HNSW, at each size, same queries."""
    from dataclasses import replace

    rows = []
    workdir = Path(ARGS.workdir) / "crossover"
    for n in ARGS.crossover:
        _texts, extra = synthetic.make(max(0, n - real_vectors.shape[0]))
        vectors = np.concatenate([real_vectors, extra])[:n]
        picks = np.random.default_rng(n).integers(0, n, ARGS.queries)
        row = {"n": n}
        for base, exact_below in (("flat", n + 1), ("hnsw", 1)):
            ann_dir = workdir / f"{base}-{n}"
            built = build_index(ann_dir, vectors, replace(settings, exact_below=exact_below))
            searched = time_search(ann_dir, vectors, picks)
            row[base] = {**searched["ann"], "build_s": built["build_s"]}
            shutil.rmtree(ann_dir, ignore_errors=True)
        rows.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
    print(f"{'n':>8} | {'flat p50':>8} | {'flat p95':>8} | {'hnsw p50':>8} | {'hnsw p95':>8} | {'recall@10':>9} | {'hnsw build s':>12}")
    for r in rows:
        print(f"{r['n']:>8} | {r['flat']['p50_ms']:>8.2f} | {r['flat']['p95_ms']:>8.2f} | {r['hnsw']['p50_ms']:>8.2f} | "
              f"{r['hnsw']['p95_ms']:>8.2f} | {r['hnsw']['recall_at_10']:>9.4f} | {r['hnsw']['build_s']:>12.1f}")
    print(json.dumps({"crossover": rows, "loadavg_1m": round(os.getloadavg()[0], 2)}))


def main() -> None:
    if ARGS.worker:
        worker_main(ARGS.worker[0], ARGS.worker[1], int(ARGS.worker[2]))
        return
    workdir = Path(ARGS.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    settings, config = app_settings()
    real_texts, real_vectors = real_claims(ARGS.real)
    synthetic = SyntheticClaims(real_texts, real_vectors, np.random.default_rng(1))
    if ARGS.crossover:
        crossover(synthetic, real_vectors, settings)
        return
    from app.related import index as app_index

    results = {"cpus": os.cpu_count(), "loadavg_1m_at_start": round(os.getloadavg()[0], 2),
               "settings": {"exact_below": settings.exact_below, "journal_max": settings.journal_max,
                            "sample": settings.sample_size, "ef": settings.expansion_search,
                            "connectivity": settings.connectivity, "expansion_add": settings.expansion_add,
                            "dtype": settings.dtype, "shard_size": settings.shard_size,
                            "lexical_budget": config["CLAIMDESK_LEXICAL_BUDGET"]},
               "synthetic_sigma": round(synthetic.sigma, 4),
               "real_median_nn_cosine": round(median_nn_cosine(real_vectors, np.random.default_rng(3)), 4),
               "sizes": [], "index": []}
    for n in ARGS.sizes:
        extra_texts, extra_vectors = synthetic.make(max(0, n - len(real_texts)))
        texts = (real_texts + extra_texts)[:n]
        vectors = np.concatenate([real_vectors, extra_vectors])[:n]
        del extra_vectors
        ann_root = workdir / f"ann-{n}"
        ann_dir = ann_root / app_index.directory("claim", MODEL, app=_FakeApp(ann_root)).name
        print(f"n={n}: building the index ...", file=sys.stderr, flush=True)
        built = build_index(ann_dir, vectors, settings)
        picks = rng.integers(0, n, ARGS.queries)
        searched = time_search(ann_dir, vectors, picks)
        print(f"n={n}: {built} {searched}; adds ...", file=sys.stderr, flush=True)
        sweep = [{"ef": ef, **time_search(ann_dir, vectors, picks, ef=ef)["ann"]} for ef in ARGS.ef]
        for row in sweep:
            print(f"n={n}: ef={row['ef']}: {row}", file=sys.stderr, flush=True)
        results["index"].append({"n": n, **built, "exact": searched["exact"], "ann": searched["ann"],
                                 "ef_sweep": sweep})
        adds = {"adds_per_s": None, "journal_adds_per_s": None} if ARGS.no_adds else \
            time_adds(ann_dir, vectors, settings, rng)
        for db_name in ARGS.db:
            print(f"n={n}: filling {db_name} ...", file=sys.stderr, flush=True)
            started = time.perf_counter()
            url = fill_database(db_name, texts, vectors, ann_dir, workdir)
            fill_s = time.perf_counter() - started
            app = time_app_path(url, ann_root, n, picks)
            memory = worker_memory(url, ann_root, n)
            entry = {"n": n, "db": db_name, "exact": searched["exact"], "ann": searched["ann"], "app": app,
                     "worker_private_mb": memory["private_mb"], "worker_index_pages_mb": memory["index_file_pages_mb"],
                     "build_s": built["build_s"], "shards": built["shards"], "adds_per_s": adds["adds_per_s"],
                     "journal_adds_per_s": adds["journal_adds_per_s"], "file_mb": built["file_mb"],
                     "db_fill_s": round(fill_s, 1)}
            results["sizes"].append(entry)
            print(json.dumps(entry), file=sys.stderr, flush=True)
            if db_name == "sqlite" and not ARGS.keep:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{workdir}/related-{n}.db{suffix}").unlink(missing_ok=True)
        del vectors, texts
        if not ARGS.keep:
            shutil.rmtree(ann_root, ignore_errors=True)
    results["loadavg_1m_at_end"] = round(os.getloadavg()[0], 2)
    print_table(results)
    print(json.dumps(results))


class _FakeApp:
    """Just enough of a Flask app for ``index.directory`` (its config and instance path)."""

    def __init__(self, ann_root: Path):
        self.config = {"CLAIMDESK_ANN_DIR": str(ann_root)}
        self.instance_path = str(ann_root)


def print_table(results: dict) -> None:
    s = results["settings"]
    print(f"related-claims lookup, k=10 (app: k=5), {ARGS.queries} lookups; HNSW M={s['connectivity']} "
          f"efC={s['expansion_add']} ef={s['ef']} {s['dtype']}, shards of {s['shard_size']}; exact below {s['exact_below']}; "
          f"synthetic noise sigma {results['synthetic_sigma']} (real median NN cosine {results['real_median_nn_cosine']})")
    head = (f"{'n':>8} | {'db':<10} | {'exact p95':>9} | {'ann p95':>7} | {'recall@10':>9} | {'app p95':>7} | "
            f"{'worker MB':>9} | {'build s':>7} | {'adds/s':>7} | {'file MB':>7}")
    print(head)
    print("-" * len(head))
    for r in results["sizes"]:
        print(f"{r['n']:>8} | {r['db']:<10} | {r['exact']['p95_ms']:>9.2f} | {r['ann']['p95_ms']:>7.2f} | "
              f"{r['ann']['recall_at_10']:>9.4f} | {r['app']['p95_ms']:>7.2f} | {r['worker_private_mb']:>9.1f} | "
              f"{r['build_s']:>7.1f} | {r['adds_per_s']:>7.1f} | {r['file_mb']:>7.1f}")
    for r in results["index"]:
        for row in r["ef_sweep"]:
            print(f"n={r['n']}: index alone at ef={row['ef']}: p50 {row['p50_ms']:.2f}, p95 {row['p95_ms']:.2f}, "
                  f"recall@10 {row['recall_at_10']:.4f} (exact p95 {r['exact']['p95_ms']:.2f})")
    print(f"milliseconds; load average (1 min) {results['loadavg_1m_at_start']} at start, "
          f"{results['loadavg_1m_at_end']} at end, on {results['cpus']} CPUs shared with other work")


if __name__ == "__main__":
    main()

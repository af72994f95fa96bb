"""Bench: CSV export throughput and peak memory, next to a bare csv.writer over the same rows.

Usage (from the repo root):
    python bench/export.py [--claims 100000] [--batch-size 1000] [--database-url URL] [--keep]

Fills a throwaway SQLite database (or the empty database at ``--database-url``) with
``--claims`` claims by bulk inserts: speakers (some non-Latin, some hostile), articles,
evidence links and verdicts for the claims in review or approved. Then, each in a fresh
process so that the memory figures are its own:

* ``claimdesk``: the streamed export (``app.export.csv_export.csv_chunks``) of every claim
  to a file, as the queue, the API and ``flask export-csv`` run it;
* ``bare``: the same rows, already read into a list (untimed), written by a bare
  ``csv.writer`` to a file: the ceiling for writing alone, and what holding every row costs.

Memory is the peak resident set size (VmHWM, reset after warming up) above the resident
size just before the export starts. Target: >= 20,000 rows/s and < 50 MB above baseline.
Prints a table; the last line is one JSON object with every figure.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_ROWS_PER_S = 20_000
TARGET_PEAK_MB = 50
MB = 1024 * 1024


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--database-url", help="an EMPTY database to fill (default: a throwaway SQLite file)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each path; the median run is shown")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--measure", choices=["claimdesk", "bare"], help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# --- memory ----------------------------------------------------------------------------------

def status_kb(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0); False when the kernel refuses."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


# --- fill ------------------------------------------------------------------------------------

def make_app(url: str):
    from app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url})


def fill(url: str, n_claims: int, seed: int = 7) -> dict:
    """Bulk-insert ``n_claims`` claims and what hangs off them; returns counts and seconds."""
    import sqlalchemy as sa

    from app.auth.service import create_user
    from app.extensions import db
    from app.models import Article, Claim, ClaimEvidence, Evidence, Speaker, Verdict, normalise_name

    rng = random.Random(seed)
    started = time.perf_counter()
    app = make_app(url)
    with app.app_context():
        db.create_all()
        editor = create_user("editor@bench.test", name="Edith Editor", role="editor", password="benchmark")
        reviewer = create_user("reviewer@bench.test", name="Rafael Reviewer", role="reviewer", password="benchmark")

        def insert(model, rows, chunk=10_000):
            for i in range(0, len(rows), chunk):
                db.session.execute(sa.insert(model.__table__), rows[i:i + chunk])
            db.session.commit()

        n_speakers, per_article = 2000, 100
        speakers = []
        for i in range(1, n_speakers + 1):
            if i % 50 == 0:
                name = f"Олена Коваленко {i}"
            elif i % 97 == 0:
                name = f"=HYPERLINK(\"http://evil.example\",\"{i}\")"
            else:
                name = f"Speaker {i} {rng.choice(['Smith', 'Müller', 'García', 'Nakamura'])}"
            speakers.append({"id": i, "name": name, "name_key": normalise_name(name) + f" #{i}",
                             "role": rng.choice([None, "Minister of Finance", "spokesperson, \"ministry\""]),
                             "kind": rng.choice(["person", "person", "organisation"])})
        insert(Speaker, speakers)

        n_articles = max(1, -(-n_claims // per_article))
        base = datetime(2024, 1, 1)
        articles = [{"id": i, "title": f"Article {i}: \"quotes\", commas, and more", "publisher": "The Daily Bench",
                     "url": f"https://news.example.com/{i}", "published_at": base + timedelta(hours=i),
                     "text": "x", "sha256": f"{i:064x}", "source": "seed", "ingested_at": base + timedelta(hours=i)}
                    for i in range(1, n_articles + 1)]
        insert(Article, articles)

        statuses = ["new"] * 50 + ["in_progress"] * 10 + ["in_review"] * 10 + ["approved"] * 25 + ["dismissed"] * 5
        prefixes = ["", "", "", "", "=", "+", "-", "@"]
        claims, verdicts, links = [], [], []
        n_evidence = max(1, n_claims // 5)
        for i in range(1, n_claims + 1):
            status = rng.choice(statuses)
            created = base + timedelta(minutes=i)
            words = " ".join(rng.choice(["growth", "taxes", "rose", "by", "40%", "\"fell\"", "jobs,", "Україна",
                                         "in", "2023", "the", "minister", "said", "every", "inch"])
                             for _ in range(rng.randint(10, 30)))
            claims.append({"id": i, "article_id": (i - 1) // per_article + 1, "speaker_id": rng.randint(1, n_speakers),
                           "content": rng.choice(prefixes) + words, "kind": rng.choice(["direct", "indirect"]),
                           "start": 0, "end": 1, "status": status, "version": 1, "edited": False,
                           "created_at": created, "updated_at": created,
                           "dismiss_reason": "Opinion." if status == "dismissed" else None})
            if status in ("in_review", "approved"):
                for evidence_id in rng.sample(range(1, n_evidence + 1), rng.randint(1, 3)):
                    links.append({"claim_id": i, "evidence_id": evidence_id, "stance": "contradicts",
                                  "added_at": created})
                approved = status == "approved"
                verdicts.append({
                    "claim_id": i, "verdict": rng.choice(["true", "false", "misleading", "mixed", "unverifiable"]),
                    "rationale": f"The figure is for 2021, not 2023,\nsays the \"office\"; see source {i}.",
                    "state": "approved" if approved else "proposed", "proposed_by_id": editor.id,
                    "proposed_at": created + timedelta(hours=1),
                    "reviewed_by_id": reviewer.id if approved else None,
                    "reviewed_at": created + timedelta(hours=5) if approved else None,
                })
        insert(Claim, claims)
        insert(Evidence, [{"id": i, "url": f"https://stats.example.org/table/{i}", "title": f"Table {i}",
                           "created_at": base} for i in range(1, n_evidence + 1)])
        insert(ClaimEvidence, links)
        insert(Verdict, verdicts)
        db.engine.dispose()
    return {"claims": n_claims, "articles": n_articles, "speakers": n_speakers, "evidence_links": len(links),
            "verdicts": len(verdicts), "fill_s": round(time.perf_counter() - started, 2)}


# --- measure (each in its own process) ---------------------------------------------------------

def measure(mode: str, url: str, out_path: str, batch_size: int) -> dict:
    from app.export.csv_export import COLUMNS, csv_chunks, iter_row_batches
    from app.extensions import db
    from app.workflow.queries import ClaimFilters

    app = make_app(url)
    claim_url = "https://desk.example.org/claims/{}".format
    with app.app_context():
        # Warm up: imports, connection, compiled SQL, so the baseline is the working process.
        for _ in csv_chunks(ClaimFilters(status=["approved"], q="zzz-no-match"), claim_url=claim_url):
            pass
        baseline_kb = status_kb("VmRSS")
        reset_ok = reset_peak()
        if mode == "bare":  # the rows held in a list, as a bare csv.writer script would
            read_started = time.perf_counter()
            rows_in_memory = [row for batch in iter_row_batches(ClaimFilters(), claim_url=claim_url,
                                                                batch_size=batch_size) for row in batch]
            read_s = time.perf_counter() - read_started
        first_rows_s = None
        started = time.perf_counter()
        with open(out_path, "wb") as out:
            if mode == "claimdesk":
                for n, chunk in enumerate(csv_chunks(ClaimFilters(), claim_url=claim_url, batch_size=batch_size)):
                    out.write(chunk)
                    if n == 1:
                        first_rows_s = time.perf_counter() - started
            else:
                text = io.TextIOWrapper(out, encoding="utf-8", newline="")
                writer = csv.writer(text, lineterminator="\r\n")
                writer.writerow(COLUMNS)
                writer.writerows(rows_in_memory)
                text.flush()
                text.detach()
        seconds = time.perf_counter() - started
        peak_kb = status_kb("VmHWM")
        with open(out_path, newline="", encoding="utf-8") as f:
            rows = sum(1 for _ in csv.reader(f)) - 1
        db.engine.dispose()
    result = {"mode": mode, "rows": rows, "seconds": round(seconds, 3), "rows_per_s": round(rows / seconds),
              "baseline_mb": round(baseline_kb / 1024, 1), "peak_above_baseline_mb": round((peak_kb - baseline_kb) / 1024, 1),
              "peak_reset": reset_ok, "output_mb": round(os.path.getsize(out_path) / MB, 1)}
    if first_rows_s is not None:
        result["first_rows_ms"] = round(first_rows_s * 1000, 1)
    if mode == "bare":
        result["read_into_memory_s"] = round(read_s, 2)
    return result


def run_child(mode: str, url: str, out: str, batch_size: int) -> dict:
    completed = subprocess.run(
        [sys.executable, __file__, "--measure", mode, "--database-url", url, "--out", out,
         "--batch-size", str(batch_size)], capture_output=True, text=True, check=True, cwd=ROOT,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def median_run(runs: list[dict]) -> dict:
    """The run with the median rate, with every run's rate and the highest peak of all."""
    ordered = sorted(runs, key=lambda r: r["rows_per_s"])
    chosen = dict(ordered[len(ordered) // 2])
    chosen["runs_rows_per_s"] = [r["rows_per_s"] for r in runs]
    chosen["peak_above_baseline_mb_max"] = max(r["peak_above_baseline_mb"] for r in runs)
    return chosen


def main() -> None:
    args = parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.database_url, args.out, args.batch_size)))
        return
    tmp = Path(tempfile.mkdtemp(prefix="claimdesk-bench-"))
    url = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    from config import normalise_database_url

    url = normalise_database_url(url)
    load_at_start = os.getloadavg()[0]
    try:
        filled = fill(url, args.claims)
        ours = median_run([run_child("claimdesk", url, str(tmp / "claimdesk.csv"), args.batch_size)
                           for _ in range(args.repeat)])
        bare = median_run([run_child("bare", url, str(tmp / "bare.csv"), args.batch_size)
                           for _ in range(args.repeat)])
        same = (tmp / "claimdesk.csv").read_bytes() == (tmp / "bare.csv").read_bytes()
    finally:
        if not args.keep:
            for path in tmp.iterdir():
                path.unlink()
            tmp.rmdir()
    backend = url.split(":", 1)[0].split("+", 1)[0]
    print(f"CSV export of {filled['claims']:,} claims ({backend}, batch {args.batch_size}); filled in "
          f"{filled['fill_s']} s: {filled['articles']:,} articles, {filled['speakers']:,} speakers, "
          f"{filled['verdicts']:,} verdicts, {filled['evidence_links']:,} evidence links")
    print(f"{'path':<36} | {'rows/s':>8} | {'seconds':>7} | {'first rows ms':>13} | {'peak MB above base':>18} | {'output MB':>9}")
    print("-" * 106)
    bare_total_s = bare["read_into_memory_s"] + bare["seconds"]
    bare["rows_per_s_with_reading"] = round(bare["rows"] / bare_total_s)
    lines = (
        ("claimdesk export (streamed from DB)", ours["rows_per_s"], ours["seconds"], ours.get("first_rows_ms", "-"), ours),
        ("bare csv.writer, writing only", bare["rows_per_s"], bare["seconds"], "-", bare),
        ("bare csv.writer, reading + writing", bare["rows_per_s_with_reading"], bare_total_s,
         round(bare_total_s * 1000, 1), bare),
    )
    for label, rate, seconds, first, r in lines:
        print(f"{label:<36} | {rate:>8,} | {seconds:>7.2f} | {first:>13} | "
              f"{r['peak_above_baseline_mb']:>18.1f} | {r['output_mb']:>9.1f}")
    print(f"(median of {args.repeat} runs, each in a fresh process; claimdesk runs {ours['runs_rows_per_s']} rows/s, "
          f"highest peak {ours['peak_above_baseline_mb_max']} MB. Bare: every row read into a list first, then one "
          f"writerows. Baseline RSS {ours['baseline_mb']} MB; identical output: {same}; load average "
          f"{load_at_start:.1f} -> {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    ok_speed = ours["rows_per_s"] >= TARGET_ROWS_PER_S
    ok_memory = ours["peak_above_baseline_mb_max"] < TARGET_PEAK_MB
    print(f"target >= {TARGET_ROWS_PER_S:,} rows/s: {'met' if ok_speed else 'MISSED'}; "
          f"< {TARGET_PEAK_MB} MB above baseline: {'met' if ok_memory else 'MISSED'}")
    print(json.dumps({"bench": "export", "backend": backend, "batch_size": args.batch_size, **filled,
                      "claimdesk": ours, "bare_csv_writer": bare, "identical_output": same,
                      "repeat": args.repeat, "cpus": os.cpu_count(), "loadavg_1m_at_start": round(load_at_start, 2),
                      "loadavg_1m_at_end": round(os.getloadavg()[0], 2),
                      "target_rows_per_s_met": ok_speed, "target_peak_mb_met": ok_memory}))


if __name__ == "__main__":
    main()

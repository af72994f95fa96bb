"""Summarise a bench/load.sh run: wrk's client-side figures and the server's own timings.

Usage: python bench/load_report.py OUT_DIR [--workers 2 --threads 4 --connections 8 --duration 60]

Reads OUT_DIR/<endpoint>.wrk.txt (the WRK_JSON line of bench/wrk_stats.lua) and
OUT_DIR/<endpoint>.access.log (gunicorn: ``path status microseconds``) for the endpoints
queue, claim and api. Prints a table, then as its LAST line one JSON object of the figures.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
from pathlib import Path

ENDPOINTS = {  # name -> (what wrk asked for, path prefix in the access log)
    "queue": ("GET /queue (session)", "/queue"),
    "claim": ("GET /claims/<random id> (session)", "/claims/"),
    "api": ("GET /api/v1/claims (token)", "/api/v1/claims"),
}
TARGETS = {"errors": 0, "queue_server_p95_ms": 50.0, "p99_ms": 250.0}


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile of ``values`` (already sorted)."""
    if not values:
        return float("nan")
    rank = max(1, min(len(values), round(p / 100 * len(values) + 0.5)))
    return values[rank - 1]


def wrk_figures(path: Path) -> dict:
    for line in path.read_text().splitlines():
        if line.startswith("WRK_JSON "):
            return json.loads(line[len("WRK_JSON "):])
    raise SystemExit(f"{path}: no WRK_JSON line (did wrk run with bench/wrk_stats.lua?)")


def server_figures(path: Path, prefix: str) -> dict:
    times_ms, statuses = [], {}
    for line in path.read_text().splitlines():
        parts = line.split()
        if len(parts) != 3 or not parts[0].startswith(prefix):
            continue
        statuses[parts[1]] = statuses.get(parts[1], 0) + 1
        times_ms.append(int(parts[2]) / 1000)
    times_ms.sort()
    return {
        "requests": len(times_ms),
        "p50_ms": round(percentile(times_ms, 50), 2), "p95_ms": round(percentile(times_ms, 95), 2),
        "p99_ms": round(percentile(times_ms, 99), 2),
        "statuses": statuses,
        "server_errors": sum(n for code, n in statuses.items() if code.startswith("5")),
    }


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    try:
        pg = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", "SHOW server_version"],
                            capture_output=True, text=True, timeout=10).stdout.strip()
    except OSError:
        pg = "?"
    return {"cpus": os.cpu_count(), "cpu": cpu, "memory_gb": round(mem_kb / 1024 / 1024, 1),
            "kernel": platform.release(), "postgresql": pg, "python": platform.python_version()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--duration", type=int, default=60)
    args = parser.parse_args()

    fill = json.loads((args.out / "fill.json").read_text())
    results = {}
    for name, (what, prefix) in ENDPOINTS.items():
        client = wrk_figures(args.out / f"{name}.wrk.txt")
        server = server_figures(args.out / f"{name}.access.log", prefix)
        seconds = client["duration_us"] / 1e6
        errors = (client["connect_errors"] + client["read_errors"] + client["write_errors"] + client["timeouts"]
                  + client["non_2xx_3xx"])
        results[name] = {
            "what": what,
            "requests": client["requests"],
            "rps": round(client["requests"] / seconds, 1),
            "p50_ms": round(client["p50_us"] / 1000, 2), "p95_ms": round(client["p95_us"] / 1000, 2),
            "p99_ms": round(client["p99_us"] / 1000, 2), "max_ms": round(client["max_us"] / 1000, 1),
            "errors": errors,
            "server": server,
            "load_before": (args.out / f"{name}.load").read_text().strip(),
        }

    total_errors = sum(r["errors"] + r["server"]["server_errors"] for r in results.values())
    verdicts = {
        "zero_errors": total_errors == TARGETS["errors"],
        "queue_server_p95_le_50ms": results["queue"]["server"]["p95_ms"] <= TARGETS["queue_server_p95_ms"],
        "p99_le_250ms": {name: r["p99_ms"] <= TARGETS["p99_ms"] for name, r in results.items()},
    }
    box = machine()

    print(f"Claimdesk load bench: {fill['claims']:,} claims in {fill['articles']:,} articles, gunicorn "
          f"{args.workers} workers x {args.threads} threads, wrk {args.connections} connections x {args.duration} s")
    print(f"Machine: {box['cpus']} CPUs ({box['cpu']}), {box['memory_gb']} GB, PostgreSQL {box['postgresql']}")
    print()
    header = (f"{'endpoint':<36} {'req/s':>7} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7} {'errors':>6} | "
              f"{'srv p50':>7} {'srv p95':>7} {'srv p99':>7} | load before")
    print(header)
    print("-" * len(header))
    for r in results.values():
        s = r["server"]
        print(f"{r['what']:<36} {r['rps']:>7.1f} {r['p50_ms']:>7.1f} {r['p95_ms']:>7.1f} {r['p99_ms']:>7.1f} "
              f"{r['max_ms']:>7.0f} {r['errors'] + s['server_errors']:>6} | {s['p50_ms']:>7.1f} {s['p95_ms']:>7.1f} "
              f"{s['p99_ms']:>7.1f} | {r['load_before']}")
    print("(ms; p50-p99 and errors from wrk, srv = server-side from the gunicorn access log)")
    print()
    print(f"Targets: 0 errors: {'met' if verdicts['zero_errors'] else 'MISSED'}; queue server p95 <= 50 ms: "
          f"{'met' if verdicts['queue_server_p95_le_50ms'] else 'MISSED'}; p99 <= 250 ms: "
          + ", ".join(f"{k} {'met' if v else 'MISSED'}" for k, v in verdicts["p99_le_250ms"].items()))
    print(json.dumps({
        "bench": "load", "claims": fill["claims"], "articles": fill["articles"], "workers": args.workers,
        "threads": args.threads, "connections": args.connections, "duration_s": args.duration,
        "machine": box, "endpoints": results, "targets": verdicts,
    }))


if __name__ == "__main__":
    main()

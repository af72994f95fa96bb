"""EXPLAIN ANALYZE the queue's queries (count and first page) on PostgreSQL.

Usage (DATABASE_URL pointing at a filled bench database, e.g. after bench/load.sh):
    python bench/queue_plans.py [--verbose]

For each queue filter the desk offers, runs the exact SQL app/workflow/queries.py builds
(the count(*) and one page of 50) under EXPLAIN (ANALYZE, BUFFERS), and prints the
execution times and the plan's top node. The last line is one JSON object of the times.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

CASES = {
    "queue (newest)": {},
    "open statuses": {"status": "new,in_progress,in_review"},
    "my claims": {"assignee": "me", "status": "new,in_progress,in_review"},
    "waiting for my review": {"review": "me"},
    "search 'harbour fund'": {"q": "harbour fund"},
    "search 'berg'": {"q": "berg"},
    "speaker 'lund'": {"speaker": "lund"},
    "recently updated": {"sort": "updated"},
    "status approved, by speaker": {"status": "approved", "sort": "speaker"},
}


def explain(session, stmt) -> tuple[float, list[str]]:
    import sqlalchemy as sa

    sql = str(stmt.compile(dialect=session.get_bind().dialect, compile_kwargs={"literal_binds": True}))
    lines = [row[0] for row in session.execute(sa.text("EXPLAIN (ANALYZE, BUFFERS) " + sql))]
    ms = next(float(line.split(":")[1].split()[0]) for line in lines if line.startswith("Execution Time"))
    return ms, lines


def scans(plan: list[str]) -> str:
    """How a plan reads claims: "Seq Scan", "Index Scan using ix_...", "Bitmap Index Scan on ..."."""
    found = []
    for line in plan:
        node = line.strip().lstrip("-> ").split("  (")[0]
        if "Scan" in node and ("claims" in node or "ix_claims" in node or "pk_claims" in node):
            node = node.replace(" on claims", "").replace("Parallel ", "par. ")
            if node not in found:
                found.append(node)
    return ", ".join(found) or "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="print whole plans")
    args = parser.parse_args()

    import sqlalchemy as sa

    from app import create_app
    from app.extensions import db
    from app.models import Claim, Speaker, User
    from app.workflow.queries import ClaimFilters, apply_filters, claims_select

    app = create_app()
    figures = {}
    with app.app_context():
        user_id = db.session.scalar(sa.select(User.id).where(User.email == "desk3@claimdesk.local")) or 1
        claims = db.session.scalar(sa.select(sa.func.count(Claim.id)))
        print(f"{claims:,} claims; times in ms (EXPLAIN ANALYZE, warm cache)\n")
        print(f"{'filter':<30} {'count(*)':>9} {'page 1':>8}  plan of the count / of the page")
        for name, query in CASES.items():
            filters = ClaimFilters.from_args(query, current_user_id=user_id)
            count_stmt = apply_filters(
                sa.select(sa.func.count(Claim.id)).select_from(Claim).outerjoin(Speaker, Claim.speaker_id == Speaker.id),
                filters)
            page_stmt = claims_select(filters).limit(50)
            explain(db.session, count_stmt)  # warm the cache once
            count_ms, count_plan = explain(db.session, count_stmt)
            page_ms, page_plan = explain(db.session, page_stmt)
            figures[name] = {"count_ms": count_ms, "page_ms": page_ms}
            print(f"{name:<30} {count_ms:>9.1f} {page_ms:>8.1f}  {scans(count_plan)} / {scans(page_plan)}")
            if args.verbose:
                print("\n".join("    " + line for line in count_plan + ["    --"] + page_plan))
    print(json.dumps({"bench": "queue_plans", "claims": claims, "cases": figures}))


if __name__ == "__main__":
    main()

"""``flask --app app import-factchecks`` and ``related-factchecks``: fact-checks from other
publishers on the command line (the same service functions as the page and the API)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from app.factchecks import service


@click.command("import-factchecks")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--user", "email", default=None, help="E-mail of the user to record as importing.")
def import_factchecks_command(paths: tuple[str, ...], email: str | None) -> None:
    """Import ClaimReview JSON-LD (object, list, @graph, DataFeed), HTML pages with JSON-LD
    and CSV files (claim, rating, url, publisher, date, claimant). A known url is updated.
    Prints new / updated / unchanged / refused counts and each refused item's reason."""
    from app.cli import _user_or_exit

    user_id = _user_or_exit(email).id if email else None
    files, unreadable = [], []
    for raw in paths:
        path = Path(raw)
        try:
            files.append(service.FactCheckFile(path.name, path.read_bytes()))
        except OSError as exc:
            unreadable.append(f"{raw}: cannot be read ({exc.strerror or exc})")
    report = None
    if files:
        with click.progressbar(length=1, label="Embedding fact-checks", file=sys.stderr) as bar:
            def progress(done: int, total: int) -> None:
                bar.length = max(total, 1)
                bar.update(done - bar.pos)
            report = service.import_factchecks(files, user_id=user_id, on_progress=progress)
    for line in unreadable:
        click.echo(f"refused: {line}", err=True)
    if report is not None:
        for item in report.refused:
            click.echo(f"refused: {item.where}: {item.reason}", err=True)
        click.echo(f"{report.line()} ({report.seconds:.1f}s).")
    if unreadable or (report is not None and report.refused and not (report.new or report.updated
                                                                        or report.unchanged)):
        sys.exit(1)


@click.command("related-factchecks")
@click.option("--queries", required=True, type=click.Path(exists=True, dir_okay=False),
              help='JSONL: one {"id", "text"} per line.')
@click.option("--k", default=10, show_default=True, help="Fact-checks per query.")
@click.option("-o", "--output", default="-", show_default=True, metavar="FILE", help="Where to write; - is stdout.")
def related_factchecks_command(queries: str, k: int, output: str) -> None:
    """Rank the imported fact-checks for each query, as the claim page does; writes
    {"id", "ranked": [fact-check url, ...]} lines."""
    rows = []
    with open(queries, encoding="utf-8") as handle:
        for n, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                rows.append((row["id"], str(row["text"])))
            except (ValueError, KeyError, TypeError):
                raise click.ClickException(f"{queries} line {n}: expected a JSON object with 'id' and 'text'.")
    ranked = service.rank_many([text for _, text in rows], k=k)
    urls = service.urls_of(sorted({r.id for found in ranked for r in found}))
    out = sys.stdout if output == "-" else open(output, "w", encoding="utf-8")
    try:
        for (query_id, _text), found in zip(rows, ranked):
            out.write(json.dumps({"id": query_id, "ranked": [urls[r.id] for r in found if r.id in urls]}) + "\n")
    finally:
        if out is not sys.stdout:
            out.close()
    click.echo(f"ranked {len(rows)} queries against {service.factcheck_count()} fact-checks", err=True)

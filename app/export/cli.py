"""``flask --app app export-csv`` and ``export-corrections``: the exports from the command line."""
from __future__ import annotations

import sys
from datetime import datetime
from typing import Optional

import click

from app.export.corrections import write_corrections
from app.export.csv_export import write_csv
from app.workflow.queries import count_claims
from app.export.urls import external_url
from app.models import CLAIM_KINDS, CLAIM_STATUSES
from app.workflow.queries import SORTS, ClaimFilters


@click.command("export-csv")
@click.option("--status", "statuses", multiple=True, type=click.Choice(CLAIM_STATUSES),
              help="Only claims with this status (repeat for several).")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(CLAIM_KINDS), help="Only claims of this kind.")
@click.option("--speaker", default="", help="Only claims whose speaker's name contains NAME.", metavar="NAME")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), help="Claims extracted on or after this day.")
@click.option("--until", type=click.DateTime(formats=["%Y-%m-%d"]), help="Claims extracted on or before this day.")
@click.option("-q", "--search", default="", help="Words the claim text or speaker must contain.")
@click.option("--sort", type=click.Choice(list(SORTS)), default="newest", show_default=True)
@click.option("-o", "--output", default="-", show_default=True, metavar="FILE",
              help="Where to write the CSV; - is standard output.")
@click.option("--bom", is_flag=True, help="Start with a UTF-8 byte-order mark (for Excel).")
@click.option("--base-url", default=None, metavar="URL",
              help="Base of the claim_url and public_url columns [default: CLAIMDESK_BASE_URL or http://localhost:5000].")
def export_csv_command(statuses: tuple[str, ...], kinds: tuple[str, ...], speaker: str, since: Optional[datetime],
                       until: Optional[datetime], search: str, sort: str, output: str, bom: bool,
                       base_url: Optional[str]) -> None:
    """Export claims as CSV (the same columns and filters as the queue's "Export CSV")."""
    filters = ClaimFilters(status=list(statuses), kind=list(kinds), speaker=speaker.strip(), q=search.strip(),
                           since=since.date() if since else None, until=until.date() if until else None, sort=sort)
    try:
        claim_url = external_url("claims.show", "claim_id", base_url=base_url)
        public_url = external_url("export.fact_check", "claim_id", base_url=base_url)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--base-url") from None
    show_progress = sys.stderr.isatty() and (output != "-" or not sys.stdout.isatty())
    total = count_claims(filters)[0] if show_progress else 0
    with click.progressbar(length=total, label="Exporting", file=sys.stderr, show_pos=True,
                           hidden=not show_progress) as bar:
        # Atomic: a file is written beside the target and renamed when complete.
        with click.open_file(output, "wb", atomic=True) as out:
            written = write_csv(out, filters, claim_url=claim_url, public_url=public_url, bom=bom, on_batch=bar.update)
    where = "standard output" if output == "-" else output
    click.echo(f"Exported {written:,} claim{'' if written == 1 else 's'} to {where}.", err=True)



@click.command("export-corrections")
@click.option("-o", "--output", default="-", show_default=True, metavar="FILE",
              help="Where to write the JSONL; - is standard output.")
def export_corrections_command(output: str) -> None:
    """Export every article whose claims editors corrected, added or removed, as gold JSONL
    (the format of ../shared/eval/README_quotes.md: text + quotes with offsets and speakers)."""
    with click.open_file(output, "w", encoding="utf-8", atomic=output != "-") as out:
        articles, quotes = write_corrections(out)
    where = "standard output" if output == "-" else output
    click.echo(f"Exported {articles:,} corrected article{'' if articles == 1 else 's'} "
               f"({quotes:,} quote{'' if quotes == 1 else 's'}) to {where}.", err=True)

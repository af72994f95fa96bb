"""``flask index-copies``: band keys for articles stored before copy detection (or after a
change to app/copies/minhash.py's constants, with ``--rebuild``)."""
from __future__ import annotations

import click

from app.copies.service import index_missing


@click.command("index-copies")
@click.option("--rebuild", is_flag=True, help="Drop every stored band key and index all articles again.")
def index_copies_command(rebuild: bool) -> None:
    """Store the wire-copy index (MinHash LSH band keys) of articles that have none."""
    done = index_missing(rebuild=rebuild)
    click.echo(f"{done} article{'s' if done != 1 else ''} indexed for wire-copy detection.")

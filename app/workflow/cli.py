"""``flask --app app correct ...``: the corrections by span from the command line, through the
same service functions as the article page and the API (app.workflow.corrections), recorded
in each claim's history under the user given with ``--user``."""
from __future__ import annotations

from typing import Optional

import click
import sqlalchemy as sa

from app.errors import DomainError
from app.extensions import db
from app.models import CLAIM_KINDS, Claim, User
from app.workflow import corrections

user_option = click.option("--user", "email", required=True, help="E-mail of the editor the history names.")
version_option = click.option("--version", "version", type=int, default=None,
                              help="The claim's version the change was made from (refused if stale).")


def _editor(email: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"No user with e-mail {email}.")
    return user


def _run(action):
    try:
        return action()
    except DomainError as exc:
        raise click.ClickException(f"{exc.message} ({exc.code})") from None


def _line(claim: Claim) -> str:
    return f"#{claim.id} [{claim.start}-{claim.end}] v{claim.version} {claim.content[:70]!r}"


@click.group("correct")
def correct_group() -> None:
    """Correct an article's claims by character offsets (add, split, merge, remove)."""


@correct_group.command("add")
@click.argument("article_id", type=int)
@click.option("--start", type=int, required=True)
@click.option("--end", type=int, required=True)
@click.option("--speaker", default="", help="A name; an existing speaker or alias is reused.")
@click.option("--kind", type=click.Choice(CLAIM_KINDS), default="direct", show_default=True)
@click.option("--cue", default=None)
@user_option
def add_command(article_id: int, start: int, end: int, speaker: str, kind: str, cue: Optional[str],
                email: str) -> None:
    """Add a claim from the span START-END of an article's text."""
    user = _editor(email)
    claim = _run(lambda: corrections.add_claim(article_id, user=user, start=start, end=end, speaker=speaker,
                                               kind=kind, cue=cue))
    click.echo(f"added {_line(claim)}")


@correct_group.command("split")
@click.argument("claim_id", type=int)
@click.option("--at", type=int, required=True, help="Offset in the article's text inside the claim's span.")
@version_option
@user_option
def split_command(claim_id: int, at: int, version: Optional[int], email: str) -> None:
    """Split a claim in two at an offset."""
    user = _editor(email)
    first, second = _run(lambda: corrections.split_claim(claim_id, user=user, at=at, version=version))
    click.echo(f"split {_line(first)}\n  and {_line(second)}")


@correct_group.command("merge")
@click.argument("claim_id", type=int)
@click.option("--with", "with_id", type=int, default=None, help="The claim to merge in [default: the next one].")
@version_option
@user_option
def merge_command(claim_id: int, with_id: Optional[int], version: Optional[int], email: str) -> None:
    """Merge another claim of the same article (the next one by default) into a claim."""
    user = _editor(email)
    if with_id is None:
        claim = db.session.get(Claim, claim_id)
        following = corrections.next_claim(claim) if claim is not None else None
        if following is None:
            raise click.ClickException(f"Claim #{claim_id} has no next claim to merge with.")
        with_id = following.id
    claim = _run(lambda: corrections.merge_claims(claim_id, user=user, with_id=with_id, version=version))
    click.echo(f"merged #{with_id} into {_line(claim)}")


@correct_group.command("remove")
@click.argument("claim_id", type=int)
@click.option("--reason", default=None)
@version_option
@user_option
def remove_command(claim_id: int, reason: Optional[str], version: Optional[int], email: str) -> None:
    """Take out a claim that is not a quote (its history stays)."""
    user = _editor(email)
    claim = _run(lambda: corrections.remove_claim(claim_id, user=user, reason=reason, version=version))
    click.echo(f"removed {_line(claim)}")

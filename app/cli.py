"""Command-line interface: ``flask --app app <command>``."""
from __future__ import annotations

import json
import secrets
import sys
from datetime import datetime
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app

from app.auth.passwords import password_problem
from app.admin import service as admin
from app.auth.service import change_password, create_token, create_user
from app.copies.cli import index_copies_command
from app.errors import DomainError, DuplicateArticle
from app.export.cli import export_corrections_command, export_csv_command
from app.factchecks.cli import import_factchecks_command, related_factchecks_command
from app.priority.cli import score_claims_command
from app.webhooks.delivery import deliver_due
from app.extensions import db
from app.ingest import BatchSummary, Metadata, expand_paths, read_path, submit, submit_each
from app.links import is_web_url
from app.tasks.cli import worker_command
from app.models import ROLES, Claim, User
from app.workflow.cli import correct_group

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"
DEMO_USERS = (
    ("editor@claimdesk.example.org", "Edith Editor", "editor"),
    ("reviewer@claimdesk.example.org", "Rafael Reviewer", "reviewer"),
    ("admin@claimdesk.example.org", "Ada Admin", "admin"),
)


def init_app(app: Flask) -> None:
    for command in (ingest_command, create_user_command, create_token_command, demo_command,
                    reindex_command, export_csv_command, set_password_command, deactivate_user_command,
                    reactivate_user_command, index_copies_command, export_corrections_command, correct_group,
                    deliver_webhooks_command, worker_command, import_factchecks_command, related_factchecks_command,
                    score_claims_command):
        app.cli.add_command(command)


@click.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--user", "email", default=None, help="E-mail of the user to record as ingesting.")
@click.option("--no-wait", is_flag=True, help="Enqueue the jobs, print their ids and return at once.")
@click.option("--sync", is_flag=True, help="Ingest in this process, one after another (no queue).")
def ingest_command(paths: tuple[str, ...], email: str | None, no_wait: bool, sync: bool) -> None:
    """Ingest .txt/.html files, folders of them and http(s):// addresses as jobs; shows a
    progress bar until they are done (in this process when no consumer runs on the SQLite
    queue), then a summary line."""
    from app.tasks.jobs import runs_in_process

    user_id = _user_or_exit(email).id if email else None
    urls = [p for p in paths if is_web_url(p)]
    files = expand_paths([p for p in paths if not is_web_url(p)])
    if not files and not urls:
        raise click.ClickException("No .txt or .html files found in the paths given.")
    items = [*files, *urls]
    if sync or (not no_wait and runs_in_process()):
        with click.progressbar(length=len(items), label="Ingesting", file=sys.stderr,
                               item_show_func=lambda p: str(getattr(p, "name", p) or "")) as bar:
            summary = submit_each(items, user_id=user_id, on_done=lambda item: bar.update(1, item))
    else:
        summary = _ingest_on_queue(items, user_id=user_id, wait=not no_wait)
        if summary is None:
            return
    for path, existing in summary.duplicates:
        click.echo(f"duplicate: {path} is article #{existing}")
    for path, reason in summary.failed:
        click.echo(f"failed: {path}: {reason}", err=True)
    claims = sum(n for _, _, n in summary.ingested)
    click.echo(f"{summary.line()}; {claims} claims added.")
    if summary.failed:
        sys.exit(1)


def _ingest_on_queue(items: list, *, user_id: int | None, wait: bool) -> BatchSummary | None:
    """One job per file or address on the queue; with ``wait``, a progress bar until all are
    finished and their summary (None without)."""
    from app.tasks.jobs import IngestRequest, create_job, send, wait_for_all

    jobs: dict[str, str] = {}  # job id -> path or address
    summary = BatchSummary()
    for item in items:
        try:
            request = (IngestRequest(url=str(item), user_id=user_id, source="cli") if is_web_url(str(item))
                       else IngestRequest(upload=read_path(Path(item)), user_id=user_id, source="cli"))
            job = create_job(request)
            send(job.id)
        except DomainError as exc:
            summary.failed.append((str(item), exc.message))
            continue
        jobs[job.id] = str(item)
    if not wait:
        for job_id, item in jobs.items():
            click.echo(f"queued: {item} as job {job_id}")
        for item, reason in summary.failed:
            click.echo(f"failed: {item}: {reason}", err=True)
        click.echo(f"{len(jobs)} jobs queued.")
        return None
    with click.progressbar(length=len(jobs), label="Ingesting (queued)", file=sys.stderr) as bar:
        finished = wait_for_all(list(jobs), on_finished=lambda job: bar.update(1))
    for job in finished:
        item = jobs[job.id]
        if job.status == "done":
            summary.ingested.append((item, job.article_id, job.claims))
        elif job.error_code == DuplicateArticle.code:
            summary.duplicates.append((item, (job.error_details or {}).get("existing_id")))
        else:
            summary.failed.append((item, job.error_message or "failed"))
    return summary


@click.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), default="editor", show_default=True)
@click.option("--name", default="", help="The name shown in the desk.")
def create_user_command(email: str, role: str, name: str) -> None:
    """Create a user; the password is prompted (or read from standard input)."""
    password = _read_password()
    try:
        user = create_user(email, name=name, role=role, password=password)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"Created {user.role} {user.email}.")


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\n")


@click.command("set-password")
@click.argument("email")
def set_password_command(email: str) -> None:
    """Give EMAIL a new password (prompted, or read from standard input); every sign-in of
    that user ends."""
    user = _user_or_exit(email)
    try:
        change_password(user, _read_password(), recorded_as="password_set")
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"Password of {user.email} changed; every sign-in of theirs ended.")


@click.command("deactivate-user")
@click.argument("email")
def deactivate_user_command(email: str) -> None:
    """Stop EMAIL from using the desk: every sign-in ends, API tokens stop working."""
    try:
        user = admin.set_active(admin.user_by_email(email).id, False, by=None)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"{user.email} deactivated; every sign-in of theirs ended.")


@click.command("reactivate-user")
@click.argument("email")
def reactivate_user_command(email: str) -> None:
    """Let EMAIL use the desk again (they sign in afresh: no old sign-in comes back)."""
    try:
        user = admin.set_active(admin.user_by_email(email).id, True, by=None)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"{user.email} reactivated.")


@click.command("create-token")
@click.argument("email")
@click.option("--name", default="cli", help="A label for the token.")
def create_token_command(email: str, name: str) -> None:
    """Print a new API token for EMAIL (shown once, stored hashed)."""
    try:
        _token, secret = create_token(email, name=name)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(secret)


@click.command("reindex")
@click.option("--if-missing", is_flag=True,
              help="Only build the related-claims index where it is missing (no re-embedding).")
def reindex_command(if_missing: bool) -> None:
    """Embed every claim and evidence item with the configured model (after a model change)
    and rebuild the related-claims index from the database."""
    from app import related
    from app.related import index
    from app.models import Evidence

    if if_missing:
        built = [kind for kind in index.KINDS if index.ensure_index(kind)]
        click.echo(f"Related-claims index built for {', '.join(built)}." if built else "Related-claims index present.")
        return
    from app.models import FactCheck

    total = db.session.scalar(sa.select(sa.func.count(Claim.id))) + db.session.scalar(
        sa.select(sa.func.count(Evidence.id))) + 2 * db.session.scalar(sa.select(sa.func.count(FactCheck.id)))
    with click.progressbar(length=total, label=f"Embedding with {current_app.config['CLAIMDESK_EMBEDDING_MODEL']}",
                           file=sys.stderr) as bar:
        counts = related.reindex(on_progress=bar.update)
    click.echo(f"{counts['claim']} claims and {counts['evidence']} evidence items embedded; "
               f"{counts['dropped']} vectors of other models dropped; related-claims index rebuilt.")


@click.command("demo")
def demo_command() -> None:
    """Load the seed articles and three demo users unless already there; print how to sign in."""
    for path in sorted(SEEDS_DIR.glob("*.txt")):
        meta_path = path.with_suffix(".json")
        meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
        published_at = datetime.fromisoformat(meta["published_at"]) if meta.get("published_at") else None
        try:
            result = submit(upload=read_path(path), url=meta.get("url"), source="seed", metadata=Metadata(
                title=meta.get("title"), publisher=meta.get("publisher"), published_at=published_at))
            click.echo(f"Loaded seed article #{result.article_id} \u201c{result.title}\u201d: "
                       f"{len(result.claim_ids)} claims.")
        except DuplicateArticle as exc:
            click.echo(f"Seed article {path.name} already loaded (#{exc.existing_id}).")
    credentials = _demo_credentials()
    click.echo("\nDemo users (e-mail / password / role):")
    for email, _name, role in DEMO_USERS:
        click.echo(f"  {email:<32} {credentials[email]:<24} {role}")


def _demo_credentials() -> dict[str, str]:
    """Demo users with random passwords kept in instance/demo-users.json (created once)."""
    path = Path(current_app.instance_path) / "demo-users.json"
    stored: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    for email, name, role in DEMO_USERS:
        user = db.session.scalar(sa.select(User).where(User.email == email))
        password = stored.get(email)
        while password is None or password_problem(password, user_inputs=(email, name)):
            password = secrets.token_urlsafe(12)  # 16 random characters (a stored one stays if still valid)
        if user is None:
            create_user(email, name=name, role=role, password=password)
        elif not user.check_password(password):
            change_password(user, password)
        stored[email] = password
    path.write_text(json.dumps(stored, indent=1))
    path.chmod(0o600)
    return stored


def _user_or_exit(email: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"No user with e-mail {email}.")
    return user


@click.command("deliver-webhooks")
@click.option("--limit", default=100, show_default=True, help="Deliveries attempted in this pass.")
def deliver_webhooks_command(limit: int) -> None:
    """One attempt at each webhook delivery that is due (the task queue does this on its own)."""
    attempts = deliver_due(limit)
    delivered = sum(1 for a in attempts if a.state == "delivered")
    click.echo(f"{len(attempts)} attempted, {delivered} delivered, {len(attempts) - delivered} not (yet).")

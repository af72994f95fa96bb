"""This desk's related-claims index: one shared ANN directory per collection and model.

Readers (web workers) map the live generation read-only and never write. The writer is
whichever process commits vectors (today the ingest and edit paths; later the task-queue
consumer): stored vectors are queued on the session and appended to the index only after
the transaction commits (:func:`on_commit`), so the index never holds a phantom. Anything
missed (a crash between commit and append) is repaired by a rebuild from the database:
``flask reindex``, or automatically when a writer finds no index for its model.

The writer's interface for a task-queue consumer is :func:`publish` (apply queued
changes now), :func:`rebuild` and :func:`ensure_index`.
"""
from __future__ import annotations

import hashlib
import logging
import re
import shutil
import threading
from pathlib import Path
from typing import Iterable, Iterator, Optional, Sequence

import numpy as np
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Flask, current_app, has_request_context, request

from app.extensions import db
from app.models import Claim, Embedding, Evidence, FactCheck
from app.similarity.ann import AnnReader, AnnSettings, AnnWriter
from app.similarity.index import VECTOR_DTYPE

log = logging.getLogger(__name__)

KINDS = ("claim", "evidence", "factcheck", "factcheck_title")
OWNERS = {"claim": Claim, "evidence": Evidence, "factcheck": FactCheck, "factcheck_title": FactCheck}
_EXTENSION_KEY = "claimdesk_ann"
_SESSION_KEY = "claimdesk_ann_changes"


# --- where and how --------------------------------------------------------------------


def settings(app: Optional[Flask] = None) -> AnnSettings:
    config = (app or current_app).config
    return AnnSettings(
        exact_below=int(config["CLAIMDESK_ANN_EXACT_BELOW"]),
        journal_max=int(config["CLAIMDESK_ANN_JOURNAL_MAX"]),
        sample_size=int(config["CLAIMDESK_ANN_SAMPLE"]),
        expansion_search=int(config["CLAIMDESK_ANN_EF"]),
        shard_size=int(config["CLAIMDESK_ANN_SHARD_SIZE"]),
    )


def model_name(app: Optional[Flask] = None) -> str:
    return (app or current_app).config["CLAIMDESK_EMBEDDING_MODEL"]


def root(app: Optional[Flask] = None) -> Path:
    app = app or current_app
    return Path(app.config.get("CLAIMDESK_ANN_DIR") or Path(app.instance_path) / "ann")


def directory(kind: str, model: Optional[str] = None, app: Optional[Flask] = None) -> Path:
    """``<root>/<kind>-<model slug>-<hash>``: one directory per collection and model."""
    model = model or model_name(app)
    slug = re.sub(r"[^A-Za-z0-9]+", "-", Path(model).name).strip("-")[:40] or "model"
    digest = hashlib.sha1(model.encode()).hexdigest()[:10]
    return root(app) / f"{kind}-{slug}-{digest}"


def _state(app: Optional[Flask] = None) -> dict:
    return (app or current_app).extensions.setdefault(_EXTENSION_KEY, {"readers": {}, "writers": {},
                                                                       "lock": threading.Lock()})


def reset(app: Flask) -> None:
    """Forget this process's readers and writers (they reopen the files on next use)."""
    state = app.extensions.pop(_EXTENSION_KEY, None)
    for writer in (state or {}).get("writers", {}).values():
        writer.wait()


# --- reading ----------------------------------------------------------------------------


def reader(kind: str) -> AnnReader:
    """This process's reader of ``kind`` under the configured model, refreshed once per
    web request (each call outside a request)."""
    state = _state()
    key = (kind, model_name())
    found = state["readers"].get(key)
    if found is None:
        with state["lock"]:
            found = state["readers"].get(key)
            if found is None:
                found = state["readers"][key] = AnnReader(directory(kind), model=model_name(),
                                                          expansion_search=settings().expansion_search)
    if has_request_context():
        memo = request.__dict__.setdefault("_claimdesk_ann_refreshed", set())
        if key not in memo:
            found.refresh()
            memo.add(key)
    else:
        found.refresh()
    return found


# --- writing ----------------------------------------------------------------------------


def writer(kind: str, dim: int, app: Optional[Flask] = None) -> AnnWriter:
    app = app or current_app
    state = _state(app)
    key = (kind, model_name(app), int(dim))
    with state["lock"]:
        found = state["writers"].get(key)
        if found is None:
            found = state["writers"][key] = AnnWriter(directory(kind, app=app), model=model_name(app), dim=dim,
                                                      settings=settings(app),
                                                      background=bool(app.config["CLAIMDESK_ANN_BACKGROUND"]))
    return found


def queue_vectors(kind: str, ids: Sequence[int], vectors: np.ndarray) -> None:
    """Add (or replace) vectors in the index once the session's transaction commits."""
    if len(ids):
        db.session.info.setdefault(_SESSION_KEY, []).append(("add", kind, list(ids), np.asarray(vectors)))


def queue_removal(kind: str, ids: Iterable[int]) -> None:
    """Remove ids from the index once the session's transaction commits."""
    ids = [int(i) for i in ids if i is not None]
    if ids:
        db.session.info.setdefault(_SESSION_KEY, []).append(("remove", kind, ids, None))


def publish(changes: Sequence[tuple], app: Optional[Flask] = None) -> None:
    """Apply committed changes ``(op, kind, ids, vectors)`` to the index files.

    Where a collection has no index yet, it is built from the database instead (in the
    background when ``CLAIMDESK_ANN_BACKGROUND``): the committed rows are in it.
    """
    app = app or current_app
    missing: set[str] = set()
    for op, kind, ids, vectors in changes:
        target = writer(kind, vectors.shape[1], app) if op == "add" else _writer_for_existing(kind, app)
        if target is None:
            continue
        # Appended even while no generation exists: a rebuild under way keeps the change.
        target.add(ids, vectors) if op == "add" else target.remove(ids)
        if not target.available:
            missing.add(kind)
    for kind in missing:
        rebuild_soon(kind, app)


def _writer_for_existing(kind: str, app: Flask) -> Optional[AnnWriter]:
    """A writer for the live index of ``kind`` (its dimension read from the generation)."""
    for (k, model, _dim), found in _state(app)["writers"].items():
        if k == kind and model == model_name(app):
            return found
    probe = AnnReader(directory(kind, app=app), model=model_name(app))
    if not probe.refresh():
        return None
    return writer(kind, probe.info.dim, app)


def rebuild_soon(kind: str, app: Optional[Flask] = None) -> None:
    """Rebuild ``kind``'s index from the database, in a background thread when configured."""
    app = app or current_app._get_current_object()
    if not app.config["CLAIMDESK_ANN_BACKGROUND"]:
        with app.app_context():
            rebuild(kind)
        return
    state = _state(app)
    with state["lock"]:
        running = state.setdefault("rebuilding", set())
        if kind in running:  # one rebuild per kind at a time in this process
            return
        running.add(kind)

    def run() -> None:
        try:
            with app.app_context():
                rebuild(kind)
        except Exception:  # the next write or `flask reindex` tries again
            log.exception("rebuilding the %s index failed", kind)
        finally:
            with state["lock"]:
                running.discard(kind)

    threading.Thread(target=run, name=f"ann-rebuild-{kind}", daemon=False).start()


def wait_for_rebuild(kinds: Iterable[str]) -> None:
    """Wait for this process's background rebuilds of ``kinds`` (e.g. the first import of a
    collection, whose index is built from the database) to finish."""
    names = {f"ann-rebuild-{kind}" for kind in kinds}
    for thread in threading.enumerate():
        if thread.name in names and thread is not threading.current_thread():
            thread.join()


def stored_vectors(kind: str, *, model: Optional[str] = None, chunk: int = 20_000,
                   connection: Optional[sa.Connection] = None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Every stored vector of ``kind`` under ``model`` whose owner exists, in chunks of
    ``(owner ids, vectors)``. Reads on its own connection (usable after a commit)."""
    model = model or model_name()
    owner = OWNERS[kind]
    stmt = (sa.select(Embedding.owner_id, Embedding.dim, Embedding.vector)
            .join(owner, owner.id == Embedding.owner_id)
            .where(Embedding.owner_kind == kind, Embedding.model == model)
            .order_by(Embedding.owner_id))

    def chunks(conn: sa.Connection) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        ids: list[int] = []
        blobs: list[bytes] = []
        dim = None
        for owner_id, row_dim, blob in conn.execute(stmt.execution_options(yield_per=chunk)):
            if dim is None:
                dim = row_dim
            ids.append(owner_id)
            blobs.append(blob)
            if len(ids) >= chunk:
                yield _stack(ids, blobs, dim)
                ids, blobs = [], []
        if ids:
            yield _stack(ids, blobs, dim)

    if connection is not None:
        yield from chunks(connection)
        return
    with db.engine.connect() as conn:
        yield from chunks(conn)


def _stack(ids: list[int], blobs: list[bytes], dim: int) -> tuple[np.ndarray, np.ndarray]:
    vectors = np.frombuffer(b"".join(blobs), dtype=VECTOR_DTYPE).astype(np.float32).reshape(len(ids), dim)
    return np.asarray(ids, dtype=np.int64), vectors


def stored_dim(kind: str, model: Optional[str] = None) -> Optional[int]:
    with db.engine.connect() as conn:
        return conn.execute(sa.select(Embedding.dim).where(
            Embedding.owner_kind == kind, Embedding.model == (model or model_name())).limit(1)).scalar()


def rebuild(kind: str) -> Optional[str]:
    """Build ``kind``'s index from every stored vector of the configured model and swap it
    in (readers move to it on their next refresh). None when nothing is stored."""
    dim = stored_dim(kind)
    if dim is None:
        target = directory(kind)
        if target.exists():  # vectors all gone: an empty index, so readers see none
            return writer(kind, _dim_of_existing(target) or 1).rebuild(lambda: iter(()))
        return None
    return writer(kind, dim).rebuild(lambda: stored_vectors(kind))


def _dim_of_existing(target: Path) -> Optional[int]:
    probe = AnnReader(target)
    return probe.info.dim if probe.refresh() else None


def ensure_index(kind: str) -> bool:
    """Build ``kind``'s index when it is missing; True when one was built."""
    dim = stored_dim(kind)
    if dim is None or writer(kind, dim).available:
        return False
    rebuild(kind)
    return True


def drop_other_models() -> list[Path]:
    """Remove the index directories of models other than the configured one."""
    keep = {directory(kind).name for kind in KINDS}
    removed = []
    if root().is_dir():
        for path in root().iterdir():
            if path.is_dir() and path.name.split("-", 1)[0] in KINDS and path.name not in keep:
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
    return removed


# --- session hooks: changes reach the index only after a commit ---------------------------


@sa.event.listens_for(so.Session, "after_flush")
def _deleted_owners(session: so.Session, _context) -> None:
    for obj in session.deleted:
        if obj.id is None:
            continue
        for kind, owner in OWNERS.items():
            if isinstance(obj, owner):
                session.info.setdefault(_SESSION_KEY, []).append(("remove", kind, [obj.id], None))


@sa.event.listens_for(so.Session, "after_commit")
def _on_commit(session: so.Session) -> None:
    changes = session.info.pop(_SESSION_KEY, None)
    if not changes:
        return
    try:
        app = current_app._get_current_object()
    except RuntimeError:  # no app: nothing to publish to
        return
    try:
        publish(changes, app)
    except Exception:  # the commit stands; a rebuild repairs the index
        log.exception("publishing %d change(s) to the related-claims index failed", len(changes))


@sa.event.listens_for(so.Session, "after_soft_rollback")
def _on_rollback(session: so.Session, _previous_transaction) -> None:
    if not session.in_transaction():
        session.info.pop(_SESSION_KEY, None)

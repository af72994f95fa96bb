"""Related claims, evidence used for similar claims, near-duplicates, and (re)indexing.

Vectors are written in the caller's transaction (ingest, claim edit, new evidence) and
reach the shared nearest-neighbour index after it commits (app/related/index.py). A
lookup fuses, as the engine does (:mod:`app.similarity.fusion`), the cosine of the
index's candidates with the database's full-text rank (app/related/lexical.py); the
fusion reads only the candidates' own signals, so no collection-wide statistics are
needed. Only vectors of the configured model are ever compared.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Callable, Collection, Optional, Sequence

import numpy as np
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app, has_request_context, request

from app.extensions import db
from app.models import Claim, ClaimEvidence, Embedding, Evidence, FactCheck
from app.related import index, lexical
from app.similarity import get_embedder, vector_from_bytes, vector_to_bytes
from app.similarity.fusion import Candidates, default_fusion
from app.similarity.index import top_k

MIN_SIMILARITY = 0.35  # below this cosine a "related" claim is noise to an editor
NEAR_DUPLICATE = 0.95  # cosine at which two claims are the same quote
REPEAT_SIMILARITY = 0.8  # cosine at which a same-speaker claim counts as a repeat of it
CANDIDATES = 30
POOL = 100  # candidates taken from each signal before fusing (as the engine's ranker)


def model_name() -> str:
    return current_app.config["CLAIMDESK_EMBEDDING_MODEL"]


def embedder():
    """The configured sentence-transformers model (loaded once per process)."""
    return get_embedder(model_name())


def reset_indexes(app) -> None:
    """Forget this process's index readers and writers (they reopen the files on next use)
    and its cached word frequencies."""
    index.reset(app)
    lexical.forget_frequencies()


def _sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def evidence_text(evidence: Evidence) -> str:
    return " ".join(part for part in (evidence.title, evidence.excerpt) if part)


def _write_rows(kind: str, owners: Sequence[tuple[int, str]], vectors: np.ndarray, dim: int) -> None:
    """Add Embedding rows for ``owners`` (id, text) to the session, replacing older ones."""
    name = model_name()
    ids = [o for o, _ in owners]
    db.session.execute(sa.delete(Embedding).where(
        Embedding.owner_kind == kind, Embedding.model == name, Embedding.owner_id.in_(ids)))
    db.session.add_all(
        Embedding(owner_kind=kind, owner_id=o, model=name, dim=dim, text_sha1=_sha1(t), vector=vector_to_bytes(v))
        for (o, t), v in zip(owners, vectors)
    )
    index.queue_vectors(kind, ids, np.asarray(vectors, dtype=np.float32))


def write_vectors(kind: str, owners: Sequence[tuple[int, str]], vectors: np.ndarray, dim: int) -> None:
    """Store vectors already encoded for ``owners`` (id, text) in the caller's transaction;
    they reach the index after it commits."""
    _write_rows(kind, owners, vectors, dim)


def delete_vectors(kind: str, ids: Sequence[int]) -> None:
    """Drop the stored vectors of ``ids`` (the index forgets them after the commit)."""
    db.session.execute(sa.delete(Embedding).where(
        Embedding.owner_kind == kind, Embedding.model == model_name(), Embedding.owner_id.in_(list(ids))))
    index.queue_removal(kind, ids)


def _store_vectors(kind: str, owners: Sequence[tuple[int, str]], batch_size: int = 64) -> Optional[np.ndarray]:
    """Encode the texts whose stored vector is missing or stale and write their rows.

    Returns the new vectors in the order of the owners that needed one, or None.
    """
    if not owners:
        return None
    existing = dict(db.session.execute(
        sa.select(Embedding.owner_id, Embedding.text_sha1).where(
            Embedding.owner_kind == kind, Embedding.model == model_name(),
            Embedding.owner_id.in_([o for o, _ in owners]))).all())
    todo = [(o, t) for o, t in owners if existing.get(o) != _sha1(t)]
    if not todo:
        return None
    model = embedder()
    vectors = model.encode([t for _, t in todo], batch_size=batch_size)
    _write_rows(kind, todo, vectors, model.dim)
    return vectors


def embed_claims(claims: Sequence[Claim]) -> Optional[np.ndarray]:
    """Embed claims (new or with changed text) in the caller's transaction."""
    if claims and any(c.id is None for c in claims):
        db.session.flush()
    return _store_vectors("claim", [(c.id, c.content) for c in claims])


def embed_evidence(items: Sequence[Evidence]) -> None:
    """Embed evidence title + excerpt in the caller's transaction."""
    if items and any(e.id is None for e in items):
        db.session.flush()
    _store_vectors("evidence", [(e.id, evidence_text(e)) for e in items])


@dataclass
class PreparedClaims:
    """Vectors of claims about to be stored, and the claim each one repeats (if any)."""

    texts: list[str]
    vectors: np.ndarray
    repeats: list[Optional[int]]
    dim: int


def prepare_claims(texts: Sequence[str], vectors: Optional[np.ndarray] = None) -> PreparedClaims:
    """Encode new claim texts (unless their ``vectors`` are given, encoded already) and find
    the earlier claim each repeats (cosine >= 0.95).

    Runs before the ingest transaction writes anything: encoding is slow, and the write
    transaction stays short.
    """
    model = embedder()
    if vectors is None or len(vectors) != len(texts):
        vectors = model.encode(list(texts)) if texts else np.zeros((0, model.dim), dtype=np.float32)
    repeats: list[Optional[int]] = [None] * len(texts)
    claims = index.reader("claim") if len(texts) else None
    if claims is not None and claims.available:
        for i, vector in enumerate(vectors):
            hits = claims.search(vector, k=1)
            if hits and hits[0][1] >= NEAR_DUPLICATE:
                repeats[i] = hits[0][0]
    return PreparedClaims(list(texts), vectors, repeats, model.dim)


def store_prepared(claims: Sequence[Claim], prepared: PreparedClaims) -> None:
    """Write the prepared vectors of just-created claims and flag their repeats, in the
    caller's transaction. Claims the extractor already marked as repeats stay so."""
    if claims and any(c.id is None for c in claims):
        db.session.flush()
    for claim, repeat in zip(claims, prepared.repeats):
        if repeat is not None and claim.duplicate_of is None and claim.duplicate_of_id is None:
            claim.duplicate_of_id = repeat
    if claims:
        _write_rows("claim", [(c.id, t) for c, t in zip(claims, prepared.texts)], prepared.vectors, prepared.dim)


@dataclass
class RelatedClaim:
    claim: Claim
    score: float  # cosine similarity, 0..1
    same_article: bool
    same_speaker: bool
    repeat_of_approved: bool = False  # the same speaker repeating an approved claim (shown first)


@dataclass
class RelatedEvidence:
    evidence: Evidence
    score: float
    claim_id: Optional[int]  # the similar claim it was used for (None: matched directly)
    stance: Optional[str]
    uses: int = 0  # matched directly: how many claims it is linked to


@dataclass
class Ranked:
    """One document ranked for a query: fused score and the signals behind it."""

    id: int
    score: float
    cosine: float
    lexical: float


def stored_vector(kind: str, owner_id: int) -> Optional[np.ndarray]:
    """The stored vector of a claim or evidence item under the configured model."""
    row = db.session.execute(sa.select(Embedding.vector, Embedding.dim).where(
        Embedding.owner_kind == kind, Embedding.owner_id == owner_id, Embedding.model == model_name())).first()
    return None if row is None else vector_from_bytes(row[0], row[1])


def rank(kind: str, text: str, vector: np.ndarray, k: int = 10, *, exclude: Collection[int] = (),
         pool: int = POOL, title_kind: Optional[str] = None) -> list[Ranked]:
    """Rank the stored claims, evidence or fact-checks (``kind``) against a query text and
    its vector.

    Candidates are the index's ``pool`` nearest, the ``pool`` best full-text matches and,
    with ``title_kind`` (fact-checks' headlines), the ``pool`` nearest titles; each gets its
    cosine, title cosine (its text cosine when it has no title) and full-text score (0
    when it did not match), scored by the engine's default fusion (the learned one,
    trained on CLEF-2020 train), as ``python -m app.similarity rank`` does.
    """
    reader = index.reader(kind)
    if k <= 0 or not reader.available:
        return []
    excluded = {int(i) for i in exclude}
    vector = np.asarray(vector, dtype=np.float32).reshape(-1)
    dense = reader.search(vector, pool + len(excluded), exclude=excluded)
    matches = lexical.search(kind, text, budget=current_app.config["CLAIMDESK_LEXICAL_BUDGET"])
    cosine = {key: score for key, score in dense}
    lexical_score = dict(zip(matches.ids.tolist(), matches.scores.tolist()))
    for key in excluded:
        lexical_score.pop(key, None)
    best_lexical = [int(matches.ids[i]) for i in top_k(matches.scores, pool + len(excluded))
                    if int(matches.ids[i]) not in excluded][:pool]
    titles = index.reader(title_kind) if title_kind else None
    title_cosine: dict[int, float] = {}
    if titles is not None and titles.available:
        title_cosine = dict(titles.search(vector, pool + len(excluded), exclude=excluded))
    others = [key for key in dict.fromkeys(best_lexical + list(title_cosine)) if key not in cosine]
    if others:  # candidates the text index did not bring: their cosines from stored vectors
        found, vectors = reader.vectors(others)
        cosine.update(zip(found.tolist(), (vectors @ vector).tolist()))
    if not cosine:
        return []
    # In id order, as the engine's candidates: the fusion's ranks break ties by position.
    cosine = dict(sorted(cosine.items()))
    ids = np.fromiter(cosine, dtype=np.int64, count=len(cosine))
    cos = np.fromiter(cosine.values(), dtype=np.float32, count=len(cosine))
    lex = np.fromiter((lexical_score.get(int(i), 0.0) for i in ids), dtype=np.float32, count=len(cosine))
    title = None
    if titles is not None and titles.available:
        missing = [int(i) for i in ids if int(i) not in title_cosine]
        if missing:
            found, vectors = titles.vectors(missing)
            title_cosine.update(zip(found.tolist(), (vectors @ vector).tolist()))
        title = np.fromiter((title_cosine.get(int(i), c) for i, c in zip(ids, cos)), dtype=np.float32,
                            count=len(cosine))
    fused = default_fusion().scores(Candidates.build(ids, cos, title, lex))
    order = np.lexsort((ids, -fused))[:k]
    return [Ranked(int(ids[i]), float(fused[i]), float(cos[i]), float(lex[i])) for i in order]


def _candidates(claim: Claim) -> list[tuple[int, float]]:
    """(claim id, cosine) of the claims the hybrid ranking puts nearest, best first.

    Ranked once per web request and claim: the claim page asks for related claims and for
    evidence of similar claims, and both start from this list."""
    memo: dict[int, list[tuple[int, float]]] = {}
    if has_request_context():
        memo = request.__dict__.setdefault("_claimdesk_related_candidates", {})
    if claim.id not in memo:
        vector = stored_vector("claim", claim.id)
        if vector is None or claim.id not in index.reader("claim"):
            return []
        memo[claim.id] = [(m.id, m.cosine) for m in rank("claim", claim.content, vector, k=CANDIDATES,
                                                          exclude={claim.id}) if m.cosine >= MIN_SIMILARITY]
    return memo[claim.id]


def is_indexed(claim: Claim) -> bool:
    return claim.id in index.reader("claim")


def claims_like(text: str, k: int = 10) -> list[Ranked]:
    """The stored claims most like a free text (encoded with the configured model)."""
    vector = embedder().encode([text])[0]
    return rank("claim", text, vector, k=k)


def related_claims(claim: Claim, k: int = 5) -> list[RelatedClaim]:
    """The claims most like this one, for the claim page's panel and the API alike.

    Ordered by score (cosine), except that a same-speaker repeat of an approved claim
    (:func:`is_repeat_of_approved`) comes first and claims of the same article come last
    (the page shows the article itself; they stay listed for the API's clients).
    """
    hits = _candidates(claim)
    if not hits:
        return []
    # Order the candidates on a few columns; load whole claims only for the k shown.
    where = dict((row.id, row) for row in db.session.execute(
        sa.select(Claim.id, Claim.article_id, Claim.speaker_id, Claim.status).where(
            Claim.id.in_([i for i, _ in hits]), Claim.removed_at.is_(None))))
    ranked = []
    for i, score in hits:
        if i not in where:
            continue
        row = where[i]
        same_speaker = claim.speaker_id is not None and row.speaker_id == claim.speaker_id
        repeat = is_repeat_of_approved(score, same_speaker=same_speaker, status=row.status)
        ranked.append((i, score, row.article_id == claim.article_id, same_speaker, repeat))
    ranked.sort(key=lambda r: (not r[4], r[2], -r[1], r[0]))
    ranked = ranked[:k]
    found = {c.id: c for c in db.session.scalars(
        sa.select(Claim).where(Claim.id.in_([r[0] for r in ranked]))
        .options(so.selectinload(Claim.speaker), so.selectinload(Claim.verdicts)))}
    return [RelatedClaim(found[i], score, same_article, same_speaker, repeat)
            for i, score, same_article, same_speaker, repeat in ranked if i in found]


def is_repeat_of_approved(score: float, *, same_speaker: bool, status: str) -> bool:
    """A related claim is the same speaker repeating a claim the desk approved: the match
    an editor needs first."""
    return same_speaker and status == "approved" and score >= REPEAT_SIMILARITY


def related_evidence(claim: Claim, k: int = 5) -> list[RelatedEvidence]:
    """Evidence linked to similar claims, and evidence whose text is close to the claim,
    leaving out what is already linked here."""
    linked = {link.evidence_id for link in claim.evidence_links}
    best: dict[int, RelatedEvidence] = {}
    hits = dict(_candidates(claim))
    if hits:
        links = db.session.scalars(sa.select(ClaimEvidence).where(ClaimEvidence.claim_id.in_(list(hits)))
                                   .options(so.selectinload(ClaimEvidence.evidence))).all()
        for link in links:
            if link.evidence_id in linked:
                continue
            score = hits[link.claim_id]
            if link.evidence_id not in best or best[link.evidence_id].score < score:
                best[link.evidence_id] = RelatedEvidence(link.evidence, score, link.claim_id, link.stance)
    vector = stored_vector("claim", claim.id)
    if vector is not None:
        for match in rank("evidence", claim.content, vector, k=k + len(linked)):
            if match.id in linked or match.cosine < MIN_SIMILARITY:
                continue
            if match.id not in best or best[match.id].score < match.cosine:
                evidence = db.session.get(Evidence, match.id)
                if evidence is not None:
                    best[match.id] = RelatedEvidence(evidence, float(match.cosine), None, None)
    shown = sorted(best.values(), key=lambda r: -r.score)[:k]
    direct = [r.evidence.id for r in shown if r.claim_id is None]
    if direct:
        uses = dict(db.session.execute(sa.select(ClaimEvidence.evidence_id, sa.func.count(ClaimEvidence.id))
                                       .where(ClaimEvidence.evidence_id.in_(direct))
                                       .group_by(ClaimEvidence.evidence_id)).all())
        for item in shown:
            if item.claim_id is None:
                item.uses = uses.get(item.evidence.id, 0)
    return shown


def index_status() -> tuple[int, int]:
    """(claims embedded with the configured model, all claims)."""
    total = db.session.scalar(sa.select(sa.func.count(Claim.id))) or 0
    done = db.session.scalar(sa.select(sa.func.count(Embedding.id)).where(
        Embedding.owner_kind == "claim", Embedding.model == model_name())) or 0
    return done, total


def reindex(*, batch_size: int = 256, on_progress: Callable[[int], None] = lambda n: None) -> dict[str, int]:
    """Embed every claim and evidence item that lacks a current vector of the configured
    model, drop vectors (and index files) of other models, then rebuild the related-claims
    index from the database and swap it in. Commits per batch, so it can be resumed."""
    name = model_name()
    dropped = db.session.execute(sa.delete(Embedding).where(Embedding.model != name)).rowcount or 0
    db.session.commit()
    counts = {"dropped": dropped, "claim": 0, "evidence": 0}
    counts.update(factcheck=0, factcheck_title=0)
    for kind, model, text_of in (("claim", Claim, lambda c: c.content), ("evidence", Evidence, evidence_text),
                                 ("factcheck", FactCheck, lambda f: f.claim_reviewed),
                                 ("factcheck_title", FactCheck, lambda f: f.title)):
        last_id = 0
        while True:
            batch = db.session.scalars(sa.select(model).where(model.id > last_id).order_by(model.id)
                                       .limit(batch_size)).all()
            if not batch:
                break
            last_id = batch[-1].id
            vectors = _store_vectors(kind, [(item.id, text_of(item)) for item in batch if text_of(item)],
                                     batch_size=64)
            db.session.commit()
            counts[kind] += 0 if vectors is None else len(vectors)
            on_progress(len(batch))
    index.drop_other_models()
    for kind in index.KINDS:
        index.rebuild(kind)
    return counts

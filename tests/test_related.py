"""Related claims and evidence through the app: stored vectors, the ranker, the panels, the API."""
from __future__ import annotations

import sqlalchemy as sa

from app import related
from app.extensions import db
from app.models import Claim, Embedding
from app.similarity import resolve_model_path
from app.workflow import service

PARAPHRASE = ('"Unity is the strongest answer we can give to the aggression from Russia," '
              "the Latvian foreign minister Edgars Rinkevics told journalists in Riga on Thursday.")
UNRELATED = ('"The new tram line will open in May," city planner Jonas Berg said on Monday, '
             "adding that tickets would cost the same as on the buses.")


def kallas_unity(seed) -> Claim:
    return next(c for c in seed.claims if c.content.startswith("The most effective response"))


def test_every_claim_is_embedded_at_ingest(seed, app):
    rows = db.session.scalars(sa.select(Embedding).where(Embedding.owner_kind == "claim")).all()
    assert {r.owner_id for r in rows} == {c.id for c in seed.claims}
    assert {r.model for r in rows} == {app.config["CLAIMDESK_EMBEDDING_MODEL"]}
    assert {r.dim for r in rows} == {384}
    assert related.index_status() == (len(seed.claims), len(seed.claims))


def test_related_claims_find_a_paraphrase_from_another_speaker(seed, ingest):
    other = ingest(PARAPHRASE).claims
    ingest(UNRELATED)
    paraphrase = next(c for c in other if "Unity" in c.content)
    items = related.related_claims(kallas_unity(seed))
    assert items, "nothing related"
    assert items[0].claim.id == paraphrase.id, [i.claim.content for i in items]
    assert not items[0].same_article and not items[0].same_speaker
    assert all("tram" not in i.claim.content for i in items)
    scores = [i.score for i in items if not i.same_article]
    assert scores == sorted(scores, reverse=True)


def test_related_api_orders_by_score(seed, ingest, client, editor, token_for):
    ingest(PARAPHRASE)
    response = client.get(f"/api/v1/claims/{kallas_unity(seed).id}/related?k=3", headers=token_for(editor))
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert 1 <= len(items) <= 3
    assert [i["score"] for i in items] == sorted((i["score"] for i in items), reverse=True)
    assert {"id", "content", "speaker", "status", "score"} <= set(items[0])
    assert "Unity" in items[0]["content"]


def test_claim_page_shows_related_claims_and_their_evidence(seed, ingest, client, auth, editor):
    paraphrase = next(c for c in ingest(PARAPHRASE).claims if "Unity" in c.content)
    service.link_evidence(paraphrase.id, user=editor, evidence=service.EvidenceInput(
        url="https://example.org/eu-summit", title="EU summit statement on unity", stance="context"))
    auth.login(editor)
    page = client.get(f"/claims/{kallas_unity(seed).id}").get_data(as_text=True)
    related_section = page.split('id="related"', 1)[1]
    assert "Unity is the strongest answer" in related_section
    assert "EU summit statement on unity" in related_section
    assert "Link here" in related_section


def test_evidence_suggested_directly_by_its_text(seed, editor):
    claim = kallas_unity(seed)
    stoltenberg = next(c for c in seed.claims if c.content.startswith("Russia has attacked Ukraine"))
    service.link_evidence(stoltenberg.id, user=editor, evidence=service.EvidenceInput(
        url="https://example.org/unity", title="Why unity is the best response to Russian aggression",
        excerpt="Analysts agree that a united response to Russia's aggression works best.", stance="context"))
    suggestions = related.related_evidence(claim)
    assert suggestions and suggestions[0].evidence.url == "https://example.org/unity"
    service.link_evidence(claim.id, user=editor, evidence_id=suggestions[0].evidence.id, stance="supports")
    assert all(s.evidence.url != "https://example.org/unity" for s in related.related_evidence(claim))


def test_editing_a_claim_updates_its_vector(seed, editor):
    claim = kallas_unity(seed)
    before = db.session.scalar(sa.select(Embedding).where(Embedding.owner_kind == "claim",
                                                           Embedding.owner_id == claim.id))
    old_vector, old_row = before.vector, before.id
    service.update_claim(claim.id, user=editor, version=claim.version,
                         changes={"content": "The tram fares in the city will not change next year"})
    after = db.session.scalar(sa.select(Embedding).where(Embedding.owner_kind == "claim",
                                                          Embedding.owner_id == claim.id))
    assert after.id != old_row and after.vector != old_vector
    assert db.session.scalar(sa.select(sa.func.count(Embedding.id)).where(Embedding.owner_id == claim.id,
                                                                           Embedding.owner_kind == "claim")) == 1
    neighbours = [i.claim.content for i in related.related_claims(claim)]
    assert not any("aggression" in n for n in neighbours)


def test_a_quote_repeated_in_another_article_is_flagged(seed, ingest):
    again = ingest('Estonia\'s prime minister wrote on Thursday: "The most effective response to Russia\'s '
                   'aggression is unity." Her words were shared widely.').claims
    repeat = next(c for c in again if "effective response" in c.content)
    assert repeat.duplicate_of_id == kallas_unity(seed).id


def test_reindex_after_a_model_change(seed, app, runner):
    old_name = app.config["CLAIMDESK_EMBEDDING_MODEL"]
    new_name = resolve_model_path(old_name)  # the same weights under another name: a "new" model
    app.config["CLAIMDESK_EMBEDDING_MODEL"] = new_name
    try:
        assert related.index_status() == (0, len(seed.claims))
        assert not related.is_indexed(seed.claims[0])
        result = runner.invoke(args=["reindex"])
        assert result.exit_code == 0, result.output
        assert f"{len(seed.claims)} claims" in result.output
        models = set(db.session.scalars(sa.select(Embedding.model)))
        assert models == {new_name}
        assert related.is_indexed(seed.claims[0])
        assert related.related_claims(kallas_unity(seed))
    finally:
        app.config["CLAIMDESK_EMBEDDING_MODEL"] = old_name


def test_a_failed_ingest_leaves_no_phantom_vectors_in_the_index(seed, ingest, monkeypatch):
    from app.ingest import service as ingest_service
    from app.related import index

    real = ingest_service._after_claims_created

    def fail_after_writing(claims, prepared):
        real(claims, prepared)
        db.session.flush()
        raise RuntimeError("disk full")

    monkeypatch.setattr(ingest_service, "_after_claims_created", fail_after_writing)
    try:
        ingest(UNRELATED)
    except RuntimeError:
        pass
    monkeypatch.undo()
    ingest(PARAPHRASE)
    reader = index.reader("claim")
    stored = set(db.session.scalars(sa.select(Claim.id)))
    assert len(reader) == len(stored) and all(i in reader for i in stored)
    assert not any("tram" in c.content for c in db.session.scalars(sa.select(Claim)))


def test_evidence_from_the_index_says_where_it_comes_from(seed, client, auth, editor):
    """Evidence found by its own text (no similar claim uses it) is worded as such, not
    "used for claim #None (None)"."""
    claim = kallas_unity(seed)
    stoltenberg = next(c for c in seed.claims if c.content.startswith("Russia has attacked Ukraine"))
    link = service.link_evidence(stoltenberg.id, user=editor, evidence=service.EvidenceInput(
        url="https://example.org/unity", title="Why unity is the best response to Russian aggression",
        excerpt="Analysts agree that a united response to Russia's aggression works best.", stance="context"))
    service.unlink_evidence(stoltenberg.id, link.id, user=editor)  # stored, linked to nothing
    suggestion = next(s for s in related.related_evidence(claim) if s.evidence.url == "https://example.org/unity")
    assert suggestion.claim_id is None and suggestion.uses == 0
    auth.login(editor)
    page = client.get(f"/claims/{claim.id}").get_data(as_text=True).split('id="related"', 1)[1]
    assert "#None" not in page and "(None)" not in page
    assert "close to this claim's words; not linked to any claim yet" in page

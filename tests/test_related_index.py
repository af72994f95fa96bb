"""The desk's related-claims index and full-text search: kept in step by ingest, edits,
deletes and the database; exact below the size setting; rebuilt by flask reindex.

Runs on SQLite, and on PostgreSQL with TEST_DATABASE_URL."""
from __future__ import annotations

import numpy as np
import sqlalchemy as sa

from app import related
from app.extensions import db
from app.models import Claim, Embedding, Evidence
from app.related import index, lexical
from app.similarity import resolve_model_path
from app.workflow import service

TRAM = ('"The new tram line will open in May," city planner Jonas Berg said on Monday, '
        "adding that tickets would cost the same as on the buses.")


def claims_stored() -> int:
    return db.session.scalar(sa.select(sa.func.count(Claim.id)))


def matching(kind: str, text: str) -> set[int]:
    return set(lexical.search(kind, text, budget=10_000).ids.tolist())


def test_ingested_claims_are_in_the_full_text_search_and_the_index(seed, ingest):
    tram = next(c for c in ingest(TRAM).claims if "tram" in c.content)
    assert tram.id in matching("claim", "tram line")
    assert matching("claim", "tram") == {tram.id}
    # Tokenised as the engine's BM25: a plural finds its singular and back ("trams" finds
    # "tram", "lines" finds "line"), and nothing is stemmed further ("opening" is not "open").
    assert tram.id in matching("claim", "trams")
    assert tram.id in matching("claim", "lines")
    assert tram.id not in matching("claim", "opening")
    reader = index.reader("claim")
    assert len(reader) == claims_stored() and tram.id in reader


def test_an_edit_moves_a_claim_in_the_full_text_search_and_the_index(seed, ingest, editor):
    tram = next(c for c in ingest(TRAM).claims if "tram" in c.content)
    service.update_claim(tram.id, user=editor, version=tram.version,
                         changes={"content": "Ferry crossings to the island double next summer"})
    assert tram.id not in matching("claim", "tram")
    assert matching("claim", "ferry island") == {tram.id}
    reader = index.reader("claim")
    stored = db.session.scalar(sa.select(Embedding).where(Embedding.owner_kind == "claim",
                                                          Embedding.owner_id == tram.id))
    vector = np.frombuffer(stored.vector, dtype="<f4")
    assert reader.search(vector, 1)[0][0] == tram.id
    assert len(reader) == claims_stored()


def test_evidence_is_searchable_by_title_and_excerpt(seed, editor):
    claim = seed.claims[0]
    service.link_evidence(claim.id, user=editor, evidence=service.EvidenceInput(
        url="https://example.org/budget", title="Defence budget figures for 2024",
        excerpt="Spending on air defence rose sharply.", stance="context"))
    item = db.session.scalar(sa.select(Evidence).where(Evidence.url == "https://example.org/budget"))
    assert matching("evidence", "budget") == {item.id}
    assert matching("evidence", "sharply") == {item.id}
    item.title = "Naval procurement overview"
    db.session.commit()
    assert matching("evidence", "budget") == set()
    assert matching("evidence", "naval procurement") == {item.id}
    assert item.id in index.reader("evidence")


def test_a_deleted_claim_leaves_the_full_text_search_and_the_index(seed, ingest):
    tram = next(c for c in ingest(TRAM).claims if "tram" in c.content)
    tram_id = tram.id
    db.session.execute(sa.delete(Embedding).where(Embedding.owner_kind == "claim", Embedding.owner_id == tram_id))
    db.session.delete(tram)
    db.session.commit()
    assert matching("claim", "tram") == set()
    reader = index.reader("claim")
    assert tram_id not in reader and len(reader) == claims_stored()


def test_a_rolled_back_change_never_reaches_the_index(seed, ingest):
    before = len(index.reader("claim"))
    article = seed.article
    claim = Claim(article=article, content="A claim that is never committed", kind="direct", start=0, end=1)
    db.session.add(claim)
    db.session.flush()
    related.embed_claims([claim])
    db.session.rollback()
    assert len(index.reader("claim")) == before


def test_exact_below_the_size_setting_and_approximate_above(app, seed, ingest):
    reader = index.reader("claim")
    assert reader.exact  # 16 claims: far below the default
    old = app.config["CLAIMDESK_ANN_EXACT_BELOW"]
    app.config["CLAIMDESK_ANN_EXACT_BELOW"] = 10
    try:
        index.reset(app)
        index.rebuild("claim")
        reader = index.reader("claim")
        assert not reader.exact and reader.info.base == "hnsw"
        exact_items = None
        approx_items = [r.claim.id for r in related.related_claims(seed.claims[-2], k=3)]
    finally:
        app.config["CLAIMDESK_ANN_EXACT_BELOW"] = old
        index.reset(app)
    index.rebuild("claim")
    assert index.reader("claim").exact
    exact_items = [r.claim.id for r in related.related_claims(seed.claims[-2], k=3)]
    assert approx_items == exact_items  # at this size HNSW finds the same neighbours


def test_a_write_builds_a_missing_index(app, seed, ingest):
    import shutil

    shutil.rmtree(index.directory("claim"))
    index.reset(app)
    assert not index.reader("claim").available
    tram = next(c for c in ingest(TRAM).claims if "tram" in c.content)
    reader = index.reader("claim")
    assert reader.available and tram.id in reader and len(reader) == claims_stored()


def test_reindex_if_missing_builds_only_what_is_missing(app, seed, runner):
    import shutil

    result = runner.invoke(args=["reindex", "--if-missing"])
    assert result.exit_code == 0 and "present" in result.output
    shutil.rmtree(index.directory("claim"))
    index.reset(app)
    result = runner.invoke(args=["reindex", "--if-missing"])
    assert result.exit_code == 0 and "claim" in result.output, result.output
    assert len(index.reader("claim")) == len(seed.claims)


def test_a_model_change_gets_its_own_index_and_reindex_drops_the_old(app, seed, runner):
    old_name = app.config["CLAIMDESK_EMBEDDING_MODEL"]
    old_dir = index.directory("claim")
    assert old_dir.is_dir()
    app.config["CLAIMDESK_EMBEDDING_MODEL"] = resolve_model_path(old_name)  # a "new" model
    try:
        assert not index.reader("claim").available  # the old model's files are not read
        result = runner.invoke(args=["reindex"])
        assert result.exit_code == 0, result.output
        reader = index.reader("claim")
        assert reader.available and len(reader) == len(seed.claims)
        assert index.directory("claim") != old_dir and not old_dir.exists()
    finally:
        app.config["CLAIMDESK_EMBEDDING_MODEL"] = old_name


def test_the_full_text_query_keeps_the_rarest_words_within_the_budget():
    assert lexical.query_words("The tram, the TRAMS and the buses!") == ["tram", "buse"]
    words = ["said", "tram", "city", "berg"]
    frequencies = [900.0, 3.0, 400.0, 1.0]
    assert lexical._within_budget(words, frequencies, 10) == ["berg", "tram"]
    assert lexical._within_budget(words, frequencies, 500) == ["berg", "tram", "city"]
    assert lexical._within_budget(words, frequencies, 0) == []


def test_the_full_text_query_folds_words_as_the_engine_does():
    from app.similarity.lexical import tokenize

    text = "Vaccinations of nurses: the 1990s crisis was less serious, says Ms Kallas"
    assert lexical.query_words(text) == list(dict.fromkeys(tokenize(text)))
    assert lexical.word_forms("nurse") == ("nurse", "nurses")
    assert lexical.word_forms("less") == ("less",) and lexical.word_forms("ms") == ("ms",)
    assert all(lexical.fold_plural(form) == term for term in lexical.query_words(text)
               for form in lexical.word_forms(term))


def test_a_lookup_scores_only_the_rows_its_budget_allows(seed, ingest):
    ingest(TRAM)
    if lexical.dialect() == "postgresql":  # word frequencies come from the planner's statistics
        db.session.execute(sa.text("ANALYZE claims"))
        db.session.commit()
    everything = lexical.search("claim", "Russia NATO tram", budget=10_000)
    tight = lexical.search("claim", "Russia NATO tram", budget=2)
    assert set(tight.words) < set(everything.words) and "tram" in tight.words
    assert len(tight.ids) == 1 and len(everything.ids) > 1

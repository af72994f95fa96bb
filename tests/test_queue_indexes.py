"""The queue's search after its rewrite for indexes, and the migration that adds them."""
from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.workflow.queries import ClaimFilters, search_claims

STORY = (
    "Ports and prices\n\n"
    "\u201cThe harbour fund is empty,\u201d Mayor Anna Lindqvist told reporters on Monday.\n\n"
    "\u201cPrices rose by 100% in a year,\u201d economist Omar Farouk said.\n\n"
    "\u201cNothing_here will change,\u201d councillor Bo Ek said."
)


def found(q: str) -> list[str]:
    return sorted(c.content for c in search_claims(ClaimFilters(q=q)).items)


def test_search_matches_claim_text_or_speaker_any_case(ingest):
    ingest(STORY)
    assert found("HARBOUR") == ["The harbour fund is empty"]
    assert found("lindqvist") == ["The harbour fund is empty"]  # the speaker's name
    assert found("farouk prices") == ["Prices rose by 100% in a year"]  # one term each side, both needed
    assert found("farouk harbour") == []
    assert search_claims(ClaimFilters(q="said")).total == 0


def test_search_wildcards_are_literal(ingest):
    ingest(STORY)
    assert found("100%") == ["Prices rose by 100% in a year"]
    assert found("%") == ["Prices rose by 100% in a year"]
    assert found("g_here") == ["Nothing_here will change"]
    assert found("_") == ["Nothing_here will change"]


def test_models_and_migrations_agree(app):
    """Autogenerate finds nothing to do at head: every model index is in a migration, and
    the PostgreSQL-only trigram indexes are left alone."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from app.extensions import include_object

    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": include_object})
        assert compare_metadata(context, db.metadata) == []


def test_trigram_indexes_exist_on_postgresql_only(app):
    with db.engine.connect() as conn:
        if conn.dialect.name != "postgresql":
            names = {i["name"] for i in sa.inspect(conn).get_indexes("claims")}
            assert "ix_claims_content_trgm" not in names and "ix_claims_updated_at_id" in names
            return
        rows = conn.execute(sa.text("SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE '%_trgm'"))
        indexes = dict(rows.all())
    assert set(indexes) == {"ix_claims_content_trgm", "ix_speakers_name_trgm"}
    assert all("gin" in d and "gin_trgm_ops" in d for d in indexes.values())


def result_count(client) -> str:
    import re

    return re.search(r'id="result-count">([^<]+)<', client.get("/queue").get_data(as_text=True)).group(1)


def test_short_queues_are_counted_exactly(client, auth, editor, seed):
    auth.login(editor)
    assert result_count(client) == f"{len(seed.claims)} claims"


def test_long_queue_totals_are_the_planner_estimate_on_postgresql(app, client, auth, editor, seed, monkeypatch):
    monkeypatch.setitem(app.config, "CLAIMDESK_QUEUE_EXACT_COUNT_UP_TO", 1)  # "long" = more than one claim
    auth.login(editor)
    shown = result_count(client)
    if db.engine.dialect.name == "postgresql":
        assert shown.startswith("about ") and shown.endswith(" claims")
    else:  # SQLite has no planner estimate: always exact
        assert shown == f"{len(seed.claims)} claims"
    assert search_claims(ClaimFilters()).total == len(seed.claims)  # the API's total stays exact

"""Wire copies: a reprint of a stored article (new headline, a paragraph dropped, boilerplate
added) is found at ingest, stored with ``copy_of``, and its repeated quotes are linked to the
original's claims, not left as new work."""
from __future__ import annotations

import sqlalchemy as sa

from app.copies import minhash
from app.copies.service import COPY_THRESHOLD, find_copy, index_missing
from app.extensions import db
from app.models import ArticleBand, AuditEvent, Claim
from tests.conftest import SEED

BOILERPLATE_TOP = "Sign up to our daily briefing and get the top stories in your inbox every morning."
BOILERPLATE_END = ("Copyright 2022 Example Wire Service. All rights reserved. This material may not be "
                   "published, broadcast, rewritten or redistributed without permission.")

OTHER_STORY = """EU leaders agree on new sanctions package

European Union leaders agreed on Thursday night to a new package of sanctions targeting Russian banks and energy.

"We are putting maximum pressure on the Kremlin," Commission President Ursula von der Leyen told reporters in Brussels.

Diplomats said the measures would take effect within days, after each capital signs them off.

"This is not the last word," French President Emmanuel Macron said, adding that more could follow if fighting continues.
"""


def wire_copy(text: str) -> str:
    """``text`` (the seed article) as another site reprints it: a new headline instead of
    its own (the second paragraph), its fifth paragraph dropped, the site's boilerplate above
    and below."""
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    kept = paragraphs[:1] + paragraphs[2:4] + paragraphs[5:]
    return "\n\n".join(["Stoltenberg: alliance will defend every ally", BOILERPLATE_TOP, *kept, BOILERPLATE_END])


# --- the engine ---------------------------------------------------------------------------

def test_sketches_are_stable_and_key_every_band():
    text = SEED.read_text(encoding="utf-8")
    first, again = minhash.sketch(text), minhash.sketch(text.replace("\n\n", "\n"))  # spacing does not count
    assert first.band_keys == again.band_keys and len(first.band_keys) == minhash.BANDS
    assert all(-2**63 <= key < 2**63 for key in first.band_keys)
    assert minhash.sketch("").empty and minhash.sketch("").band_keys == ()


def test_a_copy_is_similar_and_another_story_is_not():
    text = SEED.read_text(encoding="utf-8")
    original, copy, other = (minhash.sketch(t) for t in (text, wire_copy(text), OTHER_STORY))
    assert minhash.jaccard(original.shingles, copy.shingles) >= 0.6
    assert set(original.band_keys) & set(copy.band_keys)
    assert minhash.jaccard(original.shingles, other.shingles) < 0.05
    assert not set(original.band_keys) & set(other.band_keys)


# --- at ingest ------------------------------------------------------------------------------

def test_a_wire_copy_is_stored_with_copy_of_and_its_quotes_as_repeats(ingest, editor, client, auth, token_for):
    text = SEED.read_text(encoding="utf-8")
    original = ingest(text, title="NATO vows to defend its entire territory")
    other = ingest(OTHER_STORY)
    copy = ingest(wire_copy(text), title="Stoltenberg: alliance will defend every ally", user=editor)

    assert other.article.copy_of is None and original.article.copy_of is None
    assert copy.article.copy_of["id"] == original.article.id
    assert COPY_THRESHOLD <= copy.article.copy_of["similarity"] <= 1

    originals = {c.id: c for c in original.claims}
    repeats = [c for c in copy.claims if c.duplicate_of_id in originals]
    assert len(repeats) >= len(copy.claims) - 1 >= 5  # its quotes are the original's (extraction may differ at an edge)
    assert sum(c.content == originals[c.duplicate_of_id].content for c in repeats) >= len(repeats) - 1
    assert not any(c.duplicate_of_id in originals for c in other.claims)

    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.article_id == copy.article.id,
                                                          AuditEvent.action == "article_ingested"))
    assert event.after["copy_of"]["id"] == original.article.id
    assert event.after["copy_of"]["repeated_claims"] == len(repeats)

    # The API: the article with its claim ids and copy_of.
    body = client.get(f"/api/v1/articles/{copy.article.id}", headers=token_for(editor)).get_json()
    assert body["id"] == copy.article.id and body["title"] == "Stoltenberg: alliance will defend every ally"
    assert body["claims"] == [c.id for c in sorted(copy.claims, key=lambda c: (c.start, c.id))]
    assert body["copy_of"] == copy.article.copy_of
    assert {"url", "publisher", "published_at", "ingested_at"} <= set(body)
    assert client.get(f"/api/v1/articles/{original.article.id}", headers=token_for(editor)).get_json()["copy_of"] is None
    missing = client.get("/api/v1/articles/99999", headers=token_for(editor))
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"

    # The pages: the article names its original, a repeated claim points at the original's claim.
    auth.login(editor)
    page = client.get(f"/articles/{copy.article.id}").get_data(as_text=True)
    assert "A wire copy of" in page and f'/articles/{original.article.id}"' in page
    claim_page = client.get(f"/claims/{repeats[0].id}").get_data(as_text=True)
    assert f"/claims/{repeats[0].duplicate_of_id}" in claim_page and "which this article copies" in claim_page

    # The queue: repeats can be hidden, or sorted after the new work.
    queue = client.get("/api/v1/claims?sort=repeats_last&per_page=200", headers=token_for(editor)).get_json()
    flags = [item["duplicate_of"] is not None for item in queue["items"]]
    assert flags == sorted(flags) and any(flags)
    hidden = client.get("/api/v1/claims?hide_duplicates=1&per_page=200", headers=token_for(editor)).get_json()
    assert not {c.id for c in repeats} & {item["id"] for item in hidden["items"]}


def test_the_index_lives_in_the_database(ingest, make_article):
    """Articles stored without band keys (before this feature) are indexed by
    ``flask index-copies``; a new process finds copies through the table alone."""
    text = SEED.read_text(encoding="utf-8")
    stored = make_article(text, title="Stored before copy detection")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ArticleBand)) == 0
    assert find_copy(minhash.sketch(wire_copy(text))) is None
    assert index_missing() == 1 and index_missing() == 0
    keys = set(db.session.scalars(sa.select(ArticleBand.band_key).where(ArticleBand.article_id == stored.id)))
    assert keys == set(minhash.sketch(text).band_keys)

    copy = ingest(wire_copy(text))
    assert copy.article.copy_of["id"] == stored.id


def test_index_copies_command(runner, make_article):
    make_article(OTHER_STORY)
    result = runner.invoke(args=["index-copies"])
    assert result.exit_code == 0 and "1 article indexed" in result.output
    assert "0 articles indexed" in runner.invoke(args=["index-copies"]).output
    assert "1 article indexed" in runner.invoke(args=["index-copies", "--rebuild"]).output


def test_claims_of_a_distinct_article_are_never_linked_to_another(ingest):
    first = ingest(OTHER_STORY)
    second = ingest(SEED.read_text(encoding="utf-8"))
    assert second.article.copy_of is None
    assert not db.session.scalar(sa.select(sa.func.count()).select_from(Claim).where(
        Claim.article_id == second.article.id, Claim.duplicate_of_id.in_([c.id for c in first.claims])))

"""Speakers as records (app.workflow.speakers): profile, corrections, merges and their undo."""
from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa

from app.errors import BadStatus, Forbidden, Invalid, NotFound, StaleVersion
from app.extensions import db
from app.ingest.speakers import find_or_create_speaker, find_speaker
from app.models import AuditEvent, Claim, Speaker, SpeakerAlias, SpeakerMerge
from app.workflow import service
from app.workflow import speakers
from tests.workflow.conftest import KALLAS_2023

KALLAS_2019 = """"We will defend our border," Reform Party leader Kaja Kallas said in Tallinn."""


def speaker_state() -> dict:
    """Everything a speaker action may write, read fresh."""
    db.session.expire_all()
    return {
        "speakers": [(s.id, s.name, s.name_key, s.role, s.affiliation, s.merged_into_id)
                     for s in db.session.scalars(sa.select(Speaker).order_by(Speaker.id))],
        "aliases": sorted(db.session.execute(sa.select(SpeakerAlias.id, SpeakerAlias.speaker_id,
                                                       SpeakerAlias.alias_key)).all()),
        "claims": sorted(db.session.execute(sa.select(Claim.id, Claim.speaker_id, Claim.version)).all()),
        "events": db.session.scalar(sa.select(sa.func.count(AuditEvent.id))),
        "merges": db.session.scalar(sa.select(sa.func.count(SpeakerMerge.id))),
    }


@pytest.fixture
def refused_speaker():
    """``with refused_speaker(Error):`` expects exactly that error and proves nothing changed."""
    from contextlib import contextmanager

    @contextmanager
    def check(error, match=None):
        before = speaker_state()
        with pytest.raises(error, match=match) as info:
            yield info
        assert type(info.value) is error
        db.session.commit()
        assert speaker_state() == before
    return check


@pytest.fixture
def kallas_twice(claims, make_article, make_claim):
    """Kaja Kallas (from the seed excerpt) and a duplicate "Prime Minister Kallas" record
    with a quote from a later article, as an extractor without the alias would store it."""
    kallas = next(c.speaker for c in claims if c.speaker and c.speaker.name == "Kaja Kallas")
    later = make_article(KALLAS_2023, title="Kallas in Brussels", published_at=datetime(2023, 3, 3))
    make_claim(later, "Russia must lose this war", speaker="Prime Minister Kallas", speaker_role="Prime Minister",
               speaker_aliases=("PM Kallas",))
    duplicate = db.session.scalar(sa.select(Speaker).where(Speaker.name == "Prime Minister Kallas"))
    return kallas, duplicate


# --- the record ------------------------------------------------------------------------------

def test_profile_counts_verdicts_of_approved_claims_only(claims, to_approved, to_review, editor2):
    stoltenberg = claims[0].speaker
    to_approved(claims[1].id, verdict="true", n=1)
    to_approved(claims[2].id, verdict="mostly_false", n=2)
    to_review(claims[0].id, by=editor2, verdict="false", n=3)  # proposed only: not counted
    info = speakers.profile(stoltenberg.id)
    assert info.claims == 3
    assert info.tally == [("true", "True", 1), ("mostly_false", "Mostly false", 1)]
    assert info.approved == 2
    assert {c.id for c in info.recent} == {claims[0].id, claims[1].id, claims[2].id}


def test_roles_over_time_follow_the_articles_dates(kallas_twice, make_article, make_claim, editor):
    kallas, duplicate = kallas_twice
    early = make_article(KALLAS_2019, title="Election night", published_at=datetime(2019, 3, 3))
    make_claim(early, "We will defend our border", speaker="Kaja Kallas", speaker_role="Reform Party leader")
    speakers.merge(duplicate.id, into=kallas.id, user=editor)
    roles = speakers.roles_over_time(kallas.id)
    # the seed excerpt has no date of its own: it counts from when it came in (now)
    assert [(r.role, r.articles) for r in roles] == [
        ("Reform Party leader", 1), ("Prime Minister", 1), ("Estonian Prime Minister", 1)]
    assert roles[0].first_at == datetime(2019, 3, 3) and roles[1].last_at == datetime(2023, 3, 3)
    assert roles[1].last_article_title == "Kallas in Brussels"


# --- corrections -----------------------------------------------------------------------------

def test_update_speaker_keeps_the_old_name_as_alias_and_is_audited(claims, editor):
    kallas = claims[4].speaker
    speakers.update_speaker(kallas.id, user=editor, changes={
        "name": "Kaja  Kallas-Estonia", "role": "Prime Minister of Estonia", "affiliation": " Reform Party "})
    db.session.expire_all()
    kallas = db.session.get(Speaker, kallas.id)
    assert (kallas.name, kallas.role, kallas.affiliation) == ("Kaja Kallas-Estonia", "Prime Minister of Estonia",
                                                             "Reform Party")
    assert find_speaker("Kaja Kallas").id == kallas.id  # the old name still leads here
    event = speakers.history(kallas.id)[-1]
    assert event.action == "speaker_edited" and event.user_id == editor.id
    assert event.before == {"name": "Kaja Kallas", "role": "Estonian Prime Minister", "affiliation": None}
    assert event.after["affiliation"] == "Reform Party"


def test_update_speaker_without_a_change_records_nothing(claims, editor):
    kallas = claims[4].speaker
    before = speaker_state()
    speakers.update_speaker(kallas.id, user=editor, changes={"name": " Kaja Kallas ", "role": "Estonian Prime Minister"})
    assert speaker_state() == before


@pytest.mark.parametrize("changes, field", [
    ({"name": ""}, "name"), ({"name": "x" * 201}, "name"), ({"role": 7}, "role"), ({"kind": "group"}, None),
    ({"name": "Jens Stoltenberg"}, "name"),
])
def test_bad_corrections_are_refused_and_write_nothing(claims, editor, refused_speaker, changes, field):
    kallas = claims[4].speaker
    with refused_speaker(Invalid) as info:
        speakers.update_speaker(kallas.id, user=editor, changes=changes)
    if field:
        assert info.value.details.get("field") == field
    if changes.get("name") == "Jens Stoltenberg":
        assert info.value.details["existing_id"] == claims[0].speaker_id and "merge" in info.value.message


# --- merges -----------------------------------------------------------------------------------

def test_merge_moves_claims_aliases_and_history_and_is_audited(kallas_twice, editor, reviewer):
    kallas, duplicate = kallas_twice
    speakers.update_speaker(duplicate.id, user=reviewer, changes={"affiliation": "Government of Estonia"})
    moved_claim = db.session.scalar(sa.select(Claim).where(Claim.speaker_id == duplicate.id))
    version = moved_claim.version
    survivor = speakers.merge(duplicate.id, into=kallas.id, user=editor)
    assert survivor.id == kallas.id
    db.session.expire_all()
    claim = db.session.get(Claim, moved_claim.id)
    assert claim.speaker_id == kallas.id and claim.version == version + 1
    assert service.history(claim.id)[-1].action == "speaker_merged"
    assert service.history(claim.id)[-1].before["speaker"] == "Prime Minister Kallas"
    kallas = db.session.get(Speaker, kallas.id)
    aliases = {a.alias for a in kallas.aliases}
    assert {"PM Kallas", "Prime Minister Kallas"} <= aliases
    assert kallas.affiliation == "Government of Estonia"  # empty on the survivor: taken over
    assert kallas.role == "Estonian Prime Minister"  # the survivor's own is kept
    assert [e.action for e in speakers.history(kallas.id)] == ["speaker_edited", "speaker_merged"]
    assert speakers.profile(kallas.id).claims == 2
    # the merged name leads to the survivor, for the next article too
    assert find_speaker("Prime Minister Kallas").id == kallas.id
    assert find_or_create_speaker("PM Kallas").id == kallas.id
    assert [s.id for s, _ in speakers.list_speakers("Kallas")] == [kallas.id]


def test_a_claim_page_open_before_the_merge_is_stale(kallas_twice, editor):
    kallas, duplicate = kallas_twice
    claim = db.session.scalar(sa.select(Claim).where(Claim.speaker_id == duplicate.id))
    version = claim.version
    speakers.merge(duplicate.id, into=kallas.id, user=editor)
    with pytest.raises(StaleVersion, match="merged two speakers|speaker merged"):
        service.update_claim(claim.id, user=editor, version=version, changes={"cue": "said"})


def test_merge_into_itself_or_nobody_is_refused(kallas_twice, editor, refused_speaker):
    kallas, duplicate = kallas_twice
    with refused_speaker(Invalid, match="itself") as info:
        speakers.merge(kallas.id, into=kallas.id, user=editor)
    assert info.value.details["field"] == "into"
    with refused_speaker(NotFound) as info:
        speakers.merge(kallas.id, into=999_999, user=editor)
    assert info.value.details["field"] == "into"
    with refused_speaker(NotFound):
        speakers.merge(999_999, into=kallas.id, user=editor)
    with refused_speaker(Invalid):
        speakers.merge(kallas.id, into=None, user=editor)


def test_a_merged_speaker_cannot_be_merged_again_or_be_merged_into(kallas_twice, claims, editor, refused_speaker):
    kallas, duplicate = kallas_twice
    speakers.merge(duplicate.id, into=kallas.id, user=editor)
    stoltenberg = claims[0].speaker_id
    with refused_speaker(BadStatus, match="already"):
        speakers.merge(duplicate.id, into=stoltenberg, user=editor)
    with refused_speaker(BadStatus, match="merge into that speaker") as info:
        speakers.merge(stoltenberg, into=duplicate.id, user=editor)
    assert info.value.details["merged_into"] == kallas.id
    with refused_speaker(BadStatus, match="merged into"):
        speakers.update_speaker(duplicate.id, user=editor, changes={"role": "Prime Minister"})


def test_undo_merge_puts_back_what_moved(kallas_twice, editor, admin):
    kallas, duplicate = kallas_twice
    before = speaker_state()
    speakers.merge(duplicate.id, into=kallas.id, user=editor)
    restored = speakers.undo_merge(duplicate.id, user=admin)
    assert restored.id == duplicate.id
    after = speaker_state()
    assert after["speakers"] == before["speakers"]
    assert [(a[1], a[2]) for a in after["aliases"]] == [(a[1], a[2]) for a in before["aliases"]]
    assert [(c[0], c[1]) for c in after["claims"]] == [(c[0], c[1]) for c in before["claims"]]
    moved = next(c for c in after["claims"] if c[1] == duplicate.id)
    assert moved[2] == next(c for c in before["claims"] if c[0] == moved[0])[2] + 2  # merged, then back
    assert [e.action for e in speakers.history(kallas.id)] == ["speaker_merged", "speaker_unmerged"]
    assert service.history(moved[0])[-1].action == "speaker_unmerged"
    assert db.session.scalar(sa.select(SpeakerMerge)).undone_by_id == admin.id
    assert find_speaker("Prime Minister Kallas").id == duplicate.id


def test_claims_moved_since_the_merge_stay_where_they_were_put(kallas_twice, claims, editor, admin):
    kallas, duplicate = kallas_twice
    moved = db.session.scalar(sa.select(Claim).where(Claim.speaker_id == duplicate.id))
    speakers.merge(duplicate.id, into=kallas.id, user=editor)
    service.update_claim(moved.id, user=editor, version=None, changes={"speaker": "Jens Stoltenberg"})
    speakers.undo_merge(duplicate.id, user=admin)
    assert db.session.get(Claim, moved.id).speaker_id == claims[0].speaker_id


def test_only_an_admin_undoes_a_merge(kallas_twice, editor, reviewer, refused_speaker):
    kallas, duplicate = kallas_twice
    speakers.merge(duplicate.id, into=kallas.id, user=editor)
    for user in (editor, reviewer):
        with refused_speaker(Forbidden):
            speakers.undo_merge(duplicate.id, user=user)


def test_undo_needs_a_merge_and_goes_back_in_order(kallas_twice, claims, editor, admin, refused_speaker):
    kallas, duplicate = kallas_twice
    with refused_speaker(BadStatus, match="not merged"):
        speakers.undo_merge(kallas.id, user=admin)
    speakers.merge(duplicate.id, into=kallas.id, user=editor)
    speakers.merge(kallas.id, into=claims[0].speaker_id, user=editor)  # a mistake on top of a merge
    with refused_speaker(BadStatus, match="undo that merge first"):
        speakers.undo_merge(duplicate.id, user=admin)
    speakers.undo_merge(kallas.id, user=admin)
    speakers.undo_merge(duplicate.id, user=admin)
    assert speakers.profile(duplicate.id).claims == 1 and speakers.profile(kallas.id).claims == 1


def test_likely_duplicates_share_a_last_name_or_an_alias(kallas_twice, claims):
    kallas, duplicate = kallas_twice
    assert [s.id for s, _ in speakers.likely_duplicates(duplicate)] == [kallas.id]
    assert claims[0].speaker_id not in [s.id for s, _ in speakers.likely_duplicates(kallas)]

"""The queue's priority (issue 14): check-worthiness scored at ingest, the Priority sort,
repeats moved down, a word of why; and related claims in one order for the page and API."""
from __future__ import annotations

import sqlalchemy as sa

from app import related
from app.extensions import db
from app.models import Claim
from app.priority import priority_reason, set_priority
from app.workflow import service

CHECKABLE = ('"Unemployment fell to 4.1 percent last year, the lowest rate since 2001," the finance minister '
             'Anna Berg told parliament on Tuesday.\n\n'
             '"Thank you all for coming, it is wonderful to be here," she said.\n\n'
             '"Please send more air-defence systems," the ambassador Piet Smit urged member states.')


def test_ingest_scores_every_claim_and_sets_its_priority(ingest):
    claims = ingest(CHECKABLE).claims
    assert claims and all(c.checkworthiness is not None for c in claims)
    assert all(0.0 <= c.checkworthiness <= 1.0 for c in claims)
    number = next(c for c in claims if "4.1 percent" in c.content)
    pleasantry = next(c for c in claims if "wonderful" in c.content)
    assert number.checkworthiness > pleasantry.checkworthiness
    assert number.checkworthiness_reason in ("number", "comparison", "date")
    for claim in claims:
        assert claim.priority == claim.checkworthiness  # not a repeat, nothing checked it
    assert priority_reason(number) == number.checkworthiness_reason


def test_a_repeat_is_moved_down_and_says_so(seed, ingest):
    again = ingest('Estonia\'s prime minister wrote on Thursday: "The most effective response to Russia\'s '
                   'aggression is unity." Her words were shared widely.').claims
    repeat = next(c for c in again if "effective response" in c.content)
    assert repeat.duplicate_of_id is not None
    assert repeat.priority == repeat.checkworthiness - 1.0
    assert priority_reason(repeat) == f"repeat of #{repeat.duplicate_of_id}"


def test_editing_the_text_rescores_the_claim(ingest, editor):
    claims = ingest(CHECKABLE).claims
    pleasantry = next(c for c in claims if "wonderful" in c.content)
    before = pleasantry.checkworthiness
    service.update_claim(pleasantry.id, user=editor, version=pleasantry.version, changes={
        "content": "Thank you all for coming, it is wonderful to be here"})  # unchanged text: no rescoring
    assert db.session.get(Claim, pleasantry.id).checkworthiness == before


def _scored(claims, values):
    for claim, value in zip(claims, values):
        claim.checkworthiness, claim.checkworthiness_reason = value, "number"
        set_priority(claim)
    db.session.commit()


def test_queue_sorts_by_priority_by_default_and_newest_is_one_click_away(client, auth, editor, claims):
    _scored(claims, [0.2, 0.9, 0.05, 0.5, 0.7])
    claims[1].duplicate_of_id = claims[0].id  # the best-scored one is a repeat: it goes down
    set_priority(claims[1])
    db.session.commit()
    auth.login(editor)
    page = client.get("/queue").get_data(as_text=True)
    order = [int(x.split('"')[0]) for x in page.split('data-claim="')[1:]]
    assert order == [claims[4].id, claims[3].id, claims[0].id, claims[2].id, claims[1].id]
    assert f"repeat of #{claims[0].id}" in page and 'class="small text-body-secondary priority-reason"' in page
    assert 'aria-current="true" href="/queue?sort=priority' in page  # Priority is the current sort
    newest = client.get("/queue?sort=newest").get_data(as_text=True)
    assert [int(x.split('"')[0]) for x in newest.split('data-claim="')[1:]] == [c.id for c in claims]


def test_api_gives_priority_and_checkworthiness_and_sorts_by_priority(client, editor, token_for, claims):
    _scored(claims, [0.2, 0.9, 0.05, 0.5, 0.7])
    headers = token_for(editor)
    for query in ("", "?sort=priority"):
        items = client.get(f"/api/v1/claims{query}", headers=headers).get_json()["items"]
        assert [i["id"] for i in items] == [claims[i].id for i in (1, 4, 3, 0, 2)]
        assert [i["priority"] for i in items] == sorted((i["priority"] for i in items), reverse=True)
    first = items[0]
    assert first["checkworthiness"] == 0.9 and first["priority"] == 0.9 and first["priority_reason"] == "number"
    newest = client.get("/api/v1/claims?sort=newest", headers=headers).get_json()["items"]
    assert [i["id"] for i in newest] == [c.id for c in claims]


# --- related claims: one order for the page and the API -------------------------------------

KALLAS_FIRST = ('"The most effective response to Russia\'s aggression is unity," Estonian Prime Minister '
                'Kaja Kallas tweeted on Thursday.')
KALLAS_AGAIN = ('Speaking in Tallinn a week later, Estonian Prime Minister Kaja Kallas said: "The most effective '
                'response to the aggression of Russia is our unity." She met the Latvian president.')
OTHERS = ('"Unity is the strongest answer we can give to the aggression from Russia," the Latvian foreign '
          'minister Edgars Rinkevics told journalists in Riga.\n\n"Russia\'s aggression must be answered by a '
          'united Europe," the German chancellor Olaf Scholz said in Berlin.')


def _approve(claim_id, editor, reviewer):
    claim = service.link_evidence(claim_id, user=editor, evidence=service.EvidenceInput(
        url="https://example.org/unity", title="Statement on unity", stance="supports")).claim
    service.propose_verdict(claim_id, user=editor, verdict="true", rationale="She said it.",
                            version=db.session.get(Claim, claim.id).version)
    service.approve(claim_id, user=reviewer, version=db.session.get(Claim, claim_id).version)


def test_same_speaker_repeat_of_an_approved_claim_comes_first_on_page_and_api(
        ingest, client, auth, editor, reviewer, token_for):
    first = next(c for c in ingest(KALLAS_FIRST).claims if "effective response" in c.content)
    ingest(OTHERS)
    _approve(first.id, editor, reviewer)
    again = next(c for c in ingest(KALLAS_AGAIN).claims if "effective" in c.content)
    assert again.speaker_id == first.speaker_id

    items = related.related_claims(again)
    assert items[0].claim.id == first.id and items[0].repeat_of_approved
    assert all(not i.repeat_of_approved for i in items[1:])
    rest = [i for i in items[1:] if not i.same_article]
    assert [i.score for i in rest] == sorted((i.score for i in rest), reverse=True)
    assert [i.same_article for i in items[1:]] == sorted(i.same_article for i in items[1:])  # same article last

    api = client.get(f"/api/v1/claims/{again.id}/related", headers=token_for(editor)).get_json()["items"]
    assert [i["id"] for i in api] == [i.claim.id for i in items]
    assert api[0]["repeat_of_approved"] is True and api[0]["same_speaker"] is True

    auth.login(editor)
    page = client.get(f"/claims/{again.id}").get_data(as_text=True)
    panel = page.split('id="related"', 1)[1].split("</section>", 1)[0]
    shown = [int(x.split('"')[0]) for x in panel.split('href="/claims/')[1:] if x.split('"')[0].isdigit()]
    assert shown[:len(api)] == [i["id"] for i in api]
    assert panel.index("Same speaker, already approved") < panel.index(f'href="/claims/{first.id}"')


def test_an_unapproved_same_speaker_claim_is_not_labelled(ingest):
    first = next(c for c in ingest(KALLAS_FIRST).claims if "effective response" in c.content)
    again = next(c for c in ingest(KALLAS_AGAIN).claims if "effective" in c.content)
    items = related.related_claims(again)
    assert any(i.claim.id == first.id and i.same_speaker for i in items)
    assert not any(i.repeat_of_approved for i in items)
    assert db.session.scalar(sa.select(Claim.status).where(Claim.id == first.id)) == "new"

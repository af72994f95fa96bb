"""Fact-checks from other publishers (issue 14): import of each format through the service,
the CLI, the API and the page; listing; ranking; the "already checked" flag and its one
click to evidence."""
from __future__ import annotations

import io
import json

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.factchecks import service
from app.models import AuditEvent, Claim, Embedding, FactCheck
from app.priority.checked import already_checked
from app.workflow import service as workflow

AIR = ("https://checks.example.org/air-defence", "NATO has sent more air-defence systems to Ukraine than Russia "
       "has fired missiles this year.")
INCH = ("https://checks.example.org/every-inch", "NATO will defend every inch of its territory.")


def review(url: str, claim: str, rating: str = "False", **extra) -> dict:
    return {"@context": "https://schema.org", "@type": "ClaimReview", "url": url, "claimReviewed": claim,
            "author": {"@type": "Organization", "name": "Check Example"}, "datePublished": "2026-03-01",
            "itemReviewed": {"@type": "Claim", "author": {"@type": "Person", "name": "Kaja Kallas"}},
            "reviewRating": {"@type": "Rating", "alternateName": rating, "ratingValue": 1, "bestRating": 5,
                             "worstRating": 1}, **extra}


def as_file(name: str, body) -> service.FactCheckFile:
    data = body if isinstance(body, bytes) else (body if isinstance(body, str) else json.dumps(body)).encode()
    return service.FactCheckFile(name, data)


FORMATS = {
    "object": lambda: as_file("one.json", review(*AIR)),
    "list": lambda: as_file("list.json", [review(*AIR), review(*INCH, rating="True")]),
    "graph": lambda: as_file("graph.jsonld", {"@context": "https://schema.org", "@graph": [
        {"@type": "Organization", "@id": "#org", "name": "Check Example"},
        {**review(*AIR), "author": {"@id": "#org"}}]}),
    "datafeed": lambda: as_file("feed.json", {"@context": "https://schema.org", "@type": "DataFeed",
                                              "dataFeedElement": [{"@type": "DataFeedItem", "item": review(*AIR)}]}),
    "csv": lambda: as_file("checks.csv", "claim,rating,url,publisher,date,claimant\n"
                                         f'"{AIR[1]}",False,{AIR[0]},Check Example,2026-03-01,Kaja Kallas\n'),
}


@pytest.mark.parametrize("kind", sorted(FORMATS))
def test_each_format_is_imported_with_its_fields_and_vectors(kind, editor):
    report = service.import_factchecks([FORMATS[kind]()], user_id=editor.id)
    assert not report.refused and report.new and AIR[0] in report.new
    fc = db.session.scalar(sa.select(FactCheck).where(FactCheck.url == AIR[0]))
    assert fc.claim_reviewed == AIR[1] and fc.rating_name == "False" and fc.publisher == "Check Example"
    assert fc.published_at.date().isoformat() == "2026-03-01" and fc.claimant == "Kaja Kallas"
    if kind != "csv":
        assert (fc.rating_value, fc.best_rating, fc.worst_rating) == (1.0, 5.0, 1.0)
    kinds = set(db.session.scalars(sa.select(Embedding.owner_kind).where(Embedding.owner_id == fc.id)))
    assert "factcheck" in kinds
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "factchecks_imported"))
    assert event.user_id == editor.id and event.after["new"] == len(report.new)


def test_reimport_updates_by_url_and_counts(editor):
    service.import_factchecks([as_file("a.json", [review(*AIR), review(*INCH)])], user_id=editor.id)
    report = service.import_factchecks([as_file("b.json", [review(*AIR, rating="Mostly false"), review(*INCH)])],
                                       user_id=editor.id)
    assert (len(report.new), len(report.updated), len(report.unchanged)) == (0, 1, 1)
    assert db.session.scalar(sa.select(sa.func.count(FactCheck.id))) == 2
    assert db.session.scalar(sa.select(FactCheck.rating_name).where(FactCheck.url == AIR[0])) == "Mostly false"


def test_bad_items_are_refused_one_by_one_with_a_reason(editor):
    bad = [review(*AIR), review("ftp://nope.example/x", "A claim."), {"@type": "ClaimReview", "url": INCH[0]},
           {**review("https://checks.example.org/no-rating", "Something."), "reviewRating": None}]
    report = service.import_factchecks([as_file("mixed.json", bad), as_file("broken.json", b"{not json"),
                                        as_file("empty.csv", "claim,rating\n")], user_id=editor.id)
    assert report.new == [AIR[0]]
    reasons = [f"{r.where}: {r.reason}" for r in report.refused]
    assert len(reasons) == 5, reasons
    assert any("mixed.json" in r and "claimReviewed" in r for r in reasons)
    assert any("broken.json" in r for r in reasons) and any("empty.csv" in r for r in reasons)
    assert db.session.scalar(sa.select(sa.func.count(FactCheck.id))) == 1
    refused_urls = {INCH[0], "https://checks.example.org/no-rating"}
    assert not db.session.scalars(sa.select(FactCheck).where(FactCheck.url.in_(refused_urls))).all()


def test_a_failure_while_writing_imports_nothing(editor, monkeypatch):
    from app import related

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(related, "write_vectors", broken)
    with pytest.raises(RuntimeError):
        service.import_factchecks([as_file("a.json", [review(*AIR), review(*INCH)])], user_id=editor.id)
    monkeypatch.undo()
    assert db.session.scalar(sa.select(sa.func.count(FactCheck.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Embedding.id))) == 0


def test_cli_imports_with_counts_and_reasons(runner, tmp_path):
    good, bad = tmp_path / "good.json", tmp_path / "bad.csv"
    good.write_text(json.dumps([review(*AIR), review(*INCH)]))
    bad.write_text("claim,rating,url\nA claim,False,not-a-url\n")
    result = runner.invoke(args=["import-factchecks", str(good), str(bad), str(tmp_path / "missing.json")])
    assert "2 new, 0 updated, 0 unchanged, 1 refused" in result.output
    assert "refused: bad.csv" in result.output and "missing.json: cannot be read" in result.output
    again = runner.invoke(args=["import-factchecks", str(good)])
    assert again.exit_code == 0 and "0 new, 0 updated, 2 unchanged, 0 refused" in again.output


def test_api_import_list_and_errors(client, editor, token_for):
    headers = token_for(editor)
    response = client.post("/api/v1/factchecks/import", headers=headers, data={
        "file": [(io.BytesIO(json.dumps([review(*AIR), review(*INCH)]).encode()), "feed.json"),
                 (io.BytesIO(b"claim,rating,url\nX,False,nope\n"), "bad.csv")]})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["new"], body["updated"]) == (2, 0) and len(body["refused"]) == 1
    assert body["refused"][0]["where"].startswith("bad.csv") and body["refused"][0]["reason"]
    raw = client.post("/api/v1/factchecks/import?name=one.json", headers={**headers, "Content-Type": "application/json"},
                      data=json.dumps(review(*AIR, rating="True")))
    assert raw.status_code == 200 and raw.get_json()["updated"] == 1
    nothing = client.post("/api/v1/factchecks/import", headers=headers,
                          data={"file": (io.BytesIO(b"{oops"), "broken.json")})
    assert nothing.status_code == 422 and nothing.get_json()["error"]["details"]["refused"]
    listed = client.get("/api/v1/factchecks?q=every+inch", headers=headers).get_json()
    assert listed["total"] == 1 and listed["items"][0]["url"] == INCH[0]
    item = listed["items"][0]
    assert item["claimReviewed"] == INCH[1] and item["rating"]["alternateName"] == "False"
    assert item["publisher"] == "Check Example" and item["claimant"] == "Kaja Kallas"


def test_page_lists_and_imports(client, auth, editor):
    auth.login(editor)
    page = client.get("/factchecks/")
    assert page.status_code == 200 and "No fact-checks imported yet" in page.get_data(as_text=True)
    response = client.post("/factchecks/import", data={"files": (io.BytesIO(json.dumps([review(*AIR)]).encode()),
                                                                 "feed.json")},
                           content_type="multipart/form-data", follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "1 new, 0 updated, 0 unchanged, 0 refused" in text and AIR[0] in text
    empty = client.post("/factchecks/import", data={}, content_type="multipart/form-data")
    assert empty.status_code == 422


def test_related_factchecks_command_ranks_as_the_claim_page(runner, tmp_path, make_article, make_claim, editor):
    service.import_factchecks([as_file("a.json", [review(*AIR), review(*INCH)])], user_id=editor.id)
    queries = tmp_path / "q.jsonl"
    queries.write_text(json.dumps({"id": "q1", "text": "NATO says it will defend every inch of its territory."})
                       + "\n" + json.dumps({"id": "q2", "text": "More air-defence systems went to Ukraine."}) + "\n")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(args=["related-factchecks", "--queries", str(queries), "--k", "2", "-o", str(out)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["id"] for line in lines] == ["q1", "q2"]
    assert lines[0]["ranked"][0] == INCH[0] and lines[1]["ranked"][0] == AIR[0]
    article = make_article("NATO says it will defend every inch of its territory.")
    claim = make_claim(article, "NATO says it will defend every inch of its territory.")
    from app import related

    related.embed_claims([claim])
    db.session.commit()
    assert [f.factcheck.url for f in service.factchecks_for_claim(claim, k=2)] == lines[0]["ranked"]


# --- "already checked" ------------------------------------------------------------------------

STORY = ('"NATO will defend every inch of its territory," Secretary General Jens Stoltenberg told reporters in '
         'Brussels on Thursday.\n\n"The weather in Brussels was lovely this week," he added.')


def test_a_claim_matching_an_imported_factcheck_is_flagged(ingest, editor, client, auth, token_for):
    service.import_factchecks([as_file("a.json", [review(*INCH, rating="Mostly true"), review(*AIR)])],
                              user_id=editor.id)
    claims = ingest(STORY).claims
    inch = next(c for c in claims if "every inch" in c.content)
    weather = next(c for c in claims if "weather" in c.content)
    assert inch.checked_kind == "factcheck" and weather.checked_kind is None
    found = already_checked(inch)
    assert found.url == INCH[0] and found.verdict == "Mostly true" and found.publisher == "Check Example"
    assert 0.5 < found.score <= 1.0
    assert inch.priority == pytest.approx(inch.checkworthiness - 2.0)

    headers = token_for(editor)
    items = {i["id"]: i for i in client.get("/api/v1/claims", headers=headers).get_json()["items"]}
    assert items[inch.id]["already_checked"] == {"kind": "factcheck", "url": INCH[0], "verdict": "Mostly true",
                                                 "publisher": "Check Example", "score": found.score,
                                                 "factcheck_id": found.factcheck_id}
    assert items[weather.id]["already_checked"] is None
    assert items[inch.id]["priority_reason"] == "already checked by Check Example"
    flagged = client.get("/api/v1/claims?already_checked=true", headers=headers).get_json()["items"]
    others = client.get("/api/v1/claims?already_checked=false", headers=headers).get_json()["items"]
    assert [i["id"] for i in flagged] == [inch.id] and inch.id not in [i["id"] for i in others]
    assert [i["id"] for i in client.get("/api/v1/claims", headers=headers).get_json()["items"]][-1] == inch.id

    auth.login(editor)
    queue = client.get("/queue").get_data(as_text=True)
    assert "Already checked</span>" in queue and "Mostly true · Check Example" in queue
    page = client.get(f"/claims/{inch.id}").get_data(as_text=True)
    assert 'id="already-checked"' in page and "Already checked by Check Example" in page and INCH[0] in page
    linked = client.post(f"/claims/{inch.id}/evidence/factcheck",
                         data={"factcheck_id": found.factcheck_id, "stance": "supports"}, follow_redirects=True)
    assert linked.status_code == 200 and "Fact-check linked as evidence." in linked.get_data(as_text=True)
    claim = db.session.get(Claim, inch.id)
    assert [link.evidence.url for link in claim.evidence_links] == [INCH[0]]
    assert claim.evidence_links[0].stance == "supports" and claim.status == "in_progress"


def test_an_approved_claim_flags_its_repeats(ingest, editor, reviewer, token_for, client):
    first = next(c for c in ingest(STORY).claims if "every inch" in c.content)
    workflow.link_evidence(first.id, user=editor, evidence=workflow.EvidenceInput(
        url="https://example.org/nato-charter", title="NATO charter, article 5", stance="supports"))
    workflow.propose_verdict(first.id, user=editor, verdict="true", rationale="Article 5.",
                             version=db.session.get(Claim, first.id).version)
    again = next(c for c in ingest('Speaking in Vilnius, Jens Stoltenberg said: "NATO will defend every single inch '
                                   'of its territory."').claims if "inch" in c.content)
    assert again.checked_kind is None  # not approved yet: nothing checked it
    version = again.version
    workflow.approve(first.id, user=reviewer, version=db.session.get(Claim, first.id).version)
    again = db.session.get(Claim, again.id)
    db.session.refresh(again)
    assert again.checked_kind == "claim" and again.checked_claim_id == first.id
    assert again.version == version  # a refresh is bookkeeping: nobody's form goes stale
    body = client.get(f"/api/v1/claims/{again.id}", headers=token_for(editor)).get_json()
    assert body["already_checked"]["kind"] == "claim" and body["already_checked"]["id"] == first.id
    assert body["already_checked"]["verdict"] == "true"

"""schema.org ClaimReview: the public page, the API, Google's Fact Check requirements."""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pytest

from app.extensions import db

from app.export.claimreview import BEST_RATING, RATING_VALUES, WORST_RATING
from app.models import VERDICT_LABELS, VERDICTS
from app.workflow import service

ARTICLE = (
    "The minister spoke in parliament on Tuesday.\n\n"
    '"Unemployment has fallen for twelve months in a row," the finance minister Jane Roe said.\n\n'
    'The Central Bank said in a statement: "Inflation will return to target next year."'
)
PUBLISHED = datetime(2024, 3, 5, 9, 30)
ISO_INSTANT = re.compile(r"\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d)?(Z|[+-]\d\d:\d\d)?)?")


def google_factcheck_problems(review: dict, *, page_url: str | None = None, recommended: bool = True) -> list[str]:
    """What Google's Fact Check (ClaimReview) markup documentation requires (and, with
    ``recommended``, recommends), as a list of problems: empty when the markup is eligible.

    Required: claimReviewed, reviewRating with alternateName, url. Recommended: author
    (Organization or Person, with a name), itemReviewed (a Claim with author, appearance
    and datePublished), and a numeric scale: bestRating > worstRating >= 1, ratingValue
    (when given) between them. Dates ISO 8601; url on the host of the page it sits on.
    Without ``recommended`` (an article with no URL or date), only the itemReviewed's
    appearance and datePublished may be missing.
    """
    problems = []

    def need(condition: bool, message: str) -> None:
        if not condition:
            problems.append(message)

    def is_url(value) -> bool:
        return isinstance(value, str) and urlsplit(value).scheme in ("http", "https") and bool(urlsplit(value).netloc)

    def is_agent(value) -> bool:
        return isinstance(value, dict) and value.get("@type") in ("Person", "Organization") \
            and isinstance(value.get("name"), str) and bool(value["name"].strip())

    need(review.get("@context") in ("https://schema.org", "http://schema.org"), "@context is not schema.org")
    need(review.get("@type") == "ClaimReview", "@type is not ClaimReview")
    need(isinstance(review.get("claimReviewed"), str) and bool(review["claimReviewed"].strip()),
         "claimReviewed is missing")
    need(is_url(review.get("url")), "url is not an absolute URL")
    if page_url and is_url(review.get("url")):
        need(urlsplit(review["url"]).netloc == urlsplit(page_url).netloc, "url is not on the page's host")
    need(is_agent(review.get("author")), "author is not a named Organization or Person")
    need(isinstance(review.get("datePublished"), str) and bool(ISO_INSTANT.fullmatch(review["datePublished"])),
         "datePublished is not ISO 8601")
    rating = review.get("reviewRating")
    if not isinstance(rating, dict) or rating.get("@type") != "Rating":
        problems.append("reviewRating is not a Rating")
    else:
        need(isinstance(rating.get("alternateName"), str) and bool(rating["alternateName"].strip()),
             "reviewRating.alternateName is missing")
        best, worst = rating.get("bestRating"), rating.get("worstRating")
        need(isinstance(best, (int, float)) and isinstance(worst, (int, float)), "the rating scale is not numeric")
        if isinstance(best, (int, float)) and isinstance(worst, (int, float)):
            need(worst >= 1, "worstRating must be 1 or higher")
            need(best > worst, "bestRating must be greater than worstRating")
            if "ratingValue" in rating:
                value = rating["ratingValue"]
                need(isinstance(value, (int, float)) and worst <= value <= best,
                     "ratingValue is not a number between worstRating and bestRating")
    item = review.get("itemReviewed")
    if not isinstance(item, dict) or item.get("@type") != "Claim":
        problems.append("itemReviewed is not a Claim")
    else:
        need(is_agent(item.get("author")), "itemReviewed.author is not a named Person or Organization")
        appearance = item.get("appearance")
        if recommended or "url" in (appearance or {}):
            need(is_url(appearance) or (isinstance(appearance, dict) and is_url(appearance.get("url"))),
                 "itemReviewed.appearance has no URL")
        if recommended or "datePublished" in item:
            need(isinstance(item.get("datePublished"), str) and bool(ISO_INSTANT.fullmatch(item["datePublished"])),
                 "itemReviewed.datePublished is not ISO 8601")
    return problems


def json_ld(html: str) -> dict:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


@pytest.fixture
def article(ingest):
    return ingest(ARTICLE, title="Minister on jobs", publisher="The Daily Example",
                  url="https://news.example.com/jobs", published_at=PUBLISHED)


@pytest.mark.parametrize("verdict", VERDICTS)
def test_claimreview_meets_googles_requirements_for_every_verdict(verdict, article, approve, client, token_for,
                                                                  editor):
    claim = article.claims[0]
    approve(claim.id, verdict, rationale=f"Checked: {verdict}.")
    page = client.get(f"/fact-checks/{claim.id}")
    assert page.status_code == 200
    embedded = json_ld(page.get_data(as_text=True))
    assert google_factcheck_problems(embedded, page_url=f"http://localhost/fact-checks/{claim.id}") == []

    served = client.get(f"/api/v1/claims/{claim.id}/claimreview", headers=token_for(editor))
    assert served.status_code == 200 and served.mimetype == "application/ld+json"
    assert served.get_json() == embedded

    rating = embedded["reviewRating"]
    assert rating["alternateName"] == VERDICT_LABELS[verdict]
    assert (rating["worstRating"], rating["bestRating"]) == (WORST_RATING, BEST_RATING) == (1, 5)
    assert rating.get("ratingValue") == RATING_VALUES[verdict]
    assert embedded["claimReviewed"] == claim.content
    assert embedded["url"] == f"http://localhost/fact-checks/{claim.id}"
    assert embedded["author"] == {"@type": "Organization", "name": "Claimdesk"}
    item = embedded["itemReviewed"]
    assert item["author"]["@type"] == "Person" and item["author"]["name"] == claim.speaker.name
    assert item["appearance"]["url"] == "https://news.example.com/jobs"
    assert item["datePublished"] == "2024-03-05T09:30:00Z"
    assert VERDICT_LABELS[verdict] in page.get_data(as_text=True)


def test_rating_scale_runs_from_false_to_true():
    order = ["false", "mostly_false", "mixed", "mostly_true", "true"]
    assert [RATING_VALUES[v] for v in order] == [1, 2, 3, 4, 5]
    assert RATING_VALUES["misleading"] == RATING_VALUES["mostly_false"]
    assert RATING_VALUES["unverifiable"] is None  # no number: alternateName says it
    assert set(RATING_VALUES) == set(VERDICTS)


def test_speaker_is_a_person_with_a_role_or_an_organisation(seed, approve, client):
    by_name = {c.speaker.name: c for c in seed.claims if c.speaker}
    person, organisation = by_name["Jens Stoltenberg"], by_name["NATO envoys"]
    approve(person.id, "true")
    approve(organisation.id, "mostly_true")
    item = json_ld(client.get(f"/fact-checks/{person.id}").get_data(as_text=True))["itemReviewed"]
    assert item["author"] == {"@type": "Person", "name": "Jens Stoltenberg", "jobTitle": "NATO Secretary General"}
    assert google_factcheck_problems(json_ld(client.get(f"/fact-checks/{person.id}").get_data(as_text=True)),
                                     recommended=False) == []
    assert "datePublished" not in item and item["appearance"] == {"@type": "CreativeWork",
                                                                 "headline": seed.article.title}
    item = json_ld(client.get(f"/fact-checks/{organisation.id}").get_data(as_text=True))["itemReviewed"]
    assert item["author"] == {"@type": "Organization", "name": "NATO envoys"}


def test_publisher_comes_from_the_settings(article, approve, client, app, monkeypatch):
    monkeypatch.setitem(app.config, "CLAIMDESK_PUBLISHER", "Faktencheck Nord")
    monkeypatch.setitem(app.config, "CLAIMDESK_PUBLISHER_URL", "https://faktencheck.example")
    claim_id = approve(article.claims[0].id)
    page = client.get(f"/fact-checks/{claim_id}").get_data(as_text=True)
    assert json_ld(page)["author"] == {"@type": "Organization", "name": "Faktencheck Nord",
                                       "url": "https://faktencheck.example"}
    assert "Faktencheck Nord" in page


def test_claim_text_cannot_close_the_script_tag(article, editor, approve, client):
    hostile = 'He said </script><script>alert("x")</script> and <!-- then & "more"'
    claim_id = article.claims[0].id
    service.update_claim(claim_id, user=editor, version=None, changes={"content": hostile})
    approve(claim_id, rationale="</script><b>bold</b>")
    html = client.get(f"/fact-checks/{claim_id}").get_data(as_text=True)
    assert "<script>alert" not in html and "<b>bold" not in html
    assert html.count("</script>") == html.count("<script")  # every script tag is the page's own
    assert json_ld(html)["claimReviewed"] == hostile


def test_public_page_needs_no_login_and_keeps_the_csp(article, approve, client):
    claim_id = approve(article.claims[0].id, "mixed", rationale="Line one.\n\nLine two.")
    response = client.get(f"/fact-checks/{claim_id}")
    assert response.status_code == 200
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    html = response.get_data(as_text=True)
    assert "Sign out" not in html and "Line two." in html
    assert f'<link rel="canonical" href="http://localhost/fact-checks/{claim_id}">' in html
    assert 'href="https://example.org/source"' in html  # the sources are listed


def test_unpublished_claims_are_not_found(article, approve, propose, admin, client, token_for, editor):
    new, in_review = article.claims[0].id, article.claims[1].id
    propose(in_review)
    headers = token_for(editor)
    for claim_id in (new, in_review, 9999):
        assert client.get(f"/fact-checks/{claim_id}").status_code == 404
        response = client.get(f"/api/v1/claims/{claim_id}/claimreview", headers=headers)
        assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    approved = approve(new)
    assert client.get(f"/fact-checks/{approved}").status_code == 200
    service.reopen(approved, user=admin, reason="New figures.")
    assert client.get(f"/fact-checks/{approved}").status_code == 404  # reopened: no longer published


def test_article_links_are_only_web_links(ingest, approve, client):
    result = ingest(ARTICLE, title="Odd source")
    result.article.url = "javascript:alert(1)"  # older data, stored before the service refused it
    db.session.commit()
    claim_id = approve(result.claims[0].id)
    html = client.get(f"/fact-checks/{claim_id}").get_data(as_text=True)
    assert "javascript:" not in html.split("<script", 1)[0] + html.split("</script>", 1)[1]
    assert "url" not in json_ld(html)["itemReviewed"]["appearance"]


def test_claimreviews_lists_approvals_since_a_moment(article, seed, approve, client, token_for, editor):
    headers = token_for(editor)
    first = approve(article.claims[0].id, "false")
    second = approve(article.claims[1].id, "true")
    third = approve(seed.claims[5].id, "unverifiable")
    body = client.get("/api/v1/claimreviews", headers=headers).get_json()
    assert [r["url"].rsplit("/", 1)[1] for r in body["items"]] == [str(first), str(second), str(third)]
    assert (body["count"], body["has_more"]) == (3, False)
    assert [google_factcheck_problems(r) for r in body["items"][:2]] == [[], []]
    assert google_factcheck_problems(body["items"][2], recommended=False) == []  # the seed has no URL, no date

    page = client.get("/api/v1/claimreviews?limit=2", headers=headers).get_json()
    assert (page["count"], page["has_more"]) == (2, True)
    rest = client.get(f"/api/v1/claimreviews?since={page['next_since']}", headers=headers).get_json()
    assert {r["url"] for r in rest["items"]} >= {body["items"][2]["url"]}

    tomorrow = (datetime.utcnow() + timedelta(days=1)).date().isoformat()
    assert client.get(f"/api/v1/claimreviews?since={tomorrow}", headers=headers).get_json()["items"] == []
    today = datetime.utcnow().date().isoformat()
    assert client.get(f"/api/v1/claimreviews?since={today}", headers=headers).get_json()["count"] == 3


def test_claimreviews_refuses_a_bad_date_and_a_missing_token(client, editor, token_for):
    response = client.get("/api/v1/claimreviews?since=last+week", headers=token_for(editor))
    assert response.status_code == 422
    assert response.get_json()["error"]["details"] == {"field": "since"}
    assert client.get("/api/v1/claimreviews").status_code == 401

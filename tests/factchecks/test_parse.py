"""Reading ClaimReview JSON-LD, HTML and CSV into records, and refusing bad items with reasons."""
import json
from datetime import date, datetime, timezone

import pytest

from app.factchecks.parse import (
    FactCheckFileError,
    parse_bytes,
    parse_csv,
    parse_file,
    parse_files,
    parse_html,
    parse_jsonld,
)


def review(url="https://checker.example/fc/1", claim="The river flooded 12 towns in 2019.", **extra):
    body = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": url,
        "claimReviewed": claim,
        "datePublished": "2021-03-04",
        "author": {"@type": "Organization", "name": "Checker Desk", "url": "https://checker.example"},
        "itemReviewed": {
            "@type": "Claim",
            "author": {"@type": "Person", "name": "Jane Roe"},
            "datePublished": "2021-03-01",
        },
        "reviewRating": {
            "@type": "Rating", "alternateName": "Mostly false", "ratingValue": 2,
            "bestRating": 5, "worstRating": 1,
        },
    }
    body.update(extra)
    return body


def test_one_claimreview_object_gives_every_field():
    result = parse_jsonld(json.dumps(review()), source="one.json")
    assert result.refused == []
    [record] = result.records
    assert record.url == "https://checker.example/fc/1"
    assert record.claim_reviewed == "The river flooded 12 towns in 2019."
    assert record.publisher == "Checker Desk"
    assert record.claimant == "Jane Roe"
    assert (record.rating_name, record.rating_value, record.best_rating, record.worst_rating) == (
        "Mostly false", 2.0, 5.0, 1.0)
    assert record.date == date(2021, 3, 4)
    assert record.where == "one.json"
    assert record.to_dict()["date"] == "2021-03-04"


def test_a_list_keeps_good_items_and_refuses_bad_ones_with_reasons():
    items = [
        review(url="https://checker.example/a"),
        review(url="ftp://checker.example/b"),
        review(url="https://checker.example/c", claimReviewed="  "),
        review(url="https://checker.example/d", reviewRating={"@type": "Rating", "bestRating": 5}),
        review(url="https://checker.example/e", datePublished="4 March 2021"),
        {"@type": "NewsArticle", "headline": "Not a review"},
        review(url="https://checker.example/a", claimReviewed="Another claim, same page"),
        review(url="https://checker.example/f",
               reviewRating={"ratingValue": 9, "bestRating": 5, "worstRating": 1}),
        review(url="https://checker.example/g", reviewRating={"ratingValue": "high"}),
        "just a string",
    ]
    result = parse_jsonld(json.dumps(items), source="list.json")
    assert [r.url for r in result.records] == ["https://checker.example/a"]
    reasons = {r.where: r.reason for r in result.refused}
    assert reasons == {
        "list.json item 2": "url 'ftp://checker.example/b' is not an http(s) address",
        "list.json item 3": "no claimReviewed",
        "list.json item 4": "no rating: reviewRating.alternateName and reviewRating.ratingValue are both missing",
        "list.json item 5": "datePublished '4 March 2021' is not an ISO 8601 date (YYYY-MM-DD)",
        "list.json item 6": "not a ClaimReview (@type NewsArticle)",
        "list.json item 7": "same url as list.json item 1, which was kept",
        "list.json item 8": "reviewRating.ratingValue 9 is outside 1..5",
        "list.json item 9": "reviewRating.ratingValue 'high' is not a number",
        "list.json item 10": "not a ClaimReview (str)",
    }
    assert len(result.records) + len(result.refused) == len(items)


def test_graph_resolves_references_and_passes_over_context_nodes():
    doc = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "Organization", "@id": "https://checker.example/#org", "name": "Checker Desk"},
            {"@type": "WebPage", "@id": "https://checker.example/fc/9", "name": "A page"},
            {"@type": "Person", "@id": "#claimant", "name": "Sam Poe"},
            {
                "@type": ["ClaimReview"], "@id": "https://checker.example/fc/9#review",
                "url": "https://checker.example/fc/9",
                "claimReviewed": "Unemployment fell to 3 percent.",
                "author": {"@id": "https://checker.example/#org"},
                "itemReviewed": {"@type": "Claim", "author": {"@id": "#claimant"}},
                "reviewRating": {"@type": "Rating", "alternateName": "False"},
                "datePublished": "2022-01-05T09:30:00Z",
            },
        ],
    }
    result = parse_jsonld(doc, source="graph.jsonld")
    assert result.refused == []
    [record] = result.records
    assert record.publisher == "Checker Desk" and record.claimant == "Sam Poe"
    assert record.rating_name == "False" and record.rating_value is None
    assert record.date == datetime(2022, 1, 5, 9, 30, tzinfo=timezone.utc)
    assert record.where == "graph.jsonld @graph node 4"


def test_datafeed_items_are_read_and_a_bad_element_is_refused():
    feed = {
        "@context": "http://schema.org",
        "@type": "DataFeed",
        "name": "Fact-checks",
        "dataFeedElement": [
            {"@type": "DataFeedItem", "dateCreated": "2023-01-01",
             "item": [review(url="https://checker.example/1"), review(url="https://checker.example/2")]},
            {"@type": "DataFeedItem", "item": review(url="https://checker.example/3")},
            {"@type": "DataFeedItem", "item": {"@type": "Claim", "text": "no review"}},
        ],
    }
    result = parse_jsonld(json.dumps(feed).encode(), source="feed.json")
    assert [r.url for r in result.records] == [
        "https://checker.example/1", "https://checker.example/2", "https://checker.example/3"]
    assert [r.where for r in result.records] == [
        "feed.json dataFeedElement 1 item 1", "feed.json dataFeedElement 1 item 2", "feed.json dataFeedElement 2"]
    assert [str(r) for r in result.refused] == ["feed.json dataFeedElement 3: not a ClaimReview (@type Claim)"]


def test_prefixed_names_string_rating_and_url_from_id():
    node = {
        "@type": "schema:ClaimReview",
        "@id": "https://checker.example/fc/42",
        "schema:claimReviewed": "Crime doubled last year.",
        "reviewRating": "Pants on fire",
        "author": "Checker Desk",
        "itemReviewed": {"author": [{"@type": "Person", "name": "A. Mayor"}]},
    }
    [record] = parse_jsonld(node).records
    assert record.url == "https://checker.example/fc/42"
    assert record.claim_reviewed == "Crime doubled last year."
    assert record.rating_name == "Pants on fire" and record.publisher == "Checker Desk"
    assert record.claimant == "A. Mayor" and record.date is None


@pytest.mark.parametrize("text, message", [
    ("{not json", "bad.json is not valid JSON (line 1, column 2"),
    ('"a string"', "bad.json holds no JSON-LD object or list"),
])
def test_unreadable_json_is_a_file_error(text, message):
    with pytest.raises(FactCheckFileError, match=message.replace("(", r"\(")):
        parse_jsonld(text, source="bad.json")


def test_datafeed_without_elements_is_refused():
    result = parse_jsonld({"@type": "DataFeed", "name": "empty"}, source="f.json")
    assert result.records == [] and [r.reason for r in result.refused] == ["a DataFeed without dataFeedElement"]


def test_html_page_scripts_are_read_and_a_broken_block_is_refused():
    page = (
        "<html><head><script type='application/ld+json'>"
        + json.dumps(review(url="https://checker.example/p1"))
        + "</script><script type=\"application/ld+json\">{broken</script>"
        + "<script>var x = 1;</script></head><body>text</body></html>"
    )
    result = parse_html(page, source="page.html")
    assert [r.url for r in result.records] == ["https://checker.example/p1"]
    [refused] = result.refused
    assert refused.where == "page.html JSON-LD block 2"
    assert refused.reason.startswith("is not valid JSON")
    with pytest.raises(FactCheckFileError, match="no <script"):
        parse_html("<html><body>nothing</body></html>", source="plain.html")


CSV_GOOD = (
    "claim,rating,url,publisher,date,claimant\n"
    '"Taxes rose 40%, the mayor said",False,https://checker.example/c1,Checker Desk,2020-05-01,Ann Lee\n'
    "Bridges are safe,True,https://checker.example/c2,,,\n"
)


def test_csv_rows_become_records():
    result = parse_csv(CSV_GOOD, source="good.csv")
    assert result.refused == []
    first, second = result.records
    assert first.claim_reviewed == "Taxes rose 40%, the mayor said"
    assert (first.rating_name, first.publisher, first.date, first.claimant) == (
        "False", "Checker Desk", date(2020, 5, 1), "Ann Lee")
    assert first.where == "good.csv line 2"
    assert (second.publisher, second.date, second.claimant) == (None, None, None)


def test_csv_semicolons_bom_aliases_and_numeric_ratings():
    data = ("\ufeffClaimReviewed;Rating;URL;Rating Value;Best Rating;Worst Rating\n"
            "Wages fell;Mostly false;https://checker.example/s1;2;5;1\n").encode("utf-8")
    [record] = parse_bytes(data, name="feed.csv").records
    assert record.claim_reviewed == "Wages fell"
    assert (record.rating_name, record.rating_value, record.best_rating, record.worst_rating) == (
        "Mostly false", 2.0, 5.0, 1.0)


def test_csv_bad_rows_are_refused_with_their_line():
    data = (
        "claim,rating,url,date\n"
        "Good one,False,https://checker.example/ok,2020-01-01\n"
        ",False,https://checker.example/empty,\n"
        "No rating,,https://checker.example/norating,\n"
        "Bad url,False,checker.example/x,\n"
        "Bad date,False,https://checker.example/date,01/02/2020\n"
        "Too,many,https://checker.example/many,2020-01-01,extra\n"
        "\n"
        "Again,True,https://checker.example/ok,\n"
    )
    result = parse_csv(data, source="rows.csv")
    assert [r.url for r in result.records] == ["https://checker.example/ok"]
    assert [str(r) for r in result.refused] == [
        "rows.csv line 3: the claim is empty",
        "rows.csv line 4: no rating: alternateName and ratingValue are both missing",
        "rows.csv line 5: url 'checker.example/x' is not an http(s) address",
        "rows.csv line 6: date '01/02/2020' is not an ISO 8601 date (YYYY-MM-DD)",
        "rows.csv line 7: 5 fields for 4 columns",
        "rows.csv line 9: same url as rows.csv line 2, which was kept",
    ]


@pytest.mark.parametrize("data, message", [
    ("claim,url\nx,https://a.example/1\n", "lacks the column rating"),
    ("text,verdict_words\nx,y\n", "lacks the columns claim, rating, url"),
    ("claim,rating,url,Claim\nx,y,https://a.example,z\n", "names claim more than once"),
    ("\nclaim,rating,url\n", "is empty or its first line"),
])
def test_csv_without_the_needed_header_is_a_file_error(data, message):
    with pytest.raises(FactCheckFileError, match=message):
        parse_csv(data, source="h.csv")


def test_files_are_told_apart_and_unreadable_ones_reported(tmp_path):
    (tmp_path / "a.jsonld").write_text(json.dumps([review(url="https://checker.example/x")]), encoding="utf-8")
    (tmp_path / "b.csv").write_text(CSV_GOOD, encoding="utf-8")
    (tmp_path / "c.txt").write_text(json.dumps(review(url="https://checker.example/x")), encoding="utf-8")
    (tmp_path / "d.json").write_bytes(b"\xff\xfe{}")
    assert [r.url for r in parse_file(tmp_path / "c.txt").records] == ["https://checker.example/x"]
    result, errors = parse_files(sorted(tmp_path.iterdir()) + [tmp_path / "missing.csv"])
    assert [r.url for r in result.records] == [
        "https://checker.example/x", "https://checker.example/c1", "https://checker.example/c2"]
    assert [str(r) for r in result.refused] == ["c.txt: same url as a.jsonld item 1, which was kept"]
    assert errors[0] == "d.json is not UTF-8 text (byte 0)"
    assert errors[1].startswith("missing.csv cannot be read")

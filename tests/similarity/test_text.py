"""clean_query_text on tweet-shaped strings."""
import pytest

from app.similarity.text import clean_query_text


@pytest.mark.parametrize(
    "raw, cleaned",
    [
        (
            "Trump needs to divest. Iran could threaten Trump hotels *worldwide*. — Ilhan Omar (@IlhanMN) January 6, 2020",
            "Trump needs to divest. Iran could threaten Trump hotels *worldwide*. — Ilhan Omar.",
        ),
        (
            "Antifa beat down apparent alt-righter. pic.twitter.com/WVdDJqLKmA — Shane Bauer (@shane_bauer) August 27, 2017",
            "Antifa beat down apparent alt-righter. — Shane Bauer.",
        ),
        (
            "Look at this https://t.co/RDCRlsgKPD and www.example.com/page now",
            "Look at this and now",
        ),
        ("What if @SnoopDogg had fired? #ImpeachTrump#StopTheHate", "What if Snoop Dogg had fired? Impeach Trump Stop The Hate"),
        ("Plain prose stays   as it is.", "Plain prose stays as it is."),
        (
            "Part one — A B (@ab) May 1, 2019 Part two. — Donald Trump Jr. (@DonaldJTrumpJr) June 20, 2018",
            "Part one — A B. Part two. — Donald Trump Jr.",
        ),
    ],
)
def test_clean_query_text(raw, cleaned):
    assert clean_query_text(raw) == cleaned


def test_author_can_be_dropped():
    assert clean_query_text("Big news. — Ann Lee (@ann) May 2, 2018", keep_author=False) == "Big news."


def test_never_returns_empty():
    assert clean_query_text("https://t.co/x") == "https://t.co/x"

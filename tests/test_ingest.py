"""The ingest service: text, files and folders in; Articles, Speakers and claims out."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.errors import DuplicateArticle, EmptyText, TooLarge, UnsupportedMedia
from app.extensions import db
from app.ingest import expand_paths, read_upload, submit_each
from app.ingest import service as ingest_service
from app.ingest.text import guess_title, normalise_text, text_fingerprint
from app.models import Article, AuditEvent, Claim, Speaker

STORY = (
    "Council approves new bridge\n\n"
    '"We will open the bridge before winter," Mayor Anna Lindqvist told reporters on Monday.\n\n'
    "Lindqvist said the city had already set aside the money for the work.\n\n"
    '"Nobody will pay a higher toll," she said.'
)


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_pasted_text_becomes_article_with_new_claims(ingest, editor):
    result = ingest(STORY, user=editor)
    assert result.article.title == "Council approves new bridge"
    assert result.article.ingested_by == editor
    assert result.claims, "the extractor found no quote"
    assert {c.status for c in result.claims} == {"new"} and all(c.assignee_id is None for c in result.claims)
    for claim in result.claims:
        assert result.article.text[claim.start:claim.end] == claim.content
    speakers = {c.speaker.name for c in result.claims if c.speaker}
    assert "Anna Lindqvist" in speakers
    direct = [c for c in result.claims if c.content.startswith("We will open the bridge")]
    assert direct and direct[0].kind == "direct" and direct[0].speaker.name == "Anna Lindqvist"


def test_seed_article_attributes_every_speaker(seed):
    speakers = {c.speaker.name for c in seed.claims if c.speaker}
    assert {"Jens Stoltenberg", "Kaja Kallas"} <= speakers
    assert any("Estonia" in s and "Lithuania" in s for s in speakers)
    stoltenberg = db.session.scalar(sa.select(Speaker).where(Speaker.name == "Jens Stoltenberg"))
    assert stoltenberg.role and "Secretary General" in stoltenberg.role
    assert {"stoltenberg", "mr stoltenberg"} & {a.alias_key for a in stoltenberg.aliases}
    # each claim keeps the role as this article gives it (the speaker page's roles over time)
    kallas = [c for c in seed.claims if c.speaker and c.speaker.name == "Kaja Kallas"]
    assert kallas and {c.speaker_role for c in kallas} == {"Estonian Prime Minister"}


def test_each_claim_and_the_article_are_in_the_history(ingest, editor):
    result = ingest(STORY, user=editor)
    events = db.session.scalars(sa.select(AuditEvent)).all()
    assert {e.action for e in events} == {"article_ingested", "claim_extracted"}
    assert sum(e.action == "claim_extracted" for e in events) == len(result.claims)


@pytest.mark.parametrize("text", ["", "   \n\n  ", "\x00\x01"])
def test_empty_text_is_refused_and_nothing_stored(ingest, text):
    with pytest.raises(EmptyText):
        ingest(text)
    assert count(Article) == 0


def test_text_over_the_limit_is_refused(app, ingest):
    with pytest.raises(TooLarge, match="limit"):
        ingest("word " * (app.config["MAX_ARTICLE_CHARS"] // 4))
    assert count(Article) == 0


def test_duplicate_is_refused_with_the_existing_article(ingest):
    first = ingest(STORY)
    rewrapped = STORY.replace("\n\n", "\r\n\r\n   ").replace(" told", "  told")
    with pytest.raises(DuplicateArticle) as caught:
        ingest(rewrapped, title="Another title")
    assert caught.value.existing_id == first.article.id
    assert count(Article) == 1


def test_a_failure_midway_leaves_nothing_half_written(ingest, monkeypatch):
    def explode(claims, prepared):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ingest_service, "_after_claims_created", explode)
    with pytest.raises(RuntimeError):
        ingest(STORY)
    assert (count(Article), count(Claim), count(Speaker), count(AuditEvent)) == (0, 0, 0, 0)


def test_speakers_merge_across_articles_by_alias(ingest):
    ingest(STORY)
    ingest('"The tolls stay as they are," Lindqvist said at the council meeting on Tuesday.')
    names = db.session.scalars(sa.select(Speaker.name)).all()
    assert names.count("Anna Lindqvist") == 1
    assert "Lindqvist" not in names


def test_html_upload_is_extracted_and_scripts_dropped():
    html = (b"<html><head><title>Port strike ends</title><meta property='og:site_name' content='Harbour Times'>"
            b"<script>alert('x')</script></head><body><article><h1>Port strike ends</h1>"
            b"<p>\"The strike is over and the cranes are moving again,\" union leader Maria Costa said on Friday"
            b" after a vote by the members.</p><p>The port authority said ships would leave on time"
            b" from Saturday.</p><img src=x onerror=\"alert(1)\"></article></body></html>")
    doc = read_upload(html, filename="strike.html")
    assert doc.title == "Port strike ends"
    assert doc.publisher == "Harbour Times"
    assert "alert" not in doc.text and "<" not in doc.text
    assert "The strike is over" in doc.text


def test_html_is_recognised_by_content_not_name():
    doc = read_upload(b"<!doctype html><html><body><p>The river rose by two metres overnight, "
                      b"officials in the valley said on Sunday morning.</p></body></html>", filename="notes.txt")
    assert doc.text.startswith("The river rose")


@pytest.mark.parametrize("data,name", [
    (b"%PDF-1.7\n...", "report.txt"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "photo.html"),
    (b"abc\x00def\x00" * 10, "data.txt"),
])
def test_binary_uploads_are_refused(data, name):
    with pytest.raises(UnsupportedMedia, match="not a text or HTML"):
        read_upload(data, filename=name)


def test_other_file_types_are_refused_by_name():
    with pytest.raises(UnsupportedMedia, match="not a .txt or .html"):
        read_upload(b"hello", filename="story.docx")


def test_latin1_declared_in_html_is_decoded():
    html = "<html><head><meta charset='iso-8859-1'></head><body><p>Le ministre a déclaré que la réforme était « prête ».</p></body></html>"
    doc = read_upload(html.encode("latin-1"), filename="fr.html")
    assert "déclaré" in doc.text


def test_utf16_with_bom_is_decoded():
    doc = read_upload("Zoë said: \u201cWe are ready.\u201d".encode("utf-16"), filename="z.txt")
    assert doc.text.startswith("Zoë said")


def test_utf8_bom_is_dropped():
    assert read_upload("\ufeffHello there, reader.".encode("utf-8"), filename="a.txt").text == "Hello there, reader."


def test_undecidable_encoding_is_refused():
    junk = bytes(range(128, 256)) * 4
    with pytest.raises(UnsupportedMedia, match="encoding"):
        read_upload(junk, filename="junk.txt")


def test_empty_upload_is_refused():
    with pytest.raises(EmptyText):
        read_upload(b"  \n", filename="empty.txt")


def test_normalise_and_fingerprint():
    assert normalise_text("a  \r\nb\r\n\r\n\r\n\r\nc\u00a0d ") == "a\nb\n\nc d"
    assert text_fingerprint("a b\n\nc") == text_fingerprint(" a  b c ")
    assert text_fingerprint("a b c") != text_fingerprint("a b d")


def test_guess_title_prefers_a_headline_line():
    assert guess_title("A very long caption line that goes on and on and on for many many words, more than sixteen words.\n"
                       "Ministers meet on Friday\nBody text.") == "Ministers meet on Friday"
    assert guess_title("Short.") == "Short."


def test_folder_ingest_reports_ingested_duplicates_and_failures(app, tmp_path, editor):
    (tmp_path / "a.txt").write_text(STORY)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.html").write_text(
        "<html><body><p>\"Rents will fall next year,\" housing minister Leo Brandt said on Tuesday in Parliament.</p></body></html>")
    (tmp_path / "sub" / "copy.txt").write_text(STORY + "\n")
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n")
    (tmp_path / "ignored.pdf").write_bytes(b"%PDF")
    files = expand_paths([tmp_path])
    assert [p.name for p in files] == ["a.txt", "empty.txt", "image.txt", "b.html", "copy.txt"]
    done = []
    summary = submit_each(files, user_id=editor.id, on_done=done.append)
    assert len(done) == 5
    assert [p.split("/")[-1] for p, _, _ in summary.ingested] == ["a.txt", "b.html"]
    assert [p.split("/")[-1] for p, _ in summary.duplicates] == ["copy.txt"]
    assert sorted(p.split("/")[-1] for p, _ in summary.failed) == ["empty.txt", "image.txt"]
    assert summary.line() == "2 ingested, 1 duplicates, 2 failed"
    assert count(Article) == 2


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,hi", "ftp://example.org/a"])
def test_only_web_addresses_are_stored_as_article_urls(ingest, url):
    from app.errors import Invalid

    with pytest.raises(Invalid, match="http"):
        ingest(STORY, url=url)
    assert count(Article) == 0


def test_submit_names_its_refusals_and_stores_nothing(editor):
    from app.errors import Invalid
    from app.ingest import Upload, submit

    with pytest.raises(Invalid, match="source"):
        submit(text=STORY, source="carrier pigeon")
    with pytest.raises(Invalid, match="no user"):
        submit(text=STORY, user_id=99999)
    with pytest.raises(TooLarge, match="upload limit"):
        submit(upload=Upload(b"a " * 2_000_000, "big.txt"))
    with pytest.raises(EmptyText):
        submit(text="   ", upload=None, url="")
    assert count(Article) == 0


def test_submit_returns_plain_values(editor):
    from app.ingest import Metadata, Submitted, Upload, submit

    result = submit(upload=Upload(STORY.encode(), "bridge.txt", "text/plain"), url="https://example.org/bridge",
                    metadata=Metadata(publisher="City Post"), user_id=editor.id)
    assert isinstance(result, Submitted) and isinstance(result.article_id, int)
    assert result.title == "Council approves new bridge" and all(isinstance(i, int) for i in result.claim_ids)
    article = db.session.get(Article, result.article_id)
    assert (article.source, article.filename, article.url, article.publisher, article.ingested_by_id) == (
        "upload", "bridge.txt", "https://example.org/bridge", "City Post", editor.id)
    assert [c.id for c in article.claims] == result.claim_ids

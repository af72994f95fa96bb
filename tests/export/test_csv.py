"""CSV export: columns, hostile content, the queue's filters, streaming, web, API and CLI."""
from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest

from app.export.csv_export import COLUMNS, FORMULA_PREFIXES, csv_chunks, neutralise
from app.workflow import service
from app.workflow.queries import ClaimFilters
from tests.export.hostile import (
    HOSTILE_ARTICLE, HOSTILE_CONTENT, HOSTILE_PUBLISHER, HOSTILE_RATIONALE, HOSTILE_SPEAKER, HOSTILE_TITLE,
    HOSTILE_URL,
)


def parse(data: bytes) -> list[list[str]]:
    """Read an export as a spreadsheet importer would: UTF-8 (BOM allowed), csv module."""
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def export_rows(filters: ClaimFilters | None = None, **options) -> list[dict[str, str]]:
    data = b"".join(csv_chunks(filters or ClaimFilters(), claim_url=lambda i: f"https://desk.test/claims/{i}",
                               **options))
    header, *rows = parse(data)
    assert header == list(COLUMNS)
    return [dict(zip(header, row, strict=True)) for row in rows]


# --- cells ------------------------------------------------------------------------------------

@pytest.mark.parametrize("prefix", FORMULA_PREFIXES)
def test_a_cell_starting_like_a_formula_is_neutralised(prefix):
    value = prefix + "1+1"
    assert neutralise(value) == "'" + value


# What may stand, unseen or skipped by a spreadsheet, before a formula sign (issue 12 §5).
HIDING_PREFIXES = {
    "space": " ", "nbsp": "\u00a0", "ideographic-space": "\u3000", "tab": "\t", "cr": "\r", "lf": "\n",
    "crlf": "\r\n", "zwsp": "\u200b", "zwnj": "\u200c", "zwj": "\u200d", "word-joiner": "\u2060",
    "bom": "\ufeff", "nul": "\x00", "mixed": " \u200b\u00a0\t",
}


@pytest.mark.parametrize("sign", ["=", "+", "-", "@"])
@pytest.mark.parametrize("prefix", HIDING_PREFIXES.values(), ids=HIDING_PREFIXES.keys())
def test_a_formula_sign_after_hidden_or_blank_characters_is_neutralised(prefix, sign):
    value = prefix + sign + "HYPERLINK(\"http://evil.example\")"
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["", "plain", "1+1", " padded", "\u200bhidden but harmless", "'already quoted",
                                   "https://x.test/=1", " ", "\u00a0\u00a0", "Зеленський", "日本語"])
def test_other_cells_are_left_alone(value):
    assert neutralise(value) == value


@pytest.mark.parametrize("export_path", ["/queue/export.csv", "/api/v1/export.csv"])
def test_web_and_api_exports_neutralise_hidden_formulas_in_every_text_column(
        app, client, auth, editor, token_for, export_path):
    """Rows written as they might have been stored (e.g. before the input rule, or by the CLI)."""
    from app.extensions import db
    from app.models import Article, Claim, Speaker

    prefixes = {name: p for name, p in HIDING_PREFIXES.items()
                if not ("\x00" in p and db.engine.dialect.name == "postgresql")}  # PostgreSQL stores no NUL
    for n, (name, prefix) in enumerate(prefixes.items()):
        text = "The harbour fund has 300 thousand crowns left."
        article = Article(title=prefix + "=cmd|' /C calc'!A0", publisher=prefix + "+SUM(1,2)",
                          url="https://example.org/" + name, text=text + f" ({name})", sha256=f"{n:064x}",
                          source="paste")
        speaker = Speaker(name=prefix + "@Evil", name_key=f"evil {name}")
        db.session.add(Claim(article=article, speaker=speaker, content=prefix + "-1+1", kind="direct",
                             start=0, end=len(text), status="new"))
    db.session.commit()
    if export_path.startswith("/api/"):
        response = client.get(export_path, headers=token_for(editor))
    else:
        auth.login(editor)
        response = client.get(export_path)
    assert response.status_code == 200
    rows = [dict(zip(COLUMNS, row)) for row in parse(response.get_data())[1:]]
    assert len(rows) == len(prefixes)
    for row in rows:
        for column in ("article_title", "publisher", "speaker", "content"):
            assert row[column].startswith("'"), (column, row[column])


def test_header_lists_the_columns_in_order(app):
    data = b"".join(csv_chunks(ClaimFilters(), claim_url=str))
    assert data.decode() == ",".join(COLUMNS) + "\r\n"
    # The 17 first columns keep their order (a contract); new ones come after them (issue 16).
    assert COLUMNS[:17] == (
        "claim_id", "status", "kind", "speaker", "speaker_role", "content", "article_title", "article_url",
        "publisher", "published_at", "verdict", "rationale", "evidence_urls", "proposed_by", "approved_by",
        "approved_at", "claim_url",
    )
    assert COLUMNS[17:] == ("verdict_label", "publication_wording", "evidence_titles", "evidence_stances",
                            "review_comment", "public_url")


# --- hostile content round trip ---------------------------------------------------------------

def test_hostile_content_round_trips_through_the_csv_reader(hostile, editor, reviewer):
    first, second = hostile
    rows = {int(r["claim_id"]): r for r in export_rows()}
    row = rows[first]
    expected = {
        "status": "approved", "kind": "direct", "speaker": "'" + HOSTILE_SPEAKER, "content": "'" + HOSTILE_CONTENT,
        "article_title": HOSTILE_TITLE, "article_url": "'" + HOSTILE_URL, "publisher": "'" + HOSTILE_PUBLISHER,
        "published_at": "", "verdict": "mostly_false", "rationale": "'" + HOSTILE_RATIONALE,
        "evidence_urls": "https://example.org/a https://example.org/b?q=1,2",
        "proposed_by": editor.name, "approved_by": reviewer.name, "claim_url": f"https://desk.test/claims/{first}",
    }
    for column, value in expected.items():
        assert row[column] == value, column
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", row["approved_at"])
    # Non-Latin names come through unchanged; nothing reaches a spreadsheet as a formula.
    assert rows[second]["speaker"] == "Володимир Зеленський"
    for r in rows.values():
        for column, cell in r.items():
            assert not cell.startswith(FORMULA_PREFIXES), (column, cell)


def test_bom_option_starts_the_file_with_a_byte_order_mark(hostile):
    with_bom = b"".join(csv_chunks(ClaimFilters(), claim_url=str, bom=True))
    without = b"".join(csv_chunks(ClaimFilters(), claim_url=str))
    assert with_bom.startswith(b"\xef\xbb\xbfclaim_id,") and not without.startswith(b"\xef\xbb\xbf")
    assert with_bom[3:] == without
    assert parse(with_bom) == parse(without)


# --- verdict columns --------------------------------------------------------------------------

def test_verdict_columns_follow_the_workflow(claim_ids, approve, propose, editor, reviewer):
    approved, in_review, returned, untouched = claim_ids[2:6]
    approve(approved, "true", rationale="Confirmed by the minutes.")
    propose(in_review, "mixed", rationale="Partly.")
    propose(returned, "false", rationale="Wrong.")
    service.return_claim(returned, user=reviewer, comment="Needs a second source.")
    rows = {int(r["claim_id"]): r for r in export_rows()}
    assert (rows[approved]["verdict"], rows[approved]["approved_by"]) == ("true", reviewer.name)
    assert rows[approved]["rationale"] == "Confirmed by the minutes."
    assert (rows[in_review]["verdict"], rows[in_review]["proposed_by"], rows[in_review]["approved_by"],
            rows[in_review]["approved_at"]) == ("mixed", editor.name, "", "")
    assert rows[returned]["status"] == "in_progress"
    assert (rows[returned]["verdict"], rows[returned]["rationale"]) == ("", "")  # a returned verdict is not one
    assert rows[returned]["evidence_urls"] == "https://example.org/pending"
    assert rows[untouched]["verdict"] == rows[untouched]["evidence_urls"] == ""


# --- streaming ---------------------------------------------------------------------------------

def test_rows_are_written_batch_by_batch(claim_ids):
    seen: list[int] = []
    chunks = list(csv_chunks(ClaimFilters(), claim_url=str, batch_size=4, on_batch=seen.append))
    n = len(claim_ids)
    assert n > 8
    assert seen == [4] * (n // 4) + ([n % 4] if n % 4 else [])
    assert len(chunks) == 1 + len(seen)  # the header, then one chunk per batch
    assert sum(len(parse(c)) for c in chunks[1:]) == n


def test_the_first_bytes_leave_before_the_query_is_read_to_the_end(claim_ids):
    chunks = csv_chunks(ClaimFilters(), claim_url=str, batch_size=2)
    assert next(chunks).startswith(b"claim_id,")
    first_batch = parse(next(chunks))
    assert len(first_batch) == 2
    chunks.close()  # a client that goes away stops the export and frees the cursor


# --- the queue's "Export CSV" -------------------------------------------------------------------

def queue_ids(client, query: str) -> list[int]:
    page = client.get(f"/queue?{query}")
    assert page.status_code == 200
    return [int(i) for i in re.findall(r'data-claim="(\d+)"', page.get_data(as_text=True))]


def csv_ids(client, query: str) -> list[int]:
    response = client.get(f"/queue/export.csv?{query}")
    assert response.status_code == 200
    return [int(row[0]) for row in parse(response.get_data())[1:]]


@pytest.fixture
def busy_desk(seed, ingest, editor, editor2, reviewer, approve, propose):
    """The seed article with work in every state, plus a second article."""
    ids = [c.id for c in seed.claims]
    other = ingest(HOSTILE_ARTICLE, title="Second article", publisher="Daily")
    service.take(ids[0], user=editor)
    service.assign(ids[1], user=editor, assignee=editor2)
    approve(ids[2], "true")
    approve(ids[3], "misleading")
    propose(ids[4], "mixed")
    service.dismiss(ids[5], user=editor, reason="Opinion.")
    return {"ids": ids, "article": seed.article.id, "other": other.article.id, "other_claims": len(other.claims)}


QUERIES = [
    "", "status=approved", "status=new,in_progress,in_review", "status=in_review&status=approved",
    "speaker=stoltenberg", "kind=direct", "kind=partial,indirect", "q=ukraine", "q=every+inch",
    "assignee=me", "assignee=none", "view=mine", "view=review", "article={article}", "article={other}",
    "since={today}&until={today}", "since=2001-01-01&until=2001-01-02", "sort=speaker", "sort=status",
    "sort=oldest", "hide_duplicates=1", "status=in_progress&speaker=kallas&q=ukraine",
]


def test_export_holds_exactly_the_claims_the_queue_shows(busy_desk, client, auth, reviewer):
    auth.login(reviewer)  # a reviewer sees the "waiting for my review" view too
    for query in QUERIES:  # one desk for all the queries: building it is the slow part
        query = query.format(article=busy_desk["article"], other=busy_desk["other"],
                             today=date.today().isoformat())
        shown = queue_ids(client, query)
        assert csv_ids(client, query) == shown, f"/queue?{query}"
    everything = len(busy_desk["ids"]) + busy_desk["other_claims"]
    assert len(queue_ids(client, "")) == everything and queue_ids(client, "view=review") == [busy_desk["ids"][4]]


def test_export_of_my_claims_follows_the_user(busy_desk, client, auth, editor, editor2):
    auth.login(editor2)
    assert csv_ids(client, "view=mine") == queue_ids(client, "view=mine") == [busy_desk["ids"][1]]


def test_queue_links_to_the_export_with_its_filters(busy_desk, client, auth, editor):
    auth.login(editor)
    page = client.get("/queue?status=approved&speaker=stoltenberg").get_data(as_text=True)
    link = re.search(r'id="export-csv" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert link == "/queue/export.csv?status=approved&speaker=stoltenberg"
    assert csv_ids(client, link.split("?", 1)[1]) == queue_ids(client, "status=approved&speaker=stoltenberg")


def test_web_export_is_a_streamed_attachment(busy_desk, client, auth, editor):
    auth.login(editor)
    response = client.get("/queue/export.csv?bom=1")
    assert response.is_streamed
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(r'attachment; filename="claims-\d{8}-\d{4}\.csv"', response.headers["Content-Disposition"])
    assert response.headers["Cache-Control"] == "no-store"
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = parse(data)[1:]
    assert rows[0][COLUMNS.index("claim_url")] == f"http://localhost/claims/{rows[0][0]}"


def test_web_export_needs_a_login(busy_desk, client):
    response = client.get("/queue/export.csv")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


# --- API -------------------------------------------------------------------------------------------

def test_api_export_takes_the_same_filters_as_the_claim_list(busy_desk, client, editor, token_for):
    headers = token_for(editor)
    for query in ("", "status=approved", "speaker=kallas", "kind=direct&sort=speaker", "assignee=me"):
        listed = client.get(f"/api/v1/claims?{query}&per_page=200", headers=headers).get_json()
        response = client.get(f"/api/v1/export.csv?{query}", headers=headers)
        assert response.status_code == 200 and response.mimetype == "text/csv"
        assert [int(r[0]) for r in parse(response.get_data())[1:]] == [c["id"] for c in listed["items"]]


def test_api_export_needs_a_token(client):
    response = client.get("/api/v1/export.csv")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


# --- CLI -------------------------------------------------------------------------------------------

def test_cli_writes_standard_output_by_default(busy_desk, runner):
    result = runner.invoke(args=["export-csv", "--status", "approved", "--base-url", "https://desk.example.org/"])
    assert result.exit_code == 0, result.output
    rows = parse(result.stdout_bytes)
    assert rows[0] == list(COLUMNS)
    assert sorted(int(r[0]) for r in rows[1:]) == sorted(busy_desk["ids"][2:4])
    assert all(r[16] == f"https://desk.example.org/claims/{r[0]}" for r in rows[1:])  # claim_url
    assert all(r[-1] == f"https://desk.example.org/fact-checks/{r[0]}" for r in rows[1:])  # public_url
    assert "Exported 2 claims to standard output." in result.stderr


def test_cli_filters_and_writes_a_file(busy_desk, runner, tmp_path):
    target = tmp_path / "out.csv"
    today = date.today().isoformat()
    result = runner.invoke(args=["export-csv", "--speaker", "Kallas", "--since", today, "-o", str(target), "--bom"])
    assert result.exit_code == 0, result.output
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = parse(data)[1:]
    assert rows and all(r[COLUMNS.index("speaker")] == "Kaja Kallas" for r in rows)
    assert rows[0][COLUMNS.index("claim_url")].startswith("http://localhost:5000/claims/")
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]  # no temporary file left
    assert runner.invoke(args=["export-csv", "--since", "2999-01-01", "-o", "-"]).stdout_bytes.count(b"\r\n") == 1


@pytest.mark.parametrize("args, message", [
    (["--since", "01/02/2024"], "--since"),
    (["--status", "published"], "--status"),
    (["--base-url", "desk.example.org"], "--base-url"),
])
def test_cli_refuses_bad_options(app, runner, args, message):
    result = runner.invoke(args=["export-csv", *args])
    assert result.exit_code == 2
    assert message in result.output

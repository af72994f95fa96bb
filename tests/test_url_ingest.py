"""Ingest from a web address: the fetcher's refusals, then the form, the API and the CLI.

A local HTTP server started here plays the web. 127.0.0.1 is a loopback address, so the
fetcher refuses it unless a test lets it through with ``allowed_hosts`` (tests only).
"""
from __future__ import annotations

import gzip
import threading
from datetime import datetime
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa

from app.errors import FetchRefused
from app.extensions import db
from app.ingest import Metadata, submit
from app.ingest.fetch import FetchSettings, address_problem, fetch_html
from app.models import Article, Claim

ARTICLE_HTML = (
    "<!doctype html><html><head><meta charset='utf-8'><title>Harbour reopens after storm</title>"
    "<meta property='og:site_name' content='Coast Courier'></head><body><article>"
    "<h1>Harbour reopens after storm</h1>"
    "<p>\u201cThe harbour will reopen to ferries on Thursday morning,\u201d port director Lena Berg told"
    " reporters on Tuesday after inspecting the damaged pier.</p>"
    "<p>Berg said repairs to the north wall would take until the spring.</p>"
    "<p>\u201cNobody was hurt, and that is what matters most,\u201d she said.</p>"
    "</article></body></html>"
)


class Handler(BaseHTTPRequestHandler):
    """Routes of the fake web: one article and one way to misbehave per path."""

    seen_hosts: list[str] = []

    def log_message(self, *args):  # keep the test output clean
        pass

    def _send(self, status: int, body: bytes = b"", headers: dict | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if "Content-Length" not in (headers or {}) and "Transfer-Encoding" not in (headers or {}):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def do_GET(self):  # noqa: C901 - one branch per route reads best here
        Handler.seen_hosts.append(self.headers.get("Host", ""))
        port = self.server.server_address[1]
        path = self.path
        html = {"Content-Type": "text/html; charset=utf-8"}
        if path == "/article":
            self._send(200, ARTICLE_HTML.encode(), html)
        elif path == "/latin1":
            body = ("<html><body><article><p>\u201cLe caf\u00e9 restera ouvert tout l'hiver,\u201d a dit le"
                    " maire Pierre Dubois lundi soir devant le conseil municipal.</p></article></body></html>")
            self._send(200, body.encode("iso-8859-1", "replace"), {"Content-Type": "text/html; charset=ISO-8859-1"})
        elif path == "/gzip":
            self._send(200, gzip.compress(ARTICLE_HTML.encode()), {**html, "Content-Encoding": "gzip"})
        elif path == "/gzip-bomb":
            self._send(200, gzip.compress(b"<html>" + b" " * 5_000_000), {**html, "Content-Encoding": "gzip"})
        elif path == "/moved":
            self._send(302, headers={"Location": "/article"})
        elif path.startswith("/hops/"):
            n = int(path.rsplit("/", 1)[1])
            self._send(301, headers={"Location": f"/hops/{n + 1}"})
        elif path == "/to-private":
            self._send(302, headers={"Location": "http://10.0.0.7/admin"})
        elif path == "/to-metadata":
            self._send(307, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
        elif path == "/to-localhost":
            self._send(302, headers={"Location": f"http://localhost:{port}/article"})
        elif path == "/to-file":
            self._send(302, headers={"Location": "file:///etc/passwd"})
        elif path == "/pdf":
            self._send(200, b"%PDF-1.7\n%binary", {"Content-Type": "application/pdf"})
        elif path == "/json":
            self._send(200, b'{"a": 1}', {"Content-Type": "application/json"})
        elif path == "/untyped":
            self._send(200, ARTICLE_HTML.encode())
        elif path == "/pdf-as-html":
            self._send(200, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3 binary", html)
        elif path == "/big-declared":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(50_000_000))
            self.end_headers()
        elif path == "/big-streamed":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Connection", "close")
            self.end_headers()
            try:
                for _ in range(2000):
                    self.wfile.write(b"<p>" + b"x" * 4096 + b"</p>")
            except OSError:
                pass  # the fetcher hung up: that is the point
        elif path == "/slow":
            time.sleep(3)
            self._send(200, ARTICLE_HTML.encode(), html)
        elif path == "/drip":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            try:
                for _ in range(30):
                    self.wfile.write(b"<")
                    self.wfile.flush()
                    time.sleep(0.1)
            except OSError:
                pass
        elif path == "/missing":
            self._send(404, b"not here", html)
        elif path == "/server-error":
            self._send(500, b"<html><body>Internal error</body></html>", html)
        elif path == "/empty-page":
            self._send(200, b"<html><head><title>Nothing</title></head><body></body></html>", html)
        else:
            self._send(404)


@pytest.fixture(scope="module")
def web():
    """The fake web on 127.0.0.1; ``web.url('/article')`` names a page on it."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = lambda path: f"http://127.0.0.1:{server.server_address[1]}{path}"
    yield server
    server.shutdown()
    server.server_close()


ALLOW_LOCAL = FetchSettings(allowed_hosts=frozenset({"127.0.0.1"}), timeout=2.0, max_bytes=1_000_000)


def refused(url: str, settings: FetchSettings = ALLOW_LOCAL, **kwargs) -> str:
    with pytest.raises(FetchRefused) as info:
        fetch_html(url, settings, **kwargs)
    assert info.value.status == 422
    return info.value.message


# --- the fetcher ---------------------------------------------------------------------------

def test_fetches_a_page_from_an_allowed_host(web):
    page = fetch_html(web.url("/article"), ALLOW_LOCAL)
    assert "Harbour reopens" in page.html and page.content_type == "text/html" and page.charset == "utf-8"


def test_charset_comes_from_the_content_type_header(web):
    page = fetch_html(web.url("/latin1"), ALLOW_LOCAL)
    assert "Le caf\u00e9 restera" in page.html


def test_follows_redirects_and_reports_the_final_address(web):
    page = fetch_html(web.url("/moved"), ALLOW_LOCAL)
    assert page.url == web.url("/article") and page.redirects == [web.url("/article")]


def test_gzip_is_decoded(web):
    assert "Harbour reopens" in fetch_html(web.url("/gzip"), ALLOW_LOCAL).html


def test_loopback_is_refused_without_the_test_allowance(web):
    message = refused(web.url("/article"), FetchSettings(timeout=2.0))
    assert "127.0.0.1, a loopback address" in message


@pytest.mark.parametrize("url", [
    "ftp://example.org/article.html", "file:///etc/passwd", "javascript:alert(1)", "gopher://example.org/",
    "//example.org/no-scheme", "example.org/article",
])
def test_only_http_and_https(url):
    assert "Only http:// and https://" in refused(url)


def test_credentials_in_the_address_are_refused():
    assert "user name or password" in refused("http://admin:secret@example.org/")


@pytest.mark.parametrize("host,what", [
    ("127.0.0.2", "loopback"), ("[::1]", "loopback"), ("10.1.2.3", "private"), ("172.16.5.4", "private"),
    ("192.168.0.1", "private"), ("169.254.169.254", "link-local"), ("[fe80::1]", "link-local"),
    ("224.0.0.1", "multicast"), ("[ff02::1]", "multicast"), ("0.0.0.0", "unspecified"),
    ("[fc00::1]", "private"), ("[::ffff:127.0.0.1]", "loopback"), ("[::ffff:10.0.0.1]", "private"),
    ("100.64.0.1", "not a public"), ("240.0.0.1", "reserved"),
])
def test_internal_addresses_are_refused(host, what):
    message = refused(f"http://{host}/", FetchSettings(timeout=1.0))
    assert what in message and "Only public web addresses" in message


def test_public_addresses_pass_the_check():
    import ipaddress

    assert address_problem(ipaddress.ip_address("93.184.216.34")) is None
    assert address_problem(ipaddress.ip_address("2606:2800:220:1:248:1893:25c8:1946")) is None


def test_every_address_a_name_resolves_to_is_checked():
    def resolver(host, port):
        return ["93.184.216.34", "10.0.0.7"]  # one public, one private: refused

    message = refused("http://news.example/story", FetchSettings(timeout=1.0), resolve=resolver)
    assert "news.example resolves to 10.0.0.7, a private address" in message


def test_connects_to_the_vetted_address_with_the_host_name_in_host_header(web):
    """The name is resolved once by the fetcher; the socket goes to that address."""
    calls = []

    def resolver(host, port):
        calls.append(host)
        return ["127.0.0.1"]

    port = web.server_address[1]
    settings = FetchSettings(allowed_hosts=frozenset({"news.test"}), timeout=2.0)
    page = fetch_html(f"http://news.test:{port}/article", settings, resolve=resolver)
    assert "Harbour reopens" in page.html
    assert calls == ["news.test"] and Handler.seen_hosts[-1] == f"news.test:{port}"


def test_unknown_host_is_refused():
    def resolver(host, port):
        raise OSError("Name or service not known")

    assert "could not be found" in refused("http://no-such-host.invalid/", resolve=resolver)


@pytest.mark.parametrize("path,expected", [
    ("/to-private", "10.0.0.7, a private address"),
    ("/to-metadata", "169.254.169.254, a link-local address"),
    ("/to-localhost", "localhost resolves to"),
    ("/to-file", "Only http:// and https://"),
])
def test_redirects_are_checked_like_the_first_request(web, path, expected):
    assert expected in refused(web.url(path))


def test_redirects_are_capped(web):
    message = refused(web.url("/hops/0"), FetchSettings(allowed_hosts=frozenset({"127.0.0.1"}), max_redirects=3))
    assert "redirects more than 3 times" in message


@pytest.mark.parametrize("path,expected", [
    ("/pdf", "serves application/pdf, not an HTML web page"),
    ("/json", "serves application/json, not an HTML web page"),
    ("/untyped", "content of no declared type"),
    ("/pdf-as-html", "looks like a PDF"),
])
def test_only_html_is_accepted(web, path, expected):
    assert expected in refused(web.url(path))


@pytest.mark.parametrize("path", ["/big-declared", "/big-streamed", "/gzip-bomb"])
def test_size_is_capped(web, path):
    assert "larger than the limit of 1,000,000 bytes" in refused(web.url(path))


@pytest.mark.parametrize("path", ["/slow", "/drip"])
def test_time_is_capped(web, path):
    settings = FetchSettings(allowed_hosts=frozenset({"127.0.0.1"}), timeout=0.5)
    assert "did not answer within 0.5 seconds" in refused(web.url(path), settings)


def test_http_errors_are_reported(web):
    assert "answered 404" in refused(web.url("/missing"))


# --- the service, the form, the API and the CLI ---------------------------------------------

@pytest.fixture
def allow_local(app, monkeypatch):
    monkeypatch.setitem(app.config, "CLAIMDESK_FETCH_ALLOWED_HOSTS", ("127.0.0.1",))
    monkeypatch.setitem(app.config, "CLAIMDESK_FETCH_TIMEOUT", 2.0)


def articles() -> int:
    return db.session.scalar(sa.select(sa.func.count(Article.id)))


def test_submit_fetches_an_address_and_stores_article_and_quotes(allow_local, web, editor):
    result = submit(url=web.url("/moved"), user_id=editor.id)
    article = db.session.get(Article, result.article_id)
    assert article.title == result.title == "Harbour reopens after storm"
    assert article.publisher == "Coast Courier" and article.ingested_by_id == editor.id
    assert article.url == web.url("/article") and article.source == "url"
    claims = [db.session.get(Claim, claim_id) for claim_id in result.claim_ids]
    assert any("Lena Berg" in (c.speaker.name if c.speaker else "") for c in claims)


def test_given_metadata_wins_over_the_fetched_pages(allow_local, web):
    result = submit(url=web.url("/article"), source="api",
                    metadata=Metadata(title="Storm: harbour reopens", publisher="Desk", published_at=datetime(2024, 3, 1)))
    article = db.session.get(Article, result.article_id)
    assert (article.title, article.publisher, article.published_at, article.source) == (
        "Storm: harbour reopens", "Desk", datetime(2024, 3, 1), "api")


def test_submit_refuses_internal_addresses_in_the_app_by_default(app, web, editor):
    assert not app.config["CLAIMDESK_FETCH_ALLOWED_HOSTS"]
    with pytest.raises(FetchRefused, match="loopback"):
        submit(url=web.url("/article"), user_id=editor.id)
    assert articles() == 0


def test_form_fetches_when_only_the_address_is_given(allow_local, web, client, auth, editor):
    auth.login(editor)
    response = client.post("/ingest", data={"url": web.url("/article")})
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Harbour reopens after storm" in page and "added to the queue" in page
    assert "Lena Berg" in client.get("/queue").get_data(as_text=True)


@pytest.mark.parametrize("path,message", [
    ("/pdf", "not an HTML web page"), ("/to-private", "a private address"), ("/empty-page", "No article text"),
])
def test_form_says_why_a_fetch_was_refused(allow_local, web, client, auth, editor, path, message):
    auth.login(editor)
    response = client.post("/ingest", data={"url": web.url(path)})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True) and "Nothing was stored" in response.get_data(as_text=True)
    assert articles() == 0


def test_form_with_text_and_address_keeps_the_address_as_metadata(allow_local, web, client, auth, editor):
    from tests.test_ingest import STORY

    auth.login(editor)
    assert client.post("/ingest", data={"text": STORY, "url": "https://example.org/bridge"}).status_code == 302
    article = db.session.scalar(sa.select(Article))
    assert article.source == "paste" and article.url == "https://example.org/bridge"


def test_api_fetches_a_url(allow_local, web, client, editor, token_for):
    response = client.post("/api/v1/articles", json={"url": web.url("/article")}, headers=token_for(editor))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["title"] == "Harbour reopens after storm" and body["claims"]
    assert db.session.scalar(sa.select(sa.func.count(Claim.id))) == len(body["claims"])


@pytest.mark.parametrize("path,status", [("/missing", 404), ("/server-error", 500)])
def test_api_page_answering_an_error_is_422_fetch_failed_naming_its_status(
        allow_local, web, client, editor, token_for, path, status):
    response = client.post("/api/v1/articles", json={"url": web.url(path)}, headers=token_for(editor))
    assert response.status_code == 422, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == "fetch_failed" and f"answered {status}" in error["message"]
    assert error["details"]["remote_status"] == status and error["details"]["url"] == web.url(path)
    assert articles() == 0


@pytest.mark.parametrize("path,status", [("/missing", 404), ("/server-error", 500)])
def test_form_page_answering_an_error_says_so(allow_local, web, client, auth, editor, path, status):
    auth.login(editor)
    response = client.post("/ingest", data={"url": web.url(path)})
    assert response.status_code == 422 and f"answered {status}" in response.get_data(as_text=True)
    assert articles() == 0


def test_api_refusal_is_json_with_a_code(allow_local, web, client, editor, token_for):
    response = client.post("/api/v1/articles", json={"url": web.url("/to-metadata")}, headers=token_for(editor))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "fetch_refused" and "link-local" in error["message"]
    assert articles() == 0


def test_cli_ingests_addresses_alongside_files(allow_local, web, runner, tmp_path):
    from tests.test_ingest import STORY

    (tmp_path / "bridge.txt").write_text(STORY)
    result = runner.invoke(args=["ingest", str(tmp_path), web.url("/article"), web.url("/pdf")])
    assert "2 ingested, 0 duplicates, 1 failed" in result.output, result.output
    assert "not an HTML web page" in result.output and result.exit_code == 1
    assert db.session.scalar(sa.select(Article.source).where(Article.url == web.url("/article"))) == "cli"

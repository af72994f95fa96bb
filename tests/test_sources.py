"""Monitored sources: the API and pages (admins write, everything audited), and real polls
of a fake web on 127.0.0.1: RSS and Atom feeds, sitemaps, a front page's feed, robots.txt,
conditional requests, at most N items a poll, one poll per source at a time, per-host pacing.

Jobs run in-process here (embedded queue, no consumer alive), so a poll's items are
ingested (real spaCy and embeddings) before the poll returns.
"""
from __future__ import annotations

import threading
import time
from datetime import timedelta
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa

from app import create_app
from app.extensions import db
from app.models import Article, AuditEvent, Claim, Job, Source, SourceItem, utcnow
from app.sources import parse, service
from app.tasks import enqueue
from app.tasks.huey import REGISTRY
from tests import test_jobs

STORIES = {
    "/news/harbour": ("Harbour reopens after storm",
                      "\u201cThe harbour will reopen to ferries on Thursday morning,\u201d port director Lena Berg "
                      "told reporters on Tuesday after inspecting the damaged pier."),
    "/news/budget": ("Council passes budget",
                     "\u201cWe have balanced the books without closing a single library,\u201d mayor Tom Reyes "
                     "said after the council vote on Monday night."),
    "/news/bridge": ("Bridge repairs to start",
                     "\u201cThe old bridge will be closed to cars for six weeks from May,\u201d city engineer Ana "
                     "Costa said at a briefing on Wednesday."),
    "/private/secret": ("Internal memo", "\u201cThis page is not for robots,\u201d the webmaster said on Friday."),
}


def article_html(title: str, body: str) -> str:
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head><body><article>"
            f"<h1>{title}</h1><p>{body}</p><p>The story continues with more details for readers of the "
            f"Coast Courier about {title.lower()}.</p></article></body></html>")


def rss(base: str, paths: list[str]) -> str:
    items = "".join(
        f"<item><title>{STORIES[p][0]}</title><link>{base}{p}</link>"
        f"<pubDate>{formatdate(1_780_000_000 + 3600 * n, usegmt=True)}</pubDate></item>"
        for n, p in enumerate(paths))
    return (f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Coast Courier</title>"
            f"<link>{base}/</link>{items}</channel></rss>")


class FakeWeb(BaseHTTPRequestHandler):
    """The fake web: what it serves is set by each test on ``server.state``."""

    def log_message(self, *args):
        pass

    def _send(self, status: int, body: bytes = b"", headers: dict | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def do_GET(self):  # noqa: C901 - one branch per route
        state = self.server.state
        state["requests"].append((self.path, dict(self.headers), time.monotonic()))
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        xml = {"Content-Type": "application/rss+xml; charset=utf-8"}
        if self.path == "/robots.txt":
            if state.get("robots_status", 200) != 200:
                self._send(state["robots_status"], b"no", {"Content-Type": "text/plain"})
            else:
                self._send(200, state.get("robots", "User-agent: *\nDisallow: /private\n").encode(),
                           {"Content-Type": "text/plain"})
        elif self.path == "/feed.xml":
            etag = f'"v{len(state["feed"])}"'
            if self.headers.get("If-None-Match") == etag:
                self._send(304, headers={"ETag": etag})
            else:
                self._send(200, rss(base, state["feed"]).encode(), {**xml, "ETag": etag,
                                                                     "Last-Modified": formatdate(usegmt=True)})
        elif self.path == "/atom.xml":
            entries = "".join(f"<entry><title>{STORIES[p][0]}</title><link href='{base}{p}'/>"
                              f"<updated>2026-11-0{n + 1}T10:00:00Z</updated><id>{p}</id></entry>"
                              for n, p in enumerate(state["feed"]))
            self._send(200, f"<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
                            f"<title>Coast</title>{entries}</feed>".encode(),
                       {"Content-Type": "application/atom+xml"})
        elif self.path == "/sitemap.xml":
            self._send(200, (f"<?xml version='1.0' encoding='UTF-8'?><sitemapindex xmlns="
                             f"'http://www.sitemaps.org/schemas/sitemap/0.9'><sitemap><loc>{base}/sitemap-news.xml"
                             f"</loc></sitemap></sitemapindex>").encode(), {"Content-Type": "application/xml"})
        elif self.path == "/sitemap-news.xml":
            urls = "".join(f"<url><loc>{base}{p}</loc></url>" for p in state["feed"])
            self._send(200, (f"<?xml version='1.0' encoding='UTF-8'?><urlset xmlns="
                             f"'http://www.sitemaps.org/schemas/sitemap/0.9'>{urls}</urlset>").encode(),
                       {"Content-Type": "application/xml"})
        elif self.path == "/front":
            self._send(200, ("<html><head><title>Coast Courier</title><link rel='alternate' "
                             "type='application/rss+xml' href='/feed.xml'></head><body><h1>News</h1></body></html>"
                             ).encode(), {"Content-Type": "text/html"})
        elif self.path == "/plain":
            self._send(200, b"<html><head><title>No feed</title></head><body>Hello</body></html>",
                       {"Content-Type": "text/html"})
        elif self.path in STORIES:
            self._send(200, article_html(*STORIES[self.path]).encode(), {"Content-Type": "text/html; charset=utf-8"})
        else:
            self._send(404, b"not here", {"Content-Type": "text/html"})


@pytest.fixture(scope="module")
def web():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeWeb)
    server.daemon_threads = True
    server.state = {}
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.url = lambda path: f"http://127.0.0.1:{server.server_address[1]}{path}"
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def site(app, web, monkeypatch):
    """The fake web reset, 127.0.0.1 allowed, no pacing (its own test turns it on)."""
    web.state.clear()
    web.state.update(requests=[], feed=["/news/harbour", "/news/budget", "/private/secret"])
    monkeypatch.setitem(app.config, "CLAIMDESK_FETCH_ALLOWED_HOSTS", ("127.0.0.1",))
    monkeypatch.setitem(app.config, "CLAIMDESK_FETCH_HOST_INTERVAL", 0)
    return web


def paths(web) -> list[str]:
    return [path for path, _headers, _at in web.state["requests"]]


def make_source(admin, web, path="/feed.xml", kind="feed", **extra) -> Source:
    return service.create_source(user=admin, url=web.url(path), kind=kind, **extra)


def articles() -> list[Article]:
    return list(db.session.scalars(sa.select(Article).order_by(Article.id)))


# --- parsing (no network) -----------------------------------------------------------------------

def test_feeds_sitemaps_and_front_pages_are_read():
    items = parse.feed_items(rss("http://news.example", ["/news/harbour", "/news/budget"]), "http://news.example/rss")
    assert [i.url for i in items] == ["http://news.example/news/budget", "http://news.example/news/harbour"]
    assert items[0].title == "Council passes budget" and items[0].published_at > items[1].published_at
    with pytest.raises(parse.NotAFeed):
        parse.feed_items("<html><body>Hello</body></html>", "http://news.example/")
    pages, children = parse.sitemap_links(
        "<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'><url><loc>"
        "http://news.example/a</loc></url><url><loc>http://elsewhere.example/b</loc></url></urlset>",
        "http://news.example/sitemap.xml")
    assert [p.url for p in pages] == ["http://news.example/a"] and children == []
    assert parse.discover_feeds("<html><head><link rel='alternate' type='application/atom+xml' href='/atom'>"
                                "</head></html>", "http://news.example/") == ["http://news.example/atom"]
    robots = parse.Robots("User-agent: *\nDisallow: /private\nCrawl-delay: 3\n")
    assert not robots.allowed("http://news.example/private/x", "Claimdesk")
    assert robots.allowed("http://news.example/news", "Claimdesk") and robots.crawl_delay("Claimdesk") == 3


# --- the API: admins write, everyone reads, every change audited ---------------------------------

def test_sources_api(client, admin, editor, token_for, site):
    headers = token_for(admin)
    created = client.post("/api/v1/sources", json={"url": site.url("/feed.xml"), "kind": "feed",
                                                   "name": "Coast Courier", "every_minutes": 15}, headers=headers)
    assert created.status_code == 201
    body = created.get_json()
    assert body["id"] and body["name"] == "Coast Courier" and body["every_minutes"] == 15 and body["kind"] == "feed"
    assert body["last_poll_at"] is None and body["items_seen"] == 0 and body["paused"] is False
    assert created.headers["Location"].endswith(f"/api/v1/sources/{body['id']}")
    source_id = body["id"]

    default = client.post("/api/v1/sources", json={"url": site.url("/atom.xml"), "kind": "feed"}, headers=headers)
    assert default.status_code == 201 and default.get_json()["every_minutes"] == 30
    assert default.get_json()["name"] == f"127.0.0.1:{site.server_address[1]}/atom.xml"

    for bad, field in (({"url": "ftp://x/feed", "kind": "feed"}, "url"), ({"kind": "feed"}, "url"),
                       ({"url": "http://[::1/feed", "kind": "feed"}, "url"), ({"url": "https://", "kind": "feed"}, "url"),
                       ({"url": site.url("/feed.xml"), "kind": "podcast"}, "kind"),
                       ({"url": site.url("/feed.xml"), "kind": "feed", "every_minutes": "often"}, "every_minutes"),
                       ({"url": site.url("/feed.xml"), "kind": "feed", "every_minutes": 0}, "every_minutes"),
                       ({"url": site.url("/feed.xml"), "kind": "feed", "colour": "red"}, "colour")):
        answer = client.post("/api/v1/sources", json=bad, headers=headers)
        assert answer.status_code == 422, bad
        assert answer.get_json()["error"]["details"]["field"] == field
    refused = client.post("/api/v1/sources", json={"url": site.url("/feed.xml"), "kind": "feed"},
                          headers=token_for(editor))
    assert refused.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(Source.id))) == 2

    listed = client.get("/api/v1/sources", headers=token_for(editor)).get_json()["items"]
    assert [s["name"] for s in listed] == [f"127.0.0.1:{site.server_address[1]}/atom.xml", "Coast Courier"]
    assert client.get(f"/api/v1/sources/{source_id}", headers=token_for(editor)).get_json()["url"] == site.url("/feed.xml")

    patched = client.patch(f"/api/v1/sources/{source_id}", json={"paused": True, "every_minutes": 60}, headers=headers)
    assert patched.status_code == 200 and patched.get_json()["paused"] is True
    assert patched.get_json()["next_poll_at"] is None and patched.get_json()["every_minutes"] == 60
    assert client.patch(f"/api/v1/sources/{source_id}", json={"paused": "yes"}, headers=headers).status_code == 422
    assert client.patch(f"/api/v1/sources/{source_id}", json={"paused": False}, headers=token_for(editor)).status_code == 403
    assert client.post(f"/api/v1/sources/{source_id}/poll", headers=token_for(editor)).status_code == 403

    assert client.delete(f"/api/v1/sources/{source_id}", headers=token_for(editor)).status_code == 403
    assert client.delete(f"/api/v1/sources/{source_id}", headers=headers).status_code == 204
    assert client.get(f"/api/v1/sources/{source_id}", headers=headers).status_code == 404

    actions = list(db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.user_id == admin.id)
                                      .order_by(AuditEvent.id)))
    assert actions == ["source_added", "source_added", "source_changed", "source_removed"]
    changed = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "source_changed"))
    assert changed.before["paused"] is False and changed.after == {**changed.before, "paused": True, "every_minutes": 60}


# --- polling ---------------------------------------------------------------------------------------

def test_a_feed_is_polled_end_to_end(client, admin, token_for, site):
    source = make_source(admin, site, name="Coast Courier")
    answer = client.post(f"/api/v1/sources/{source.id}/poll", headers=token_for(admin))
    assert answer.status_code == 202 and answer.get_json()["poll"] == "done"

    body = client.get(f"/api/v1/sources/{source.id}", headers=token_for(admin)).get_json()
    assert body["items_seen"] == 3 and body["articles_ingested"] == 2 and body["last_error"] is None
    assert body["last_poll_at"] and body["next_poll_at"] > body["last_poll_at"]
    stored = articles()
    assert {a.title for a in stored} == {"Harbour reopens after storm", "Council passes budget"}
    assert all(a.source == "source" and a.publisher == "Coast Courier" for a in stored)
    quotes = {c.content for c in db.session.scalars(sa.select(Claim))}
    assert "The harbour will reopen to ferries on Thursday morning" in quotes
    skipped = db.session.scalar(sa.select(SourceItem).where(SourceItem.url == site.url("/private/secret")))
    assert skipped.status == "skipped" and "robots.txt" in skipped.note and skipped.job_id is None
    assert "/private/secret" not in paths(site)  # robots.txt said no: never fetched

    # Nothing new: the feed answers 304 to the conditional request, nothing is fetched again.
    site.state["requests"].clear()
    outcome = service.poll_source(source.id, owner="test")
    assert outcome.polled and outcome.not_modified and outcome.new_items == 0
    feed_request = next(headers for path, headers, _ in site.state["requests"] if path == "/feed.xml")
    assert feed_request["If-None-Match"] == '"v3"' and feed_request["If-Modified-Since"]
    assert paths(site) == ["/robots.txt", "/feed.xml"]

    # One new item: only it is fetched and ingested.
    site.state["feed"].insert(0, "/news/bridge")
    site.state["requests"].clear()
    outcome = service.poll_source(source.id, owner="test")
    assert outcome.new_items == 1 and outcome.queued == 1
    assert [p for p in paths(site) if p.startswith("/news/")] == ["/news/bridge"]
    assert len(articles()) == 3
    db.session.expire_all()
    assert db.session.get(Source, source.id).items_seen == 4


@pytest.mark.parametrize("path", ["/feed.xml", "/atom.xml"])  # with and without an ETag
def test_at_most_n_items_a_poll_the_rest_next_time(app, admin, site, monkeypatch, path):
    monkeypatch.setitem(app.config, "CLAIMDESK_SOURCE_MAX_ITEMS", 1)
    site.state["feed"] = ["/news/harbour", "/news/budget"]
    source = make_source(admin, site, path=path)
    first = service.poll_source(source.id, owner="test")
    db.session.expire_all()
    assert first.left == 1 and db.session.get(Source, source.id).next_poll_at <= utcnow() + timedelta(minutes=1)
    second = service.poll_source(source.id, owner="test")
    third = service.poll_source(source.id, owner="test")
    assert (first.new_items, second.new_items, third.new_items) == (1, 1, 0)
    assert [a.title for a in articles()] == ["Council passes budget", "Harbour reopens after storm"]  # newest first
    if path == "/feed.xml":  # the full feed was fetched until nothing was left, then conditionally
        feed_requests = [headers for p, headers, _ in site.state["requests"] if p == path]
        assert [h.get("If-None-Match") for h in feed_requests] == [None, None, '"v2"']
        assert third.not_modified


def test_a_sitemap_index_and_a_front_page(admin, site):
    site.state["feed"] = ["/news/harbour"]
    sitemap = make_source(admin, site, path="/sitemap.xml", kind="sitemap")
    outcome = service.poll_source(sitemap.id, owner="test")
    assert outcome.new_items == 1 and [a.url for a in articles()] == [site.url("/news/harbour")]

    site.state["feed"] = ["/news/budget"]
    front = make_source(admin, site, path="/front", kind="page")
    outcome = service.poll_source(front.id, owner="test")
    assert outcome.new_items == 1 and outcome.error is None
    db.session.expire_all()
    assert db.session.get(Source, front.id).feed_url == site.url("/feed.xml")
    assert articles()[-1].title == "Council passes budget"


@pytest.mark.parametrize("path, kind, state, message", [
    ("/plain", "page", {}, "No RSS or Atom feed is announced"),
    ("/plain", "feed", {}, "not one of"),
    ("/gone.xml", "feed", {}, "answered 404"),
    ("/feed.xml", "feed", {"robots": "User-agent: *\nDisallow: /\n"}, "does not allow"),
    ("/feed.xml", "feed", {"robots_status": 503}, "does not allow"),
])
def test_a_failed_poll_is_shown_as_the_last_error(admin, site, path, kind, state, message):
    site.state.update(state)
    source = make_source(admin, site, path=path, kind=kind)
    outcome = service.poll_source(source.id, owner="test")
    db.session.expire_all()
    source = db.session.get(Source, source.id)
    assert message in outcome.error and message in source.last_error
    assert source.lease_until is None and source.next_poll_at > utcnow() and not articles()


def test_every_fetch_goes_through_the_ssrf_safe_fetcher(app, admin, site, monkeypatch):
    """Without 127.0.0.1 allowed, a source on it is refused like any URL ingest."""
    monkeypatch.setitem(app.config, "CLAIMDESK_FETCH_ALLOWED_HOSTS", ())
    source = make_source(admin, site)
    outcome = service.poll_source(source.id, owner="test")
    assert "Refused to fetch" in outcome.error and "loopback" in outcome.error
    assert not site.state["requests"] and not articles()


def test_one_poll_per_source_at_a_time(app, admin, site):
    source = make_source(admin, site)
    assert service._take_lease(source.id, "consumer-a")
    assert service.poll_source(source.id, owner="consumer-b").polled is False
    assert not site.state["requests"] and service.due_sources() == []
    # Two pollers at once: one polls, the other finds the lease taken.
    source_id = source.id
    db.session.execute(sa.update(Source).values(lease_owner=None, lease_until=None))
    db.session.commit()
    outcomes = []

    def poll(owner):
        with app.app_context():
            outcomes.append(service.poll_source(source_id, owner=owner))

    threads = [threading.Thread(target=poll, args=(f"consumer-{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(o.polled for o in outcomes) == [False, True], outcomes
    assert db.session.scalar(sa.select(sa.func.count(SourceItem.id))) == 3
    assert len(articles()) == 2


def test_the_periodic_task_polls_due_sources_only(admin, site):
    assert REGISTRY[service.DUE_TASK].schedule is not None and REGISTRY[service.POLL_TASK].schedule is None
    due = make_source(admin, site)
    later = make_source(admin, site, path="/atom.xml")
    paused = make_source(admin, site, path="/sitemap.xml", kind="sitemap")
    db.session.execute(sa.update(Source).where(Source.id == later.id).values(next_poll_at=utcnow() + timedelta(hours=1)))
    db.session.execute(sa.update(Source).where(Source.id == paused.id).values(paused=True))
    db.session.commit()
    assert service.poll_due() == [due.id]
    db.session.expire_all()
    assert db.session.get(Source, due.id).last_polled_at is not None
    assert db.session.get(Source, later.id).last_polled_at is None
    assert db.session.get(Source, paused.id).last_polled_at is None


def test_requests_to_one_host_are_a_second_apart(app, admin, site, monkeypatch):
    monkeypatch.setitem(app.config, "CLAIMDESK_FETCH_HOST_INTERVAL", 1.0)
    site.state["feed"] = ["/news/harbour", "/news/budget"]
    source = make_source(admin, site)
    service.poll_source(source.id, owner="test")
    times = [at for _path, _headers, at in site.state["requests"]]
    assert paths(site) == ["/robots.txt", "/feed.xml", "/news/budget", "/news/harbour"]
    assert all(b - a >= 0.95 for a, b in zip(times, times[1:])), [round(b - a, 2) for a, b in zip(times, times[1:])]
    assert len(articles()) == 2


def test_settings_from_the_file_named_by_claimdesk_settings(tmp_path, monkeypatch):
    settings = tmp_path / "desk.cfg"
    settings.write_text('CLAIMDESK_FETCH_ALLOWED_HOSTS = ("127.0.0.1",)\nCLAIMDESK_SOURCE_MAX_ITEMS = 7\n')
    monkeypatch.setenv("CLAIMDESK_SETTINGS", str(settings))
    monkeypatch.setenv("CLAIMDESK_SOURCE_MAX_ITEMS", "3")  # the file comes after the environment
    made = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert made.config["CLAIMDESK_FETCH_ALLOWED_HOSTS"] == ("127.0.0.1",)
    assert made.config["CLAIMDESK_SOURCE_MAX_ITEMS"] == 7
    monkeypatch.setenv("CLAIMDESK_SETTINGS", str(tmp_path / "missing.cfg"))
    with pytest.raises(OSError):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})


# --- pages ----------------------------------------------------------------------------------------

def test_source_pages(client, auth, admin, editor, site):
    auth.login(admin)
    page = client.get("/sources").get_data(as_text=True)
    assert "Add a source" in page
    answer = client.post("/sources", data={"url": site.url("/feed.xml"), "kind": "feed", "name": "Coast Courier"})
    assert answer.status_code == 302
    source = db.session.scalar(sa.select(Source))
    assert client.post("/sources", data={"url": "not a url", "kind": "feed"}).status_code == 422
    assert client.post("/sources", data={"url": "http://[::1/feed", "kind": "feed"}).status_code == 422
    assert client.post(f"/sources/{source.id}/poll").status_code == 302
    page = client.get(f"/sources/{source.id}").get_data(as_text=True)
    for label in ("Last poll", "Next poll", "Items seen", "Articles ingested", "Last error", "Paused"):
        assert label in page
    assert "Harbour reopens after storm" in page and site.url("/private/secret") in page
    assert client.post(f"/sources/{source.id}", data={"name": "Courier", "every_minutes": 5, "paused": "y"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Source, source.id).paused is True

    auth.logout()
    auth.login(editor)
    page = client.get("/sources").get_data(as_text=True)
    assert "Courier" in page and "Add a source" not in page
    assert client.post("/sources", data={"url": site.url("/atom.xml"), "kind": "feed"}).status_code == 403
    assert client.post(f"/sources/{source.id}/delete").status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(Source.id))) == 1


# --- on the queue: two consumer processes on Redis, the periodic task, one poll at a time ---------

fast_recovery = test_jobs.fast_recovery  # heartbeats every 0.5 s


@pytest.mark.slow
def test_two_consumers_on_redis_poll_a_source_once(app, admin, site, monkeypatch, fast_recovery, tmp_path):
    """Polls sent to both consumers at once (and the periodic ``sources.due`` when its minute
    comes) find the source's lease taken but for one: each item is seen and ingested once.
    The consumers' settings (127.0.0.1 allowed) come from the file named by CLAIMDESK_SETTINGS."""
    settings = tmp_path / "consumers.cfg"
    settings.write_text('CLAIMDESK_FETCH_ALLOWED_HOSTS = ("127.0.0.1",)\nCLAIMDESK_FETCH_HOST_INTERVAL = 0\n')
    monkeypatch.setenv("CLAIMDESK_SETTINGS", str(settings))
    huey = test_jobs.use_queue(app, monkeypatch, "redis")
    source = make_source(admin, site)
    source_id = source.id
    workers = [test_jobs.worker_process(app, tmp_path / f"consumer-{n}.log") for n in range(2)]
    try:
        test_jobs.wait_until(lambda: test_jobs.alive() >= 2, 240, "two consumers to start")
        for _ in range(3):  # besides the periodic task: polls sent to both consumers at once
            enqueue(service.POLL_TASK, source_id)

        def ingested() -> bool:
            db.session.rollback()
            polled = db.session.get(Source, source_id, populate_existing=True)
            return polled.polls >= 1 and service.articles_ingested([source_id])[source_id] == 2
        test_jobs.wait_until(ingested, 240, "the source to be polled and its articles ingested")
        time.sleep(2)  # any poll still running would record its items now
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count(SourceItem.id))) == 3
        assert db.session.scalar(sa.select(sa.func.count(Job.id))) == 2
        assert [p for p in paths(site) if p.startswith("/news/")].count("/news/harbour") == 1
        assert len(articles()) == 2
    finally:
        for process in workers:
            test_jobs.stop(process)
        huey.flush()

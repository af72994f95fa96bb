"""Reading what a monitored source serves (no Flask, no database, no network).

- ``feed_items``: RSS and Atom (and JSON Feed) entries via feedparser, newest first.
- ``sitemap_links``: a sitemap's page addresses and its child sitemaps, via trafilatura's
  ``SitemapObject`` (XML or plain-text sitemaps; links to other domains dropped).
- ``discover_feeds``: the feeds a front page announces (``<link rel="alternate">``, then
  feed-looking links), via ``trafilatura.feeds.determine_feed``.
- ``Robots``: a robots.txt read with ``urllib.robotparser``.

The fetching is the caller's (app/sources/service.py, through the SSRF-safe fetcher).
"""
from __future__ import annotations

import calendar
import urllib.robotparser
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Optional
from urllib.parse import urljoin, urlsplit

import feedparser
from courlan import extract_domain
from trafilatura.feeds import FeedParameters, determine_feed
from trafilatura.sitemaps import DETECT_SITEMAP_LINK, SitemapObject
from trafilatura.utils import safe_relative_url

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml",
              "text/xml", "application/feed+json", "application/json", "text/plain")
SITEMAP_TYPES = ("application/xml", "text/xml", "text/plain")
ROBOTS_TYPES = ("text/plain",)


class NotAFeed(ValueError):
    """The document is not a feed feedparser can read."""


@dataclass(frozen=True)
class Item:
    """One entry of a source: the article's address and what the source says of it."""

    url: str
    title: Optional[str] = None
    published_at: Optional[datetime] = None  # naive UTC


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _http(url: str) -> bool:
    return urlsplit(url).scheme in ("http", "https") and bool(urlsplit(url).hostname)


def feed_items(text: str, base_url: str) -> list[Item]:
    """The entries of an RSS/Atom/JSON feed that link to a web page, newest first (entries
    without a date keep the feed's order, after the dated ones)."""
    parsed = feedparser.parse(text, response_headers={"content-location": base_url})
    if parsed.bozo and not parsed.entries and not parsed.get("version"):
        raise NotAFeed(f"{base_url} is not an RSS or Atom feed ({parsed.get('bozo_exception') or 'no entries'}).")
    items: list[Item] = []
    seen: set[str] = set()
    for entry in parsed.entries:
        link = entry.get("link") or next((l.get("href") for l in entry.get("links", []) if l.get("href")), None)
        if not link:
            continue
        url = urljoin(base_url, link.strip())
        if not _http(url) or url in seen:
            continue
        seen.add(url)
        when = entry.get("published_parsed") or entry.get("updated_parsed")
        published = datetime.fromtimestamp(calendar.timegm(when), tz=timezone.utc).replace(tzinfo=None) if when else None
        title = " ".join((entry.get("title") or "").split())[:500] or None
        items.append(Item(url=url, title=title, published_at=published))
    dated = sorted((i for i in items if i.published_at), key=lambda i: i.published_at, reverse=True)
    return dated + [i for i in items if not i.published_at]


class _Sitemap(SitemapObject):
    """trafilatura's sitemap reader; a host with no registered domain (an address, a
    ``.test`` name) is kept to its own host instead of being dropped."""

    __slots__ = ()

    def handle_link(self, link: str) -> None:
        absolute = safe_relative_url(self.base_url, link)
        if extract_domain(absolute, fast=True) is None or extract_domain(self.base_url, fast=True) is None:
            if _http(absolute) and _host(absolute) == _host(self.base_url) and absolute != self.current_url:
                (self.sitemap_urls if DETECT_SITEMAP_LINK.search(absolute) else self.urls).append(absolute)
            return
        super().handle_link(link)


def sitemap_links(text: str, url: str) -> tuple[list[Item], list[str]]:
    """(pages, child sitemaps) listed by a sitemap served at ``url``, in its order."""
    sitemap = _Sitemap(url, extract_domain(url, fast=True) or _host(url), [], external=False)
    sitemap.current_url = url
    sitemap.content = text
    sitemap.process()
    pages = list(dict.fromkeys(u for u in sitemap.urls if _http(u)))
    children = list(dict.fromkeys(u for u in sitemap.sitemap_urls if _http(u) and u != url))
    return [Item(url=u) for u in pages], children


def discover_feeds(html: str, url: str) -> list[str]:
    """The feed addresses a front page at ``url`` announces, best first."""
    params = FeedParameters(url, _host(url), url)
    return [u for u in determine_feed(html, params) if _http(u)]


class Robots:
    """A host's robots.txt rules. ``Robots.allow_all()`` when it has none (404), ``Robots.
    deny_all()`` when it could not be read (RFC 9309: a server error means keep out)."""

    def __init__(self, text: Optional[str], *, allow: bool = True) -> None:
        self._parser = urllib.robotparser.RobotFileParser()
        if text is None:
            self._parser.allow_all, self._parser.disallow_all = allow, not allow
        else:
            self._parser.parse(text.splitlines())

    @classmethod
    def allow_all(cls) -> "Robots":
        return cls(None, allow=True)

    @classmethod
    def deny_all(cls) -> "Robots":
        return cls(None, allow=False)

    def allowed(self, url: str, agent: str) -> bool:
        return self._parser.can_fetch(agent, url)

    def crawl_delay(self, agent: str) -> Optional[float]:
        delay = self._parser.crawl_delay(agent)
        return float(delay) if delay is not None else None


def robots_url(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/robots.txt"


def host_of(url: str) -> str:
    return _host(url)


def display_name(url: str) -> str:
    """A name for a source nobody named: its host and path, e.g. ``news.example/rss``."""
    parts = urlsplit(url)
    return (parts.netloc + parts.path.rstrip("/"))[:200] or url[:200]

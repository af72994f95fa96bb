"""Fetch one web page for ingest without letting a URL reach inside the network.

No Flask here: the caller passes :class:`FetchSettings`. Every hop (the first request and
each redirect) is checked the same way:

* only ``http`` and ``https``, no user name or password in the address;
* the host is resolved once and *every* address it resolves to must be public
  (no loopback, private, link-local, multicast, reserved, unspecified or other
  non-global address); the connection then goes to that vetted address, so a second
  DNS answer cannot swap in an internal one (DNS rebinding);
* redirects are followed by hand, at most ``max_redirects`` of them;
* one deadline for the whole fetch, and the body is streamed and dropped past ``max_bytes``;
* the answer must be ``text/html`` or ``application/xhtml+xml``; its charset is taken
  from the ``Content-Type`` header.

Refusals raise :class:`app.errors.FetchRefused` with a message for the editor.

``fetch_document`` is the same fetch for feeds, sitemaps and robots.txt (app/sources): the
types it takes are named by the caller, it sends ``If-None-Match`` / ``If-Modified-Since``
and returns a 304 as ``not_modified``. ``FetchSettings.before_request`` is called with the
host before every request (redirects too): the desk's per-host pacing.
"""
from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
import zlib
from dataclasses import dataclass, field
from typing import Callable, Optional, Union
from urllib.parse import urljoin, urlsplit

from app.errors import DomainError, FetchFailed, FetchRefused
from app.ingest.text import decode_bytes

IPAddress = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]
Resolver = Callable[[str, int], list[str]]

HTML_TYPES = ("text/html", "application/xhtml+xml")
REDIRECT_CODES = (301, 302, 303, 307, 308)
CHUNK = 64 * 1024


@dataclass(frozen=True)
class FetchSettings:
    """Limits of one fetch.

    Args:
        allowed_hosts: host names or addresses let through although their address is not
            public (tests only: the local server they start).
        timeout: seconds for the whole fetch, redirects included.
        max_bytes: the largest body read (after decompression).
        max_redirects: redirects followed before giving up.
    """

    allowed_hosts: frozenset[str] = frozenset()
    timeout: float = 10.0
    max_bytes: int = 5 * 1024 * 1024
    max_redirects: int = 5
    user_agent: str = "Claimdesk/1.0 (newsroom fact-check desk)"
    before_request: Optional[Callable[[str], None]] = None  # called with the host before each request


@dataclass
class FetchedPage:
    url: str  # after redirects
    html: str
    content_type: str
    charset: Optional[str]
    redirects: list[str] = field(default_factory=list)


@dataclass
class FetchedDocument:
    """A feed, sitemap or text file as fetched (``fetch_document``)."""

    url: str  # after redirects
    status: int  # 200 (or another 2xx), or 304 when ``not_modified``
    text: str  # decoded; empty when not modified
    content_type: str
    etag: Optional[str] = None
    last_modified: Optional[str] = None
    redirects: list[str] = field(default_factory=list)

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def resolve_host(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (IPv4 and IPv6), in the resolver's order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: list[str] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        if sockaddr[0] not in seen:
            seen.append(sockaddr[0])
    return seen


def address_problem(address: IPAddress) -> Optional[str]:
    """Why the desk will not connect to ``address`` ("a private address"), or None if public."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour or (address.teredo[1] if address.teredo else None)
        if embedded is not None:
            return address_problem(embedded) or (None if address.ipv4_mapped else _not_global(address))
    checks = (
        ("is_unspecified", "an unspecified address"),
        ("is_loopback", "a loopback address"),
        ("is_link_local", "a link-local address"),
        ("is_multicast", "a multicast address"),
        ("is_reserved", "a reserved address"),
        ("is_private", "a private address"),
    )
    for attribute, what in checks:
        if getattr(address, attribute):
            return what
    return _not_global(address)


def _not_global(address: IPAddress) -> Optional[str]:
    return None if address.is_global else "not a public address"


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str  # ASCII (IDNA) host name or address, no brackets
    port: int
    path: str  # path and query, never empty


def parse_target(url: str) -> _Target:
    """Split and check an address: http(s) only, a host, no credentials."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise FetchRefused(f"{url!r} is not a valid web address ({exc}).") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        shown = scheme or "no scheme"
        raise FetchRefused(f"Only http:// and https:// addresses can be fetched, not {shown}.", url=url)
    if parts.username is not None or parts.password is not None:
        raise FetchRefused("Addresses with a user name or password in them are not fetched.", url=url)
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise FetchRefused(f"{url!r} names no host.", url=url)
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise FetchRefused(f"The host name in {url!r} is not valid.", url=url) from None
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return _Target(scheme, host, port or (443 if scheme == "https" else 80), path)


def vetted_addresses(target: _Target, settings: FetchSettings, resolve: Resolver) -> list[str]:
    """The addresses to connect to, all public (unless the host is allowed for tests)."""
    try:
        addresses = [ipaddress.ip_address(target.host)]
    except ValueError:
        try:
            addresses = [ipaddress.ip_address(a.split("%", 1)[0]) for a in resolve(target.host, target.port)]
        except (OSError, UnicodeError, ValueError):
            raise FetchRefused(f"The host {target.host} could not be found.", host=target.host) from None
    if not addresses:
        raise FetchRefused(f"The host {target.host} could not be found.", host=target.host)
    if target.host not in settings.allowed_hosts:
        for address in addresses:
            problem = address_problem(address)
            if problem:
                named = target.host if target.host == str(address) else f"{target.host} resolves to {address}"
                raise FetchRefused(
                    f"Refused to fetch: {named}, {problem}. Only public web addresses can be fetched.",
                    host=target.host, address=str(address),
                )
    return [str(a) for a in addresses]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to a vetted address; the Host header still names the host."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a vetted address, with SNI and certificate checks against the host name."""

    def __init__(self, host: str, port: int, address: str, timeout: float, context: ssl.SSLContext) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self.address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def fetch_html(
    url: str,
    settings: FetchSettings = FetchSettings(),
    *,
    resolve: Resolver = resolve_host,
    ssl_context: Optional[ssl.SSLContext] = None,
) -> FetchedPage:
    """GET an HTML page under the rules in this module's docstring.

    Args:
        url: an http(s) address typed by an editor.
        settings: the limits; ``allowed_hosts`` only in tests.
        resolve: host, port -> addresses (tests pass a fake resolver).
    Returns:
        The decoded page and the address it was finally served from.
    Raises:
        FetchRefused: for every refusal and failure, with a message saying which.
    """
    def page(current, response, sock, deadline, redirects):
        return _page(current, response, sock, settings, deadline, redirects)

    return _fetch(url, settings, {"Accept": "text/html,application/xhtml+xml;q=0.9"}, page, resolve, ssl_context)


def fetch_document(
    url: str,
    settings: FetchSettings = FetchSettings(),
    *,
    types: tuple[str, ...],
    etag: Optional[str] = None,
    last_modified: Optional[str] = None,
    resolve: Resolver = resolve_host,
    ssl_context: Optional[ssl.SSLContext] = None,
) -> FetchedDocument:
    """GET a document of one of ``types`` (e.g. ``application/rss+xml``) under the same rules,
    conditionally when ``etag`` / ``last_modified`` (from the last fetch) are given.

    Raises:
        FetchRefused: a refusal or failure; FetchFailed: the server answered an error status.
    """
    headers = {"Accept": ", ".join(types) + ", */*;q=0.1"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified

    def document(current, response, sock, deadline, redirects):
        found = {"etag": response.getheader("ETag"), "last_modified": response.getheader("Last-Modified")}
        if response.status == 304:
            return FetchedDocument(url=current, status=304, text="", content_type="", redirects=redirects, **found)
        if not 200 <= response.status < 300 or response.status == 204:
            raise FetchFailed(f"{current} answered {response.status} {response.reason}.",
                              url=current, remote_status=response.status)
        mime, _, params = (response.getheader("Content-Type") or "").partition(";")
        mime = mime.strip().lower()
        if mime not in types:
            raise FetchRefused(f"{current} serves {mime or 'content of no declared type'}, not one of "
                               f"{', '.join(types)}.", url=current, content_type=mime)
        charset = _charset(params)
        length = response.getheader("Content-Length")
        if length and length.strip().isdecimal() and int(length.strip()) > settings.max_bytes:
            raise _too_large(current, settings)
        data = _read_body(response, sock, current, urlsplit(current).hostname or current, settings, deadline)
        try:
            text = _decode(data, charset)
        except DomainError as exc:
            raise FetchRefused(f"{current}: {exc.message}", url=current) from None
        return FetchedDocument(url=current, status=response.status, text=text, content_type=mime,
                               redirects=redirects, **found)

    return _fetch(url, settings, headers, document, resolve, ssl_context)


def _fetch(url: str, settings: FetchSettings, headers: dict[str, str], read: Callable, resolve: Resolver,
           ssl_context: Optional[ssl.SSLContext]):
    """The hop loop both fetches share: vet, (pace,) request, follow redirects by hand, read."""
    deadline = time.monotonic() + settings.timeout
    context = ssl_context or ssl.create_default_context()
    current, redirects = url.strip(), []
    while True:
        target = parse_target(current)
        addresses = vetted_addresses(target, settings, resolve)
        if settings.before_request is not None:
            settings.before_request(target.host)
        response, conn, sock = _request(target, addresses, settings, deadline, context, headers)
        try:
            if response.status in REDIRECT_CODES:
                location = response.getheader("Location")
                if not location:
                    raise FetchRefused(f"{current} redirects without saying where to.", url=current)
                if len(redirects) >= settings.max_redirects:
                    raise FetchRefused(
                        f"{url} redirects more than {settings.max_redirects} times; giving up.", url=url)
                current = urljoin(current, location.strip())
                redirects.append(current)
                continue
            return read(current, response, sock, deadline, redirects)
        finally:
            response.close()
            conn.close()


def _remaining(deadline: float, settings: FetchSettings, host: str) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchRefused(f"{host} did not answer within {settings.timeout:g} seconds.", host=host)
    return left


def _request(target: _Target, addresses: list[str], settings: FetchSettings, deadline: float,
             context: ssl.SSLContext, headers: dict[str, str],
             ) -> tuple[http.client.HTTPResponse, http.client.HTTPConnection, socket.socket]:
    """Send the GET to the first vetted address that accepts a connection."""
    last_error: Optional[BaseException] = None
    for address in addresses:
        timeout = _remaining(deadline, settings, target.host)
        if target.scheme == "https":
            conn: http.client.HTTPConnection = _PinnedHTTPSConnection(
                target.host, target.port, address, timeout, context)
        else:
            conn = _PinnedHTTPConnection(target.host, target.port, address, timeout)
        try:
            conn.request("GET", target.path, headers={
                "User-Agent": settings.user_agent,
                "Accept-Encoding": "gzip, deflate",
                "Connection": "close",
                **headers,
            })
            sock = conn.sock  # kept: getresponse() hands it to the response and forgets it
            sock.settimeout(_remaining(deadline, settings, target.host))
            return conn.getresponse(), conn, sock
        except socket.timeout:
            conn.close()
            raise FetchRefused(f"{target.host} did not answer within {settings.timeout:g} seconds.",
                               host=target.host) from None
        except ssl.SSLError as exc:
            conn.close()
            raise FetchRefused(f"The secure connection to {target.host} failed: {exc.reason or exc}.",
                               host=target.host) from None
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            last_error = exc
    raise FetchRefused(f"Could not connect to {target.host}: {last_error}.", host=target.host)


def _page(url: str, response: http.client.HTTPResponse, sock: socket.socket, settings: FetchSettings,
          deadline: float, redirects: list[str]) -> FetchedPage:
    """Check status and type, then read the body within the limits and decode it."""
    host = urlsplit(url).hostname or url
    if not 200 <= response.status < 300 or response.status == 204:
        raise FetchFailed(f"{url} answered {response.status} {response.reason}; nothing to ingest.",
                          url=url, remote_status=response.status)
    header = response.getheader("Content-Type") or ""
    mime, _, params = header.partition(";")
    mime = mime.strip().lower()
    if mime not in HTML_TYPES:
        what = mime or "content of no declared type"
        raise FetchRefused(
            f"{url} serves {what}, not an HTML web page. Only web pages can be fetched; "
            f"upload a .txt or .html file instead.", url=url, content_type=mime)
    charset = _charset(params)
    length = response.getheader("Content-Length")
    if length and length.strip().isdecimal() and int(length.strip()) > settings.max_bytes:
        raise _too_large(url, settings)
    data = _read_body(response, sock, url, host, settings, deadline)
    try:
        html = _decode(data, charset)
    except DomainError as exc:
        raise FetchRefused(f"{url}: {exc.message}", url=url) from None
    return FetchedPage(url=url, html=html, content_type=mime, charset=charset, redirects=redirects)


def _charset(params: str) -> Optional[str]:
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'").lower()
    return None


def _too_large(url: str, settings: FetchSettings) -> FetchRefused:
    return FetchRefused(f"{url} is larger than the limit of {settings.max_bytes:,} bytes; nothing was stored.",
                        url=url, limit=settings.max_bytes)


def _read_body(response: http.client.HTTPResponse, sock: socket.socket, url: str, host: str,
               settings: FetchSettings, deadline: float) -> bytes:
    """Stream the body, decompressing gzip/deflate, and stop past the size cap or deadline."""
    encoding = (response.getheader("Content-Encoding") or "identity").strip().lower()
    if encoding not in ("identity", "gzip", "x-gzip", "deflate"):
        raise FetchRefused(f"{url} is sent with the {encoding} encoding, which the desk cannot read.", url=url)
    inflate = None if encoding == "identity" else zlib.decompressobj(zlib.MAX_WBITS | 32)
    chunks: list[bytes] = []
    total = 0
    try:
        while True:
            sock.settimeout(_remaining(deadline, settings, host))
            raw = response.read1(CHUNK)
            if not raw:
                break
            if inflate is not None:
                raw = inflate.decompress(raw, settings.max_bytes + 1 - total)
            total += len(raw)
            if total > settings.max_bytes or (inflate is not None and inflate.unconsumed_tail):
                raise _too_large(url, settings)
            chunks.append(raw)
    except socket.timeout:
        raise FetchRefused(f"{host} did not answer within {settings.timeout:g} seconds.", host=host) from None
    except (zlib.error, http.client.HTTPException, OSError) as exc:
        raise FetchRefused(f"Reading {url} failed: {exc}.", url=url) from None
    return b"".join(chunks)


def _decode(data: bytes, charset: Optional[str]) -> str:
    """The charset the server declared, else the upload rules (UTF-8, meta charset, detection)."""
    if charset:
        try:
            return data.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_bytes(data, charset)


@dataclass
class PostResult:
    status: int
    body: bytes  # the first ``max_bytes`` of the answer (kept for the delivery log)


def post_bytes(
    url: str,
    body: bytes,
    headers: dict[str, str],
    settings: FetchSettings = FetchSettings(),
    *,
    resolve: Resolver = resolve_host,
    ssl_context: Optional[ssl.SSLContext] = None,
    max_answer: int = 2048,
) -> PostResult:
    """POST ``body`` to ``url`` under the same address rules as ``fetch_html`` (http/https,
    every resolved address public unless allowed, connection pinned to the vetted address,
    one deadline). Redirects are not followed: a webhook endpoint answers where it is.

    Raises:
        FetchRefused: the address is refused, cannot be reached, or did not answer in time.
    """
    deadline = time.monotonic() + settings.timeout
    context = ssl_context or ssl.create_default_context()
    target = parse_target(url)
    addresses = vetted_addresses(target, settings, resolve)
    last_error: Optional[BaseException] = None
    for address in addresses:
        timeout = _remaining(deadline, settings, target.host)
        if target.scheme == "https":
            conn: http.client.HTTPConnection = _PinnedHTTPSConnection(target.host, target.port, address, timeout,
                                                                      context)
        else:
            conn = _PinnedHTTPConnection(target.host, target.port, address, timeout)
        try:
            conn.request("POST", target.path, body=body, headers={
                "User-Agent": settings.user_agent, "Connection": "close", **headers})
            conn.sock.settimeout(_remaining(deadline, settings, target.host))
            response = conn.getresponse()
            return PostResult(response.status, response.read(max_answer))
        except socket.timeout:
            raise FetchRefused(f"{target.host} did not answer within {settings.timeout:g} seconds.",
                               host=target.host) from None
        except ssl.SSLError as exc:
            raise FetchRefused(f"The secure connection to {target.host} failed: {exc.reason or exc}.",
                               host=target.host) from None
        except (OSError, http.client.HTTPException) as exc:
            last_error = exc
        finally:
            conn.close()
    raise FetchRefused(f"Could not connect to {target.host}: {last_error}.", host=target.host)

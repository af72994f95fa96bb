"""The two URL checks every layer needs: links out and redirects in."""
from __future__ import annotations

from typing import Optional
from urllib.parse import urlsplit


def is_web_url(value: object) -> bool:
    """True for http(s) addresses: the only ones stored as article/evidence URLs or linked to
    (never ``javascript:`` or ``data:``)."""
    if not isinstance(value, str) or not value.strip().lower().startswith(("http://", "https://")):
        return False
    try:
        return bool(urlsplit(value.strip()).netloc)
    except ValueError:  # e.g. an unclosed IPv6 bracket: "http://[::1"
        return False


def local_path(target: Optional[str]) -> Optional[str]:
    """``target`` when it is a path on this site, else None (no open redirects: ``//host``
    and ``/\\host`` are other sites to a browser)."""
    target = (target or "").strip()
    if not target.startswith("/") or target.startswith(("//", "/\\")) or "\\" in target[:3]:
        return None
    if urlsplit(target).netloc or any(ord(c) < 32 for c in target):
        return None
    return target

"""Cleaning of social-media text (tweets) before it is embedded or matched."""
from __future__ import annotations

import re

_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
    "|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
# "— Name (@handle) January 6, 2020": the signature of an embedded tweet. Threads repeat it.
_SIGNATURE = re.compile(
    r"\s*[—–-]{1,2}\s*([^—–()]{0,80}?)\s*\(@\w{1,30}\)\s*"
    rf"(?:(?:{_MONTHS})\.?\s+\d{{1,2}},?\s+\d{{4}})?"
)
_URL = re.compile(r"(?:https?://|www\.)\S+|\bpic\.twitter\.com/\S+|\b[\w.-]+\.(?:com|org|net|ly|co)/\S*")
_HANDLE = re.compile(r"(?<![\w@])@(\w{1,30})")
_HASHTAG = re.compile(r"#(\w+)")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SPACES = re.compile(r"\s+")


def _split_camel(word: str) -> str:
    return _CAMEL.sub(" ", word)


def clean_query_text(text: str, *, keep_author: bool = True) -> str:
    """Tidy tweet-like text for matching against claims.

    Removes URLs (``https://t.co/…``, ``pic.twitter.com/…``), turns embedded-tweet
    signatures ``— Name (@handle) Month D, YYYY`` into `` — Name`` (people's names
    matter: claims often name the speaker), drops the ``@`` of in-text handles and the
    ``#`` of hashtags (splitting ``#ImpeachTrump`` into ``Impeach Trump``), and collapses
    whitespace. Plain prose passes through unchanged apart from whitespace.

    Args:
        text: The raw text.
        keep_author: Keep the author's name from a signature (``False`` drops it too).

    Returns:
        The cleaned text (the stripped original if cleaning would leave nothing).
    """
    def signature(match: re.Match) -> str:
        name = match.group(1).strip()
        if not (keep_author and name):
            return " "
        return f" — {name} " if name.endswith((".", "!", "?")) else f" — {name}. "

    cleaned = _SIGNATURE.sub(signature, text)
    cleaned = _URL.sub(" ", cleaned)
    cleaned = _HANDLE.sub(lambda m: _split_camel(m.group(1)), cleaned)
    cleaned = _HASHTAG.sub(lambda m: " " + _split_camel(m.group(1)) + " ", cleaned)
    cleaned = _SPACES.sub(" ", cleaned).strip()
    cleaned = re.sub(r"\s+([.,!?;:])", r"\1", cleaned)
    cleaned = re.sub(r"(?:\s*—\s*)?\.$", ".", cleaned).strip()
    return cleaned or text.strip()

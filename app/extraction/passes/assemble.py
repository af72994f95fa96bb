"""Pass 4, assemble: join the pieces of one quote, drop what is not a claim.

Input: the view and the claims of passes 3a-3c with their speakers chosen (pass 5 runs
before this one). Output: the claims of the text, in order:

* a direct quote with no cue or speaker of its own continues the attributed quote (or
  claim) before it in its paragraph (``"…," he said. "…"``), and two pieces sharing one
  cue are one quote: the later piece is *joined* onto the earlier claim (``joined``
  keeps each piece and its kind, so the emit pass can give one quote per piece);
* cue-less quotations that are not speech-like, and unquoted claims that are a
  headline line, go;
* a reported claim whose cue sits inside another claim is part of that claim.
"""
from __future__ import annotations

from .. import thresholds as T
from ..claims import Claim
from ..document import DocView, looks_like_title


def assemble(view: DocView, claims: list[Claim], keep_nested: bool = False) -> list[Claim]:
    """Join split quotes, drop non-claims, drop nested claims; sort by position.

    Args:
        view: the parsed text.
        claims: claims from the find passes, speakers chosen.
        keep_nested: keep reported claims nested in another claim (cue mining).
    """
    claims = join_split_quotes(view, claims)
    claims = [c for c in claims if c.speechlike and not in_headline(view, c)]
    if not keep_nested:
        claims = drop_nested(view, claims)
    return sorted(claims, key=lambda c: (c.start, c.end))


def join_split_quotes(view: DocView, claims: list[Claim]) -> list[Claim]:
    """``"…," he said. "…"`` and ``"…," he said, "…"``: the later piece joins the first."""
    out: list[Claim] = []
    for c in sorted(claims, key=lambda c: c.start):
        if c.kind == "direct":
            prev = attributed_before(view, out, c)
            if prev is not None:
                prev.joined.append((c.kind, list(c.spans)))
                prev.spans.extend(c.spans)
                prev.quotations.extend(c.quotations)
                if prev.kind == "indirect":
                    prev.first_kind, prev.kind = prev.kind, "partial"
                continue
        out.append(c)
    return out


def attributed_before(view: DocView, done: list[Claim], c: Claim) -> Claim | None:
    """The claim a cue-less (or same-cue) direct quote continues, if any: the last direct
    quote before it in the paragraph (``"…," Clark said, noting he … "…"``), else the last
    claim before it there."""
    before = [p for p in done if p.para == c.para and p.end <= c.start]
    if not before:
        return None
    direct = [p for p in before if p.kind == "direct"]
    prev = direct[-1] if direct else before[-1]
    if not (prev.cue or prev.speaker_head):
        return None
    lone = c.cue is None and c.speaker_head is None
    same_cue = (c.cue is not None and prev.cue is not None and
                c.cue.token.i == prev.cue.token.i)
    if (lone or same_cue) and not quotation_between(view, prev.end, c.start, prev, c):
        return prev
    return None


def quotation_between(view: DocView, s: int, e: int, c1: Claim, c2: Claim) -> bool:
    own = {id(q) for q in c1.quotations + c2.quotations}
    return any(s <= q.start < e and id(q) not in own and not looks_like_title(view, q)
               for q in view.quotations)


def in_headline(view: DocView, c: Claim) -> bool:
    """Is an unquoted claim a headline ("Council vows to rebuild the harbour"): its whole
    paragraph a short line with no quotation and no closing punctuation?"""
    if c.quotations:
        return False
    toks = view.para_tokens(c.para)
    if not toks:
        return False
    line = view.text[toks[0].idx:toks[-1].idx + len(toks[-1].text)]
    words = [t for t in toks if not t.is_punct]
    return (len(words) <= T.HEADLINE_WORDS and
            line.rstrip("\"'”’»").rstrip()[-1:] not in ".!?…:;)" and
            all(view.outside[t.i] for t in toks) and
            toks[0].idx <= c.start and c.end <= toks[-1].idx + len(toks[-1].text))


def drop_nested(view: DocView, claims: list[Claim]) -> list[Claim]:
    """A reported claim whose cue sits inside another claim's content is part of that
    claim (``She noted that Sanders has criticized …``): only the outer one is kept."""
    outer = [(c.start, c.end) for c in claims if c.kind != "direct"]
    keep = []
    for c in claims:
        if c.key and c.cue is not None:
            at = view.doc[c.cue.start].idx
            if any(s <= at < e and not (s == c.start and e == c.end) for s, e in outer):
                continue
        keep.append(c)
    return keep

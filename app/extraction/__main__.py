"""Command line: ``python -m app.extraction``.

``python -m app.extraction --jsonl IN.jsonl``  reads lines ``{"id": ..., "text": ...}``
(other keys ignored) and writes one line per input to stdout:
``{"id": ..., "quotes": [Quote.to_dict(), ...]}``.

``python -m app.extraction FILE.txt``  prints a readable table of the quotes of a text
(``-`` reads standard input).

``python -m app.extraction train-speaker``  rebuilds ``data/speaker_model.json`` from
PolNeAR train (:mod:`.speaker_model`).
"""
from __future__ import annotations

import argparse
import json
import sys
import textwrap
from typing import Iterator, TextIO

from .engine import DEFAULT_MODEL, Extractor, Quote, get_extractor


def read_jsonl(stream: TextIO) -> Iterator[dict]:
    """Records of a JSON-lines stream; a line that is not a JSON object becomes an
    empty-text record, so every input line still gets an output line."""
    for n, line in enumerate(stream):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            rec = {}
        if not isinstance(rec, dict):
            rec = {}
        rec.setdefault("id", n)
        yield rec


def _extractor(model: str, join_paragraphs: bool, group_interrupted: bool = False) -> Extractor:
    base = get_extractor(model)
    if not (join_paragraphs or group_interrupted):
        return base
    return Extractor(base.nlp, join_paragraphs=join_paragraphs,
                     group_interrupted=group_interrupted)


def run_jsonl(path: str, model: str, batch_size: int, out: TextIO,
              join_paragraphs: bool = False, group_interrupted: bool = False) -> int:
    """Extract quotes for every record of a JSONL file and write them as JSONL.

    Returns:
        The number of records written.
    """
    extractor = _extractor(model, join_paragraphs, group_interrupted)
    with (sys.stdin if path == "-" else open(path, encoding="utf-8")) as f:
        records = list(read_jsonl(f))
    texts = (r.get("text") or "" for r in records)
    n = 0
    for rec, quotes in zip(records, extractor.extract_many(texts, batch_size=batch_size)):
        out.write(json.dumps({"id": rec["id"], "quotes": [q.to_dict() for q in quotes]},
                             ensure_ascii=False) + "\n")
        n += 1
    return n


def format_table(quotes: list[Quote], width: int = 100) -> str:
    """A plain-text table of quotes for a person to read."""
    if not quotes:
        return "no quotes found"
    lines = [f"{'#':>3}  {'kind':8} {'speaker':28} {'cue':16} content", "-" * width]
    for i, q in enumerate(quotes):
        speaker = q.speaker or "?"
        if q.speaker_role:
            speaker += f" ({q.speaker_role})"
        head = f"{i:>3}  {q.kind:8} {speaker[:28]:28} {(q.cue or '-')[:16]:16} "
        body = " ".join(q.content.split())
        if q.duplicate_of is not None:
            body = f"[duplicate of #{q.duplicate_of}] " + body
        if q.continues is not None:
            body = f"[continues #{q.continues}] " + body
        wrapped = textwrap.wrap(body, max(20, width - len(head))) or [""]
        lines.append(head + wrapped[0])
        lines.extend(" " * len(head) + w for w in wrapped[1:])
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["train-speaker"]:
        from .speaker_model import main as train_speaker

        return train_speaker(argv[1:])
    if argv[:1] == ["train-reported"]:
        from .reported_model import main as train_reported

        return train_reported(argv[1:])
    ap = argparse.ArgumentParser(prog="python -m app.extraction",
                                 description="Quote extraction and speaker attribution.")
    ap.add_argument("file", nargs="?", help="a plain-text article ('-' for stdin)")
    ap.add_argument("--jsonl", help="JSONL input with id and text; JSONL to stdout")
    ap.add_argument("--model", default=DEFAULT_MODEL)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--join-paragraphs", action="store_true",
                    help="one quote for a quote running over paragraphs (default: one per paragraph)")
    ap.add_argument("--group-interrupted", action="store_true",
                    help="one quote for a quote interrupted by its attribution (default: one per piece)")
    ap.add_argument("--polnear", action="store_true",
                    help="PolNeAR's convention: --join-paragraphs and --group-interrupted")
    args = ap.parse_args(argv)
    if args.polnear:
        args.join_paragraphs = args.group_interrupted = True
    if args.jsonl:
        run_jsonl(args.jsonl, args.model, args.batch_size, sys.stdout, args.join_paragraphs,
                  args.group_interrupted)
        return 0
    if not args.file:
        ap.error("give a FILE.txt or --jsonl IN.jsonl")
    with (sys.stdin if args.file == "-" else open(args.file, encoding="utf-8")) as f:
        text = f.read()
    print(format_table(_extractor(args.model, args.join_paragraphs,
                                  args.group_interrupted).extract(text)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

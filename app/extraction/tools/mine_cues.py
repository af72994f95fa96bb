"""Mine the reported-speech cue table from PolNeAR train.

Runs the engine with every reported-speech candidate kept, matches the output against
the gold attributions with the project scorer's own rules, and counts per pattern key
(``"say|ccomp"``, ``"urge|dobj"``, ``"refer|prep:to"`` …) how many candidates there were
and how many were right (content overlap and speaker). Writes
``app/extraction/data/cue_table.json``, read by :func:`app.extraction.lexicon.cue_precision`.

Usage (from the repository root)::

    python -m app.extraction.tools.mine_cues /work/shared/eval/polnear_train.jsonl \\
        --scorer /work/shared/eval/score_quotes.py [--docs train.spacy] [--min-count 3]
"""
from __future__ import annotations

import argparse
import collections
import json
import sys
from pathlib import Path

from ..cues import cue_lemma
from ..lexicon import CUE_TABLE_PATH, OBJECT_CUES, OTHER_STAR
from ..passes.emit import emit
from ..pipeline import Options, find_claims
from ..speaker_model import load_scorer, parsed_docs


def other_object_pattern(claim) -> bool:
    """An object or infinitive pattern of a verb outside the object lexicon?"""
    return bool(claim.key) and not claim.cue.clausal and \
        cue_lemma(claim.cue.token) not in OBJECT_CUES


def right_candidates(gold: list[dict], preds: list[dict], other: list[bool], text: str,
                     scorer) -> set[int]:
    """Indices of the predictions matched to a gold attribution with the speaker right.
    The predictions not flagged ``other`` are matched first, then the others against the
    gold left over: an other verb's object pattern is counted for what it adds, not for
    a match it takes from a clause candidate (the scorer's matching is greedy)."""
    right: set[int] = set()
    left = list(range(len(gold)))
    for group in (False, True):
        idx = [j for j in range(len(preds)) if other[j] == group]
        pairs = scorer.match([gold[i] for i in left], [preds[j] for j in idx], text)
        hit = {left[i]: idx[j] for i, j in pairs.items()
               if scorer.speaker_ok(preds[idx[j]], gold[left[i]], text)}
        right |= set(hit.values())
        left = [i for i in left if i not in hit]
    return right


def count_patterns(records: list[dict], docs, scorer) -> dict[str, list[int]]:
    """{pattern key: [candidates, right]} over all records."""
    counts: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    for rec, doc in zip(records, docs):
        view, claims = find_claims(doc, Options(threshold=-1.0, keep_nested=True,
                                                learned_reported=False))
        claims = [c for c in claims if emit(view, [c], True)]
        preds = [q.to_dict() for q in emit(view, claims, True)]
        gold, text = rec["quotes"], rec["text"]
        other = [other_object_pattern(c) for c in claims]
        right = right_candidates(gold, preds, other, text, scorer)
        for j, claim in enumerate(claims):
            if not claim.key:
                continue
            comp = claim.key.split("|")[1].split(":")[0].split("+")[0].split("^")[0]
            star = OTHER_STAR if other[j] else "*"
            for key in (claim.key, f"{star}|{comp}"):
                counts[key][0] += 1
                counts[key][1] += j in right
    return counts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("train", help="PolNeAR train JSONL (gold format)")
    ap.add_argument("--scorer", required=True, help="path to score_quotes.py")
    ap.add_argument("--docs", help="DocBin cache of the parses (read, or written)")
    ap.add_argument("--min-count", type=int, default=3)
    ap.add_argument("--out", default=str(CUE_TABLE_PATH))
    args = ap.parse_args(argv)
    records = [json.loads(x) for x in open(args.train, encoding="utf-8") if x.strip()]
    counts = count_patterns(records, parsed_docs(records, args.docs), load_scorer(args.scorer))
    patterns = {k: v for k, v in sorted(counts.items())
                if v[0] >= args.min_count or k[:2] in ("*|", OTHER_STAR + "|")}
    out = {"source": Path(args.train).name, "articles": len(records),
           "note": "pattern -> [candidates, gold attributions among them]",
           "patterns": patterns}
    Path(args.out).write_text(json.dumps(out, indent=0, sort_keys=False) + "\n",
                              encoding="utf-8")
    print(f"{len(patterns)} patterns -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``flask --app app export-corrections -o FILE``: the articles editors corrected, as gold JSONL
(text + quotes with offsets and speakers, the format of ../shared/eval/README_quotes.md)."""
from __future__ import annotations

import json

from app.workflow import corrections, service
from tests.conftest import DESK_STORY
from tests.workflow.test_corrections import WIRE, span_of

GOLD_KEYS = {"content", "content_start", "content_end", "content_spans", "speaker", "speaker_start", "speaker_end",
             "speaker_spans", "cue", "cue_start", "cue_end", "cue_spans", "kind", "direct"}


def export(runner, tmp_path) -> list[dict]:
    out = tmp_path / "corrections.jsonl"
    result = runner.invoke(args=["export-corrections", "-o", str(out)])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_only_corrected_articles_with_their_live_claims(runner, tmp_path, editor, make_article, make_claim, claims):
    wire = make_article(WIRE, title="Wire copy", publisher="Agency")
    a = span_of(WIRE, "We have seen more drones in the past month than ever before")
    b = span_of(WIRE, "Every air-defence system we deliver saves lives")
    merged = make_claim(wire, WIRE[a[0]:b[1]], speaker="Jens Stoltenberg", cue="told", spans=[list(a), list(b)],
                        speaker_aliases=("Stoltenberg",))
    narration = make_claim(wire, "The talks end on Friday", speaker="officials", kind="indirect")
    assert export(runner, tmp_path) == []  # nothing corrected yet: the DESK_STORY claims are as extracted

    corrections.split_claim(merged.id, user=editor, at=b[0] - 3, version=merged.version)
    corrections.remove_claim(narration.id, user=editor, version=narration.version)
    start, end = span_of(WIRE, "Prices will fall")
    added = corrections.add_claim(wire.id, user=editor, start=start, end=end, speaker="the minister", kind="direct",
                                  cue="said")
    lines = export(runner, tmp_path)
    assert [line["id"] for line in lines] == [f"claimdesk-{wire.id}"]
    gold = lines[0]
    assert gold["text"] == WIRE and gold["title"] == "Wire copy" and gold["publisher"] == "Agency"
    assert gold["removed_claims"] == [narration.id]
    quotes = gold["quotes"]
    assert [q["content"] for q in quotes] == ["Prices will fall", WIRE[a[0]:a[1]], WIRE[b[0]:b[1]]]
    for q in quotes:
        assert GOLD_KEYS <= set(q)
        assert WIRE[q["content_start"]:q["content_end"]] == q["content"]
        assert q["content_spans"] == [[q["content_start"], q["content_end"]]]
        if q["cue"] is not None:
            assert WIRE[q["cue_start"]:q["cue_end"]] == q["cue"]
    assert [q["speaker"] for q in quotes] == ["the minister", "Jens Stoltenberg", "Jens Stoltenberg"]
    assert "Stoltenberg" in quotes[1]["speaker_aliases"] and quotes[0]["claim_id"] == added.id
    assert quotes[0]["cue"] == "said" and quotes[0]["cue_start"] == WIRE.index("said")  # the nearest "said"
    assert [q["kind"] for q in quotes] == ["direct"] * 3 and quotes[0]["direct"] is True
    assert DESK_STORY not in [line["text"] for line in lines]


def test_a_span_correction_counts_and_stdout_works(runner, editor, claims):
    claim = claims[1]
    service.update_claim(claim.id, user=editor, version=claim.version, changes={"speaker": "NATO"})
    result = runner.invoke(args=["export-corrections"])
    assert result.exit_code == 0
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(lines) == 1 and len(lines[0]["quotes"]) == 5
    assert [q["speaker"] for q in lines[0]["quotes"]][1] == "NATO"

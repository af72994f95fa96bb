"""The rank command end to end, on a tiny corpus with the real model."""
import json

from app.similarity.__main__ import main


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return str(path)


def test_rank_command_writes_one_line_per_query(tmp_path, capsys, embedder):
    corpus = write_jsonl(tmp_path / "c.jsonl", [
        {"id": "a", "text": "Obama released 122 prisoners from Guantanamo.", "title": "Guantanamo releases"},
        {"id": "b", "text": "Cracker Barrel changed its name.", "title": "Cracker Barrel"},
        {"id": "c", "text": "The U.S. Army is texting people about a military draft."},
    ])
    queries = write_jsonl(tmp_path / "q.jsonl", [
        {"id": "q1", "text": "Army draft texts are fake pic.twitter.com/x — U.S. Army (@USArmy) January 8, 2020"},
        {"id": "q2", "text": "I demand Cracker Barrel change its name"},
    ])
    assert main(["rank", "--corpus", corpus, "--queries", queries, "--k", "2",
                 "--cache-dir", str(tmp_path / "cache")]) == 0
    lines = [json.loads(l) for l in capsys.readouterr().out.splitlines()]
    assert [l["id"] for l in lines] == ["q1", "q2"]
    assert lines[0]["ranked"][0] == "c" and lines[1]["ranked"][0] == "b"
    assert all(len(l["ranked"]) == 2 for l in lines)
    assert list((tmp_path / "cache").rglob("*.npz"))

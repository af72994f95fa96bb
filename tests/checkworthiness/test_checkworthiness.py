"""Check-worthiness: features, the numpy scorer against its parts, the committed artefact
with the real embedding model, training on made-up debates, and the CLI."""
import json

import numpy as np
import pytest

from app.checkworthiness import CheckworthinessModel, get_model
from app.checkworthiness.features import (
    CONTEXT_NAMES, CUE_FEATURES, context_features, cue_features, ngrams, words,
)
from app.checkworthiness.train import average_precision, fit, fold_of, read_debates


def cues_of(text):
    return dict(zip(CUE_FEATURES, cue_features(text)))


def test_ngrams_fold_digits_and_keep_symbols():
    assert words("Taxes rose 40% to $1,200?") == ["taxes", "rose", "0", "%", "to", "$", "0", "0", "?"]
    grams = ngrams("Jobs fell 3 percent")
    assert grams[:4] == ["jobs", "fell", "0", "percent"]
    assert "fell 0" in grams and len(grams) == 7


@pytest.mark.parametrize("text, present, absent", [
    ("Unemployment fell to 3.5 percent in 2019.", {"number", "quantity", "year", "comparison"}, {"opinion"}),
    ("Prices rose because the tariffs doubled.", {"causal", "comparison"}, {"number"}),
    ("The senator voted against the bill last year.", {"event"}, {"promise", "question"}),
    ("I think she is a wonderful person.", {"opinion", "first_person"}, {"number", "event"}),
    ("We will build it and they are going to pay.", {"promise"}, {"event"}),
    ("Please send more air-defence systems.", {"request"}, {"question"}),
    ("Thank you, and good evening.", {"pleasantry", "short"}, {"number"}),
    ("What would you do about Syria?", {"question", "second_person", "names"}, {"event"}),
])
def test_cues(text, present, absent):
    cues = cues_of(text)
    assert {name for name in present if cues[name] > 0} == present
    assert {name for name in absent if cues[name] > 0} == set()


def test_context_features_see_turns_questions_and_answers():
    speakers = ["MODERATOR", "MODERATOR", "(APPLAUSE) SMITH", "Smith", "JONES"]
    texts = ["Welcome.", "How many jobs were lost?", "We lost 70,000 jobs.", "It was awful.", "Not true."]
    rows = context_features(speakers, texts)
    col = {name: [r[j] for r in rows] for j, name in enumerate(CONTEXT_NAMES)}
    assert col["has_context"] == [1.0] * 5
    assert col["speaker_question_rate"] == [0.5, 0.5, 0.0, 0.0, 0.0]
    assert col["speaker_share"] == pytest.approx([0.4, 0.4, 0.4, 0.4, 0.2])
    assert col["answers_question"] == [0.0, 0.0, 1.0, 1.0, 0.0]  # the stage direction is not a new speaker
    assert col["turn_start"] == [1.0, 0.0, 1.0, 0.0, 1.0]
    assert context_features(["A"], ["Alone."])[0][0] == 0.0
    with pytest.raises(ValueError):
        context_features(["A"], ["one", "two"])


def tiny_model(dim=4):
    """A hand-made model whose parts are easy to compute by hand."""
    n_features = len(CUE_FEATURES) + len(CONTEXT_NAMES)
    cue_coef = np.zeros(n_features)
    cue_coef[CUE_FEATURES.index("number")] = 2.0
    cue_coef[CUE_FEATURES.index("opinion")] = -3.0
    return CheckworthinessModel(
        vocab={"jobs": 0, "lost": 1, "jobs lost": 2},
        idf=np.array([1.0, 2.0, 3.0]),
        ngram_coef=np.array([1.0, 0.5, 2.0]),
        embed_coef=np.arange(dim, dtype=float),
        cue_mean=np.zeros(n_features), cue_scale=np.ones(n_features), cue_coef=cue_coef,
        intercepts=np.array([-1.0, 0.0, 0.5]), z_mean=np.zeros(3), z_std=np.array([1.0, 2.0, 1.0]),
        smoothing=0.5, calibration=np.array([1.0, 0.0]), prior=0.5,
    )


def test_scorer_is_the_mean_of_zscored_logits_through_a_logistic_curve():
    model = tiny_model()
    text = "Jobs lost, jobs lost."
    [(idx, weights)] = model.ngram_vectors([text])
    raw_tfidf = {0: (1 + np.log(2)) * 1.0, 1: (1 + np.log(2)) * 2.0, 2: (1 + np.log(2)) * 3.0}
    norm = np.sqrt(sum(v * v for v in raw_tfidf.values()))
    assert dict(zip(idx.tolist(), weights.tolist())) == pytest.approx({k: v / norm for k, v in raw_tfidf.items()})

    vector = np.array([0.5, 0.5, 0.5, 0.5])
    ngram_logit = sum(c * raw_tfidf[j] / norm for j, c in enumerate([1.0, 0.5, 2.0])) - 1.0
    embed_logit = float(vector @ np.arange(4))
    cue_logit = 0.5  # no number and no opinion in the text
    raw = (ngram_logit + embed_logit / 2.0 + cue_logit) / 3
    [score] = model.score([text], vector[None, :])
    assert score.score == pytest.approx(1 / (1 + np.exp(-raw)))


def test_document_mode_smooths_over_neighbours_and_reasons_follow_cues():
    model = tiny_model()
    texts = ["Nothing here.", "We lost 200 jobs.", "I think it is great."]
    vectors = np.zeros((3, 4))
    alone = model.score(texts, vectors)
    together = model.score(texts, vectors, speakers=["A", "A", "A"])
    assert alone[1].score > alone[0].score > alone[2].score
    assert [s.reason for s in alone] == ["no checkable fact", "number", "opinion"]
    # The middle sentence lifts its neighbours once they are read as one document.
    assert together[0].score > alone[0].score and together[2].score > alone[2].score
    with pytest.raises(ValueError):
        model.score(texts, np.zeros((3, 5)))
    with pytest.raises(ValueError):
        model.score(texts, vectors, speakers=["A"])
    assert model.score([], np.zeros((0, 4))) == []


def test_save_and_load_round_trip(tmp_path):
    model = tiny_model()
    path = tmp_path / "m.npz"
    model.save(path)
    again = CheckworthinessModel.load(path)
    texts = ["Jobs lost in 2020.", "I think so."]
    assert again.vocab == model.vocab
    assert [s.score for s in again.score(texts, np.ones((2, 4)))] == pytest.approx(
        [s.score for s in model.score(texts, np.ones((2, 4)))], abs=1e-6)


@pytest.fixture(scope="module")
def shipped():
    return get_model()


def test_committed_artefact_ranks_checkable_claims_above_the_rest(shipped, embedder):
    checkable = [
        "Unemployment fell to 3.5 percent last year, the lowest rate in fifty years.",
        "Crime is up 40 percent in our cities since he took office.",
        "The plant closed in 2015 and 2,000 workers lost their jobs.",
    ]
    not_checkable = [
        "I think he is a wonderful man.",
        "Thank you all for coming tonight.",
        "Member states should send more air-defence systems.",
        "What would you do about it?",
    ]
    texts = checkable + not_checkable
    scores = shipped.score(texts, embedder.encode(texts))
    assert all(0.0 <= s.score <= 1.0 for s in scores)
    assert min(s.score for s in scores[:3]) > max(s.score for s in scores[3:])
    assert [s.reason for s in scores[3:]] == ["opinion", "pleasantry", "request", "question"]
    assert scores[0].reason in ("number", "comparison")


def test_artefact_records_how_it_was_made():
    from app.checkworthiness.model import DEFAULT_ARTEFACT

    meta = json.loads(DEFAULT_ARTEFACT.with_suffix(".json").read_text())
    assert meta["command"].startswith("python -m app.checkworthiness train")
    assert len(meta["data_sha256"]) == 64 and meta["vocabulary"] > 1000


def made_up_debates(n_debates=6, seed=0):
    """Debates where check-worthy sentences carry numbers and the rest are chatter."""
    rng = np.random.default_rng(seed)
    facts = ["Taxes rose {} percent last year.", "We lost {} factories since 2001.",
             "The deficit doubled to {} billion dollars.", "Wages fell by {} dollars after the law passed."]
    chatter = ["Thank you very much.", "I think that is wonderful.", "What would you do?",
               "We will do great things together.", "Please let me finish.", "I love this country."]
    debates = []
    for d in range(n_debates):
        sentences = []
        for line in range(1, 41):
            positive = rng.random() < 0.2
            template = facts[rng.integers(len(facts))] if positive else chatter[rng.integers(len(chatter))]
            sentences.append({"line": line, "speaker": "A" if line % 3 else "B",
                              "text": template.format(int(rng.integers(2, 90))), "label": int(positive)})
        debates.append({"id": f"d{d}", "sentences": sentences})
    return debates


def test_training_on_made_up_debates_learns_and_is_deterministic(tmp_path):
    path = tmp_path / "debates.jsonl"
    path.write_text("".join(json.dumps(d) + "\n" for d in made_up_debates()), encoding="utf-8")
    corpus = read_debates(path)
    rng = np.random.default_rng(1)
    # Stand-in vectors (the real model is tested above): noise plus a weak label signal.
    corpus.vectors = rng.standard_normal((len(corpus), 8)) + corpus.labels[:, None] * 0.3
    first, second = fit(corpus), fit(corpus)
    assert np.array_equal(first.ngram_coef, second.ngram_coef)
    assert np.array_equal(first.calibration, second.calibration)
    scores = first.score(corpus.texts, corpus.vectors)
    ap = average_precision(corpus.labels.tolist(), [s.score for s in scores], corpus.lines)
    assert ap > 0.95
    assert len(set(fold_of(corpus).tolist())) == 5
    assert fold_of(corpus).tolist() == fold_of(corpus).tolist()


def test_average_precision_breaks_ties_by_line():
    assert average_precision([0, 1], [0.5, 0.5], [1, 2]) == pytest.approx(0.5)
    assert average_precision([1, 0], [0.5, 0.5], [1, 2]) == pytest.approx(1.0)
    assert average_precision([0, 0], [0.1, 0.2], [1, 2]) == 0.0


def test_rank_command_writes_a_score_for_every_line(tmp_path, capsys, embedder):
    from app.checkworthiness.__main__ import main

    debates = made_up_debates(n_debates=2)
    for d in debates:
        for s in d["sentences"]:
            del s["label"]
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(d) + "\n" for d in debates), encoding="utf-8")
    assert main(["rank", "--jsonl", str(path), "--cache-dir", str(tmp_path / "cache")]) == 0
    lines = [json.loads(l) for l in capsys.readouterr().out.splitlines()]
    assert [l["id"] for l in lines] == ["d0", "d1"]
    for line, debate in zip(lines, debates):
        assert [s[0] for s in line["scores"]] == [s["line"] for s in debate["sentences"]]
        by_line = dict(line["scores"])
        texts = {s["line"]: s["text"] for s in debate["sentences"]}
        facts = [by_line[k] for k, t in texts.items() if any(ch.isdigit() for ch in t)]
        chatter = [by_line[k] for k, t in texts.items() if not any(ch.isdigit() for ch in t)]
        assert np.mean(facts) > np.mean(chatter)

"""BM25Index on made-up documents."""
import math

import numpy as np
import pytest

from app.similarity.lexical import BM25Index, tokenize

DOCS = {
    1: "The cat sat on the mat.",
    2: "Dogs and cats living together.",
    3: "A bird in the hand.",
    4: "Obama released prisoners from Guantanamo.",
}


@pytest.fixture
def index():
    index = BM25Index()
    index.add(list(DOCS), list(DOCS.values()))
    return index


def reference_bm25(query, docs, k1=1.5, b=0.75):
    """Textbook Okapi BM25 with the always-positive IDF, for comparison."""
    toks = {i: tokenize(t) for i, t in docs.items()}
    avgdl = sum(map(len, toks.values())) / len(toks)
    out = {}
    for i, doc in toks.items():
        s = 0.0
        for term in tokenize(query):
            df = sum(term in d for d in toks.values())
            if not df:
                continue
            idf = math.log(1 + (len(toks) - df + 0.5) / (df + 0.5))
            tf = doc.count(term)
            s += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(doc) / avgdl))
        out[i] = s
    return out


def test_tokenize_lowercases_drops_stop_words_and_plural_s():
    assert tokenize("The Cats' claims: 122 DETAINEES, glass!") == ["cat", "claim", "122", "detainee", "glass"]


def test_scores_match_textbook_formula(index):
    expected = reference_bm25("cat in the Guantanamo hand", DOCS)
    got = index.scores("cat in the Guantanamo hand", [1, 2, 3, 4, 99])
    assert np.allclose(got, [expected[1], expected[2], expected[3], expected[4], 0.0], atol=1e-5)
    ids, scores = index.score_all("cat in the Guantanamo hand")
    assert dict(zip(ids.tolist(), scores.tolist())) == pytest.approx({i: s for i, s in expected.items() if s})


def test_search_orders_and_excludes(index):
    assert [i for i, _ in index.search("cats on a mat")] == [1, 2]
    assert [i for i, _ in index.search("cats on a mat", exclude=[1])] == [2]
    assert index.search("the of and") == []  # only stop words
    assert index.search("unknownword") == []


def test_remove_and_readd_update_statistics(index):
    index.remove([1, 1, 42])
    assert len(index) == 3 and 1 not in index
    fresh = BM25Index()
    rest = {i: t for i, t in DOCS.items() if i != 1}
    fresh.add(list(rest), list(rest.values()))
    assert index.search("cat bird") == pytest.approx(fresh.search("cat bird"))
    index.add([1], ["A new text about birds"])  # reuses the freed slot
    index.add([2], ["Replaced text about birds"])
    assert index.terms_of(2) == {"replaced": 1, "text": 1, "bird": 1}
    assert {i for i, _ in index.search("bird", k=10)} == {1, 2, 3}
    assert index.search("cat") == []


def test_add_rejects_mismatched_lengths():
    with pytest.raises(ValueError):
        BM25Index().add([1, 2], ["one"])


def test_random_edits_match_a_fresh_build():
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(30)]
    live = {}
    index = BM25Index()
    for step in range(300):
        id_ = int(rng.integers(0, 40))
        if rng.random() < 0.3:
            index.remove([id_])
            live.pop(id_, None)
        else:
            text = " ".join(rng.choice(words, int(rng.integers(1, 8))))
            index.add([id_], [text])
            live[id_] = text
    fresh = BM25Index()
    fresh.add(list(live), list(live.values()))
    assert len(index) == len(fresh)
    for query in ("w1 w2", "w3 w3 w7", "w29"):
        assert index.search(query, k=50) == pytest.approx(fresh.search(query, k=50))

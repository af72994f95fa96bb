"""HybridRanker candidates and fusion maths on made-up vectors and texts."""
import numpy as np
import pytest

from app.similarity import normalize_rows
from app.similarity.fusion import FEATURES, Candidates, LearnedFusion, ZScoreFusion, features
from app.similarity.lexical import BM25Index
from app.similarity.ranking import FusionWeights, HybridRanker

TEXTS = [
    "Obama released prisoners from Guantanamo",
    "Charlotte protesters had out of state IDs",
    "A meme about Trump and Obama job numbers",
    "Cracker Barrel changes its name",
    "The army is not contacting anyone about a draft",
    "NATO will defend every inch of allied territory",
]
TITLES = ["Guantanamo releases", "Charlotte arrests", None, "Cracker Barrel name", "Draft texts", None]


def make(n=len(TEXTS), dim=8, seed=0):
    rng = np.random.default_rng(seed)
    return normalize_rows(rng.standard_normal((n, dim))), normalize_rows(rng.standard_normal((n, dim)))


def z(a):
    return (a - a.mean()) / a.std()


def test_pure_dense_ranking_equals_vector_search():
    vectors, _ = make()
    ranker = HybridRanker(8, weights=FusionWeights(title=0, lexical=0))
    ranker.add(range(len(TEXTS)), TEXTS, vectors)
    query = normalize_rows(np.random.default_rng(5).standard_normal((1, 8)))[0]
    got = ranker.rank("anything", query, k=4)
    assert [m.id for m in got] == [i for i, _ in ranker.text_index.search(query, k=4)]
    assert got[0].title_cosine is None


def test_fused_score_is_weighted_sum_of_top_list_zscores():
    vectors, title_vectors = make()
    weights = FusionWeights(title=0.6, lexical=0.25)
    ranker = HybridRanker(8, weights=weights)
    ranker.add(range(len(TEXTS)), TEXTS, vectors, titles=TITLES, title_vectors=title_vectors)
    query = normalize_rows(np.random.default_rng(7).standard_normal((1, 8)))[0]
    query_text = "Obama Guantanamo Trump"

    cos = vectors @ query
    title_cos = np.array([tv @ query if t else c for tv, t, c in zip(title_vectors, TITLES, cos)])
    bm = BM25Index()
    bm.add(range(len(TEXTS)), [f"{t} {ti}" if ti else t for t, ti in zip(TEXTS, TITLES)])
    lexical = bm.scores(query_text, range(len(TEXTS)))
    matched = lexical[lexical > 0]
    # Each signal is z-scored against its own top list (here: every document; for the
    # lexical score, the documents that match).
    expected = z(cos) + 0.6 * z(title_cos) + 0.25 * (lexical - matched.mean()) / matched.std()

    got = ranker.rank(query_text, query, k=len(TEXTS))
    assert [m.id for m in got] == list(np.argsort(-expected, kind="stable"))
    for m in got:
        assert m.score == pytest.approx(expected[m.id], abs=1e-5)
        assert m.cosine == pytest.approx(cos[m.id], abs=1e-6)
        assert m.title_cosine == pytest.approx(title_cos[m.id], abs=1e-6)
        assert m.bm25 == pytest.approx(lexical[m.id], abs=1e-5)


def test_features_are_the_documented_ones():
    found = Candidates.build([7, 8, 9], cosine=[0.9, 0.5, 0.1], title_cosine=[0.2, 0.6, 0.4],
                             lexical=[0.0, 4.0, 2.0])
    f = dict(zip(FEATURES, features(found, depth=2).T))
    top_cos = np.array([0.9, 0.5])
    assert f["cos"] == pytest.approx([0.9, 0.5, 0.1])
    assert f["cos_z"] == pytest.approx((np.array([0.9, 0.5, 0.1]) - top_cos.mean()) / top_cos.std())
    assert f["cos_gap"] == pytest.approx([0.0, -0.4, -0.8])
    assert f["cos_rr"] == pytest.approx([1.0, 1 / np.log2(3), 0.0])  # rank 3 is below depth 2
    assert f["title_gap"] == pytest.approx([-0.4, 0.0, -0.2])
    assert f["lex_share"] == pytest.approx([0.0, 1.0, 0.5])
    assert f["lex_rr"] == pytest.approx([0.0, 1.0, 1 / np.log2(3)])
    assert f["lex_z"][1:] == pytest.approx([1.0, -1.0])


def test_lexical_scale_does_not_change_the_learned_fusion():
    fusion = LearnedFusion(np.linspace(-1, 1, len(FEATURES)), depth=3)
    rng = np.random.default_rng(2)
    cos, title, lexical = rng.random(6), rng.random(6), rng.random(6) * (rng.random(6) > 0.3)
    base = fusion.scores(Candidates.build(range(6), cos, title, lexical))
    scaled = fusion.scores(Candidates.build(range(6), cos, title, lexical * 37.0))
    assert scaled == pytest.approx(base)


def test_candidates_mismatched_lengths_are_refused():
    with pytest.raises(ValueError):
        Candidates(np.arange(3), np.zeros(3), np.zeros(2), np.zeros(3))


def test_learned_fusion_round_trip_and_refuses_other_features(tmp_path):
    fusion = LearnedFusion(np.arange(len(FEATURES), dtype=float), depth=20)
    fusion.save(tmp_path / "f.json", command="test")
    again = LearnedFusion.load(tmp_path / "f.json")
    assert again.depth == 20 and np.array_equal(again.weights, fusion.weights)
    assert again.meta["command"] == "test"
    (tmp_path / "bad.json").write_text('{"features": ["x"], "depth": 1, "weights": [1]}')
    with pytest.raises(ValueError):
        LearnedFusion.load(tmp_path / "bad.json")


def test_lexical_hits_from_outside_replace_bm25():
    vectors = np.array([[1.0, 0.0], [0.99, 0.141], [0.0, 1.0]])
    ranker = HybridRanker(2, weights=FusionWeights(title=0, lexical=5.0))
    ranker.add([10, 20, 30], ["alpha", "beta", "gamma"], vectors)
    query = np.array([1.0, 0.0])
    assert ranker.rank("alpha", query)[0].id == 10
    # A full-text search elsewhere says 20 matches best (ids it does not know are ignored).
    got = ranker.rank("alpha", query, lexical_hits=([20, 30, 99], [3.0, 0.5, 9.0]))
    assert got[0].id == 20 and got[0].bm25 == pytest.approx(3.0)
    assert {m.id for m in got} == {10, 20, 30}


def test_default_ranker_uses_the_committed_learned_fusion():
    ranker = HybridRanker(8)
    assert isinstance(ranker.fusion, LearnedFusion)
    assert ranker.pool >= ranker.fusion.depth
    assert isinstance(HybridRanker(8, weights=FusionWeights()).fusion, ZScoreFusion)
    with pytest.raises(ValueError):
        HybridRanker(8, weights=FusionWeights(), fusion=ranker.fusion)


def test_lexical_weight_can_flip_order():
    vectors = np.array([[1.0, 0.0], [0.99, 0.141]])
    texts = ["nothing in common", "cracker barrel name change"]
    dense_only = HybridRanker(2, weights=FusionWeights(title=0, lexical=0))
    hybrid = HybridRanker(2, weights=FusionWeights(title=0, lexical=5.0))
    for ranker in (dense_only, hybrid):
        ranker.add([10, 20], texts, vectors)
    query = np.array([1.0, 0.0])
    assert [m.id for m in dense_only.rank("cracker barrel", query)] == [10, 20]
    assert [m.id for m in hybrid.rank("cracker barrel", query)] == [20, 10]


def test_related_leaves_out_the_document_itself():
    vectors, _ = make()
    ranker = HybridRanker(8)
    ranker.add(range(len(TEXTS)), TEXTS, vectors)
    related = ranker.related(0, k=10)
    assert 0 not in [m.id for m in related]
    assert len(related) == len(TEXTS) - 1
    assert ranker.related(0, k=2, exclude=[1])[0].id not in (0, 1)
    with pytest.raises(KeyError):
        ranker.related(999)


def test_add_remove_keep_all_parts_in_step():
    vectors, title_vectors = make()
    ranker = HybridRanker(8)
    ranker.add(range(len(TEXTS)), TEXTS, vectors, titles=TITLES, title_vectors=title_vectors)
    ranker.remove([0, 3, 77])
    assert len(ranker) == 4 and 0 not in ranker
    assert 0 not in ranker.title_index and 0 not in ranker.lexical
    assert all(m.id not in (0, 3) for m in ranker.rank("Obama Guantanamo", vectors[0], k=10))
    # Re-adding without a title drops the old title vector.
    ranker.add([1], ["Charlotte text edited"], vectors[1:2])
    assert 1 in ranker and 1 not in ranker.title_index
    assert ranker.rank("Charlotte edited", vectors[1], k=1)[0].id == 1


def test_from_rows_and_empty_cases():
    vectors, _ = make()
    ranker = HybridRanker.from_rows(8, [(i * 10, t, v) for i, (t, v) in enumerate(zip(TEXTS, vectors))])
    assert len(ranker) == len(TEXTS)
    assert ranker.rank("NATO", vectors[5], k=1)[0].id == 50
    assert HybridRanker(8).rank("x", vectors[0]) == []
    assert ranker.rank("x", vectors[0], k=0) == []
    assert ranker.rank("x", vectors[0], exclude=[i * 10 for i in range(len(TEXTS))]) == []


def test_titles_need_title_vectors():
    vectors, _ = make()
    with pytest.raises(ValueError):
        HybridRanker(8).add(range(len(TEXTS)), TEXTS, vectors, titles=TITLES)


def test_small_pool_finds_the_same_top_results():
    rng = np.random.default_rng(3)
    vectors = normalize_rows(rng.standard_normal((500, 16)))
    texts = [" ".join(f"w{j}" for j in rng.integers(0, 300, 12)) for _ in range(500)]
    big = HybridRanker(16, pool=1000)
    small = HybridRanker(16, pool=30)
    for ranker in (big, small):
        ranker.add(range(500), texts, vectors)
    for q in range(5):
        query = normalize_rows(rng.standard_normal((1, 16)))[0]
        text = texts[q * 7]
        assert [m.id for m in small.rank(text, query, k=5)] == [m.id for m in big.rank(text, query, k=5)]

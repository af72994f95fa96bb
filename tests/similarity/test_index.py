"""VectorIndex and vector byte format, tested on made-up arrays."""
import numpy as np
import pytest

from app.similarity import VectorIndex, normalize_rows, vector_from_bytes, vector_to_bytes


def random_unit(n, dim, seed=0):
    rng = np.random.default_rng(seed)
    return normalize_rows(rng.standard_normal((n, dim)).astype(np.float32))


def brute_force(ids, vectors, query, k):
    scores = normalize_rows(vectors) @ (query / np.linalg.norm(query))
    order = sorted(range(len(ids)), key=lambda i: (-scores[i], i))[:k]
    return [ids[i] for i in order]


def test_search_matches_brute_force():
    vectors = random_unit(200, 16)
    ids = list(range(1000, 1200))
    index = VectorIndex(16, capacity=4)
    index.add(ids, vectors)
    query = np.random.default_rng(1).standard_normal(16).astype(np.float32)
    got = index.search(query, k=7)
    assert [i for i, _ in got] == brute_force(ids, vectors, query, 7)
    scores = [s for _, s in got]
    assert scores == sorted(scores, reverse=True)
    assert all(isinstance(i, int) and isinstance(s, float) for i, s in got)


def test_add_normalises_and_self_match_scores_one():
    index = VectorIndex(3)
    index.add([1, 2], np.array([[3.0, 0, 0], [0, 0, 0.5]]))
    assert np.allclose(np.linalg.norm(index.matrix, axis=1), 1.0)
    (best, score), = index.search(np.array([10.0, 0, 0]), k=1)
    assert best == 1 and score == pytest.approx(1.0)


def test_grows_by_doubling_or_to_fit_one_big_add():
    index = VectorIndex(4, capacity=2)
    for i in range(3):
        index.add([i], random_unit(1, 4, seed=i))
    assert index.nbytes == 4 * (4 * 4 + 8)  # capacity 2 -> 4
    index.add(range(3, 13), random_unit(10, 4))
    assert index.nbytes == 13 * (4 * 4 + 8)  # 13 > 2 * 4: grown to fit
    assert len(index) == 13 and index.matrix.shape == (13, 4)


def test_re_adding_replaces_vector():
    index = VectorIndex(2)
    index.add([7, 8], np.array([[1.0, 0.0], [0.0, 1.0]]))
    index.add([7], np.array([[0.0, 1.0]]))
    assert len(index) == 2
    assert np.allclose(index.get(7), [0.0, 1.0])


def test_repeated_id_in_one_call_last_wins():
    index = VectorIndex(2)
    index.add([5, 5], np.array([[1.0, 0.0], [0.0, 1.0]]))
    assert len(index) == 1
    assert np.allclose(index.get(5), [0.0, 1.0])


def test_remove_swaps_last_row_in_and_keeps_results_right():
    vectors = random_unit(50, 8, seed=3)
    ids = list(range(50))
    index = VectorIndex(8)
    index.add(ids, vectors)
    removed = [0, 17, 49, 17, 999]  # a repeat and an unknown id are ignored
    index.remove(removed)
    assert len(index) == 47
    assert 17 not in index and 0 not in index and 49 not in index and 3 in index
    keep = [i for i in ids if i not in removed]
    query = random_unit(1, 8, seed=4)[0]
    assert [i for i, _ in index.search(query, k=47)] == brute_force(keep, vectors[keep], query, 47)
    for i in keep:
        assert np.allclose(index.get(i), vectors[i], atol=1e-6)


def test_remove_everything_then_add_again():
    index = VectorIndex(2)
    index.add([1, 2], np.eye(2))
    index.remove([2, 1])
    assert len(index) == 0 and index.search(np.ones(2)) == []
    index.add([3], np.eye(2)[:1])
    assert index.search(np.ones(2), k=5) == [(3, pytest.approx(np.sqrt(0.5)))]


def test_exclude_and_k_larger_than_index():
    index = VectorIndex(2)
    index.add([1, 2, 3], np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]]))
    assert [i for i, _ in index.search(np.array([1.0, 0.0]), k=10, exclude={1})] == [2, 3]
    assert [i for i, _ in index.search(np.array([1.0, 0.0]), k=1, exclude=[1, 42])] == [2]
    assert index.search(np.array([1.0, 0.0]), k=5, exclude=[1, 2, 3]) == []
    assert index.search(np.array([1.0, 0.0]), k=0) == []


@pytest.mark.parametrize("bad", [np.zeros((2, 2)), np.zeros((1, 3)), np.zeros(3)])
def test_add_rejects_wrong_shapes(bad):
    index = VectorIndex(2)
    with pytest.raises(ValueError):
        index.add([1], bad)


def test_search_rejects_wrong_dimension():
    index = VectorIndex(2)
    index.add([1], np.eye(2)[:1])
    with pytest.raises(ValueError):
        index.search(np.ones(3))


def test_bytes_round_trip_is_float32_little_endian():
    vector = np.array([1.0, -2.5, 3.25], dtype=np.float64)
    data = vector_to_bytes(vector)
    assert data == np.array([1.0, -2.5, 3.25], dtype="<f4").tobytes()
    assert len(data) == 12
    back = vector_from_bytes(data, dim=3)
    assert back.dtype == np.float32 and back.flags.writeable
    assert np.array_equal(back, vector.astype(np.float32))


def test_bytes_checks_dimension_and_length():
    with pytest.raises(ValueError):
        vector_from_bytes(b"\x00" * 8, dim=3)
    with pytest.raises(ValueError):
        vector_from_bytes(b"\x00" * 7)
    with pytest.raises(ValueError):
        vector_to_bytes(np.zeros((2, 2)))

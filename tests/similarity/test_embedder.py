"""Embedder against the real bundled model (loaded once per session)."""
import numpy as np
import pytest

from app.similarity import DEFAULT_MODEL, get_embedder, resolve_model_path
from app.similarity.embedder import EmbeddingCache, text_key


def test_resolve_default_and_local_dir():
    path = resolve_model_path(DEFAULT_MODEL)
    assert isinstance(path, str)
    assert resolve_model_path(path) == path


def test_resolve_unknown_name_fails_without_downloading(tmp_path):
    with pytest.raises(FileNotFoundError):
        resolve_model_path("sentence-transformers/some-model-we-do-not-have")
    with pytest.raises(FileNotFoundError):
        resolve_model_path(str(tmp_path))  # a directory without a model


def test_get_embedder_is_cached(embedder):
    assert get_embedder(DEFAULT_MODEL) is embedder
    assert embedder.name == DEFAULT_MODEL
    assert embedder.dim == 384


def test_encode_shape_dtype_norm(embedder):
    vectors = embedder.encode(["The NATO summit ended.", "Cats are mammals.", ""])
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors[:2], axis=1), 1.0, atol=1e-5)
    assert embedder.encode([]).shape == (0, 384)
    with pytest.raises(TypeError):
        embedder.encode("one string")


def test_similar_sentences_score_higher(embedder):
    a, b, c = embedder.encode(
        ["Obama released 122 Guantanamo prisoners.",
         "122 detainees freed from Guantanamo under Obama.",
         "A recipe for banana bread."]
    )
    assert a @ b > a @ c + 0.3


def test_disk_cache_reuses_vectors(embedder, tmp_path):
    texts = ["first text", "second text", "first text"]
    first = embedder.encode(texts, cache_dir=tmp_path)
    assert np.allclose(first[0], first[2])
    cache = EmbeddingCache(tmp_path, embedder.name, embedder.dim)
    cached = cache.get([text_key(t) for t in texts])
    assert all(v is not None for v in cached)
    assert len(list(cache.dir.glob("*.npz"))) == 1
    again = embedder.encode(texts[:2] + ["third"], cache_dir=tmp_path)  # only "third" is new
    assert np.array_equal(again[:2], first[:2])
    assert len(list(cache.dir.glob("*.npz"))) == 2
    assert np.allclose(again, embedder.encode(texts[:2] + ["third"]), atol=1e-5)


def test_loading_caps_numpy_blas_threads(embedder):
    threadpoolctl = pytest.importorskip("threadpoolctl")
    blas = [p for p in threadpoolctl.threadpool_info() if p["user_api"] == "blas"]
    assert blas and all(p["num_threads"] == 1 for p in blas)


def test_texts_of_mixed_lengths_are_encoded_in_length_groups_in_input_order(embedder):
    """Short and long texts go to separate forward passes (none padded to more than twice
    its length); the vectors, in input order, are each text's own."""
    texts = ["Yes.", " ".join(["The harbour fund has money left for the pier and the quay"] * 6),
             "We will finish the pier before the summer.", "No comment.",
             " ".join(["Taxes rose by four percent last year"] * 3)]
    batches = embedder._batches(texts, 64)
    assert sorted(i for batch in batches for i in batch) == list(range(len(texts))) and len(batches) > 1
    together = embedder.encode(texts)
    alone = np.vstack([embedder.encode([text]) for text in texts])
    assert np.abs(together - alone).max() < 1e-5

"""The shared ANN index files: adds, deletes, replacements, compaction, rebuilds swapped in
under concurrent readers, the exact (flat) base below the size setting, model checks."""
from __future__ import annotations

import threading

import numpy as np
import pytest

from app.similarity.ann import AnnReader, AnnSettings, AnnWriter, IndexUnavailable, read_current

DIM = 32


def unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


@pytest.fixture
def vectors():
    rng = np.random.default_rng(0)
    centres = rng.standard_normal((40, DIM))
    return unit(centres[rng.integers(0, 40, 3000)] + 0.3 * rng.standard_normal((3000, DIM)))


def exact_top(vectors: np.ndarray, ids: np.ndarray, query: np.ndarray, k: int, exclude=()) -> list[int]:
    scores = vectors @ query
    order = [int(ids[i]) for i in np.argsort(-scores) if int(ids[i]) not in exclude]
    return order[:k]


def make(tmp_path, *, exact_below=1000, journal_max=10_000, model="m1", dim=DIM, sample_size=256,
         shard_size=250_000):
    settings = AnnSettings(exact_below=exact_below, journal_max=journal_max, sample_size=sample_size,
                           expansion_search=128, threads=1, shard_size=shard_size)
    return AnnWriter(tmp_path / "claims", model=model, dim=dim, settings=settings, background=False)


def test_no_generation_means_unavailable(tmp_path):
    reader = AnnReader(tmp_path / "claims", model="m1")
    assert not reader.refresh() and len(reader) == 0 and 5 not in reader
    with pytest.raises(IndexUnavailable):
        reader.search(np.ones(DIM), 3)


@pytest.mark.parametrize("exact_below, base", [(5000, "flat"), (100, "hnsw")])
def test_rebuild_then_search_matches_exact_search(tmp_path, vectors, exact_below, base):
    writer = make(tmp_path, exact_below=exact_below)
    ids = np.arange(1, len(vectors) + 1)
    writer.rebuild(lambda: [(ids[:1000], vectors[:1000]), (ids[1000:], vectors[1000:])])
    reader = AnnReader(writer.directory, model="m1")
    assert reader.refresh()
    assert reader.info.base == base and reader.exact == (base == "flat")
    assert len(reader) == len(vectors) and 1 in reader and len(vectors) + 1 not in reader
    hits = 0
    for row in range(0, 3000, 150):
        got = reader.search(vectors[row], 10, exclude={row + 1})
        assert row + 1 not in [key for key, _ in got]
        assert [s for _, s in got] == sorted((s for _, s in got), reverse=True)
        hits += len({key for key, _ in got} & set(exact_top(vectors, ids, vectors[row], 10, {row + 1})))
    recall = hits / (10 * 20)
    assert recall == 1.0 if base == "flat" else recall >= 0.95
    # The sample for the fusion's statistics is a subset of what was indexed.
    assert reader.sample_vectors.shape == (256, DIM)
    assert set(reader.sample_ids.tolist()) <= set(ids.tolist())


def test_adds_replacements_and_deletes_reach_a_reader_at_once(tmp_path, vectors):
    writer = make(tmp_path, exact_below=100)
    ids = np.arange(1, 2001)
    writer.rebuild(lambda: [(ids, vectors[:2000])])
    reader = AnnReader(writer.directory, model="m1")
    reader.refresh()
    generation = reader.info.name

    writer.add([5001], vectors[2500:2501])  # new
    writer.add([7], vectors[2600:2601])  # replaced: the base's vector of 7 is hidden
    writer.remove([8, 9999])  # deleted (9999 was never there)
    reader.refresh()
    assert reader.info.name == generation  # the journal, not a new generation
    assert 5001 in reader and 8 not in reader and 7 in reader
    assert len(reader) == 2000
    assert reader.search(vectors[2500], 1)[0][0] == 5001
    assert reader.search(vectors[2600], 1)[0][0] == 7
    near_old_7 = [key for key, _ in reader.search(vectors[6], 50)]
    assert 8 not in near_old_7 and 8 not in [k for k, _ in reader.search(vectors[7], 50)]
    found, got = reader.vectors([7, 8, 5001])
    assert found.tolist() == [7, 5001]
    assert np.allclose(got[0], vectors[2600], atol=1e-2)


def test_compaction_folds_the_journal_into_a_new_base(tmp_path, vectors):
    writer = make(tmp_path, exact_below=100, journal_max=300)
    ids = np.arange(1, 1001)
    writer.rebuild(lambda: [(ids, vectors[:1000])])
    reader = AnnReader(writer.directory, model="m1")
    reader.refresh()
    first = reader.info.name
    writer.remove(range(1, 101))
    for lo in range(1000, 1300, 50):  # 300 adds: the journal passes journal_max, compaction runs
        writer.add(range(lo + 1, lo + 51), vectors[lo:lo + 50])
    reader.refresh()
    assert reader.info.name != first and reader.info.base == "hnsw"
    # 100 deletes + 200 adds filled the journal: they are in the new base; the last 100
    # adds went to its journal.
    assert reader.info.count == 1000 - 100 + 200 and len(reader) == 1200
    assert all(i in reader for i in range(1001, 1301)) and not any(i in reader for i in range(1, 101))
    got = reader.search(vectors[1250], 1)
    assert got[0][0] == 1251


@pytest.mark.parametrize("shard_size", [250_000, 700])
def test_a_reader_moves_to_a_rebuilt_generation_without_restart_while_searching(tmp_path, vectors, shard_size):
    writer = make(tmp_path, exact_below=100, shard_size=shard_size)
    ids = np.arange(1, 1501)
    writer.rebuild(lambda: [(ids, vectors[:1500])])
    reader = AnnReader(writer.directory, model="m1")
    reader.refresh()
    errors: list[BaseException] = []
    seen: set[str] = set()
    stop = threading.Event()

    def search_forever():
        rng = np.random.default_rng(1)
        try:
            while not stop.is_set():
                reader.refresh()
                seen.add(reader.info.name)
                row = int(rng.integers(0, 1500))
                got = reader.search(vectors[row], 5)
                assert len(got) == 5
                assert len(reader) in (1500, 3000)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=search_forever) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        for _ in range(3):  # rebuilds swap generations while the threads search
            writer.rebuild(lambda: [(np.arange(1, 3001), vectors)])
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert not errors, errors
    assert len(seen) >= 2
    reader.refresh()
    assert reader.info.name == read_current(writer.directory) and len(reader) == 3000
    # Old generations' files are gone; only the live one remains.
    names = {p.name.split(".")[0] for p in writer.directory.iterdir() if p.name.startswith("g")}
    assert names == {reader.info.name}


def test_changes_made_during_a_rebuild_are_kept(tmp_path, vectors):
    writer = make(tmp_path, exact_below=100)
    writer.rebuild(lambda: [(np.arange(1, 1001), vectors[:1000])])

    def source():
        # Committed while the rebuild reads the database: must not be lost.
        writer.add([4242], vectors[2000:2001])
        writer.remove([3])
        yield np.arange(1, 1001), vectors[:1000]

    writer.rebuild(source)
    reader = AnnReader(writer.directory, model="m1")
    reader.refresh()
    assert 4242 in reader and 3 not in reader and len(reader) == 1000
    assert not (writer.directory / "pending.journal").exists()


def test_the_base_turns_hnsw_when_the_collection_crosses_the_size_setting(tmp_path, vectors):
    writer = make(tmp_path, exact_below=1200, journal_max=250)
    writer.rebuild(lambda: [(np.arange(1, 1001), vectors[:1000])])
    reader = AnnReader(writer.directory, model="m1")
    reader.refresh()
    assert reader.exact
    for lo in range(1000, 1250, 50):
        writer.add(range(lo + 1, lo + 51), vectors[lo:lo + 50])
    reader.refresh()
    assert not reader.exact and reader.info.base == "hnsw" and len(reader) == 1250
    writer.remove(range(1, 251))  # below the setting again: the next compaction is exact
    writer.compact()
    reader.refresh()
    assert reader.exact and len(reader) == 1000


def test_a_reader_ignores_an_index_of_another_model(tmp_path, vectors):
    make(tmp_path, model="old-model").rebuild(lambda: [(np.arange(1, 101), vectors[:100])])
    reader = AnnReader(tmp_path / "claims", model="new-model")
    assert not reader.refresh() and not reader.available
    new = make(tmp_path, model="new-model", dim=DIM)
    assert not new.available
    new.add([1], vectors[:1])  # no generation of this model: nothing to append to
    new.rebuild(lambda: [(np.arange(1, 51), vectors[:50])])
    assert reader.refresh() and len(reader) == 50 and reader.info.model == "new-model"


def test_a_torn_journal_record_is_ignored_and_cut(tmp_path, vectors):
    writer = make(tmp_path)
    writer.rebuild(lambda: [(np.arange(1, 11), vectors[:10])])
    name = read_current(writer.directory)
    with open(writer.directory / f"{name}.journal", "ab") as f:
        f.write(b"\x01\x00\x00")  # a writer died mid-record
    reader = AnnReader(writer.directory, model="m1")
    reader.refresh()
    assert len(reader) == 10
    writer.add([11], vectors[10:11])
    reader.refresh()
    assert 11 in reader and len(reader) == 11


def test_a_big_base_is_split_into_shards_searched_and_merged(tmp_path, vectors):
    writer = make(tmp_path, exact_below=100, shard_size=700)
    ids = np.arange(1, len(vectors) + 1)
    writer.rebuild(lambda: [(ids, vectors)])
    reader = AnnReader(writer.directory, model="m1")
    reader.refresh()
    assert reader.info.base == "hnsw" and reader.info.shards == 5  # ceil(3000 / 700)
    shard_files = sorted(p.name.split(".", 1)[1] for p in writer.directory.glob(f"{reader.info.name}.s*.usearch"))
    assert shard_files == [f"s{i}.usearch" for i in range(5)]
    assert not (writer.directory / f"{reader.info.name}.usearch").exists()
    assert len(reader) == 3000 and all(i in reader for i in (1, 2, 3, 4, 5, 3000)) and 3001 not in reader
    hits = 0
    for row in range(0, 3000, 150):
        got = reader.search(vectors[row], 10, exclude={row + 1})
        keys = [key for key, _ in got]
        assert len(keys) == 10 and row + 1 not in keys
        assert {key % 5 for key in keys} != {keys[0] % 5}  # the neighbours come from several shards
        assert [s for _, s in got] == sorted((s for _, s in got), reverse=True)
        hits += len(set(keys) & set(exact_top(vectors, ids, vectors[row], 10, {row + 1})))
    assert hits / 200 >= 0.95
    found, got = reader.vectors([1, 2, 3, 4, 5, 9999])
    assert found.tolist() == [1, 2, 3, 4, 5]
    assert np.allclose(got, vectors[:5], atol=1e-2)
    assert set(reader.sample_ids.tolist()) <= set(ids.tolist())
    assert np.allclose(reader.sample_vectors, vectors[reader.sample_ids - 1], atol=1e-2)


def test_compaction_keeps_the_shards_and_adds_shards_when_the_collection_outgrows_them(tmp_path, vectors):
    writer = make(tmp_path, exact_below=100, journal_max=10_000, shard_size=400)
    writer.rebuild(lambda: [(np.arange(1, 1001), vectors[:1000])])  # ceil(1000 / 400) = 3 shards
    reader = AnnReader(writer.directory, model="m1")
    reader.refresh()
    assert reader.info.shards == 3
    writer.remove(range(1, 51))
    writer.add(range(1001, 1101), vectors[1000:1100])
    writer.add([7], vectors[2500:2501])  # deleted, then back with another vector: 1051 live
    writer.compact()
    reader.refresh()
    assert reader.info.shards == 3 and reader.info.count == 1051 and len(reader) == 1051
    assert not any(i in reader for i in range(1, 51) if i != 7) and 7 in reader and 1100 in reader
    assert reader.search(vectors[2500], 1)[0][0] == 7
    assert reader.search(vectors[1050], 1)[0][0] == 1051
    writer.add(range(1101, 1801), vectors[1100:1800])  # 1751: still within 3 shards and a half more
    writer.compact()
    reader.refresh()
    assert reader.info.shards == 3 and len(reader) == 1751
    writer.add(range(1801, 2001), vectors[1800:2000])  # 1951 > 1.5 * 3 * 400: rebuilt in 5 shards
    writer.compact()
    reader.refresh()
    assert reader.info.shards == 5 and reader.info.count == 1951 and len(reader) == 1951
    assert 2000 in reader and 7 in reader and 8 not in reader
    for row in (100, 1500, 1999):
        assert reader.search(vectors[row], 1)[0][0] == row + 1
    names = {p.name.split(".")[0] for p in writer.directory.iterdir() if p.name.startswith("g")}
    assert names == {reader.info.name}


def test_asking_each_shard_for_its_share_merges_as_asking_each_for_everything(tmp_path, vectors):
    writer = make(tmp_path, exact_below=100, shard_size=700)
    writer.rebuild(lambda: [(np.arange(1, 3001), vectors)])
    writer.remove(range(1, 3001, 7))  # hidden keys the search has to skip
    reader = AnnReader(writer.directory, model="m1")
    reader.refresh()
    hidden = set(range(1, 3001, 7))
    for row, k in ((0, 10), (500, 100), (1700, 300)):
        got = reader.search(vectors[row], k)
        whole = []
        for graph in reader._hnsw:  # every shard asked for as many as the search wants, merged
            found = graph.search(vectors[row], k + len(hidden))
            whole += [(1.0 - float(d), int(key)) for key, d in zip(found.keys, found.distances)
                      if int(key) not in hidden]
        expected = [key for _score, key in sorted(whole, key=lambda p: (-p[0], p[1]))][:k]
        assert [key for key, _ in got] == expected

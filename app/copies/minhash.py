"""Wire copies: MinHash sketches over word shingles, and their LSH band keys (no Flask, no database).

An agency story reprinted elsewhere keeps most of its sentences: a new headline, a paragraph
dropped and some site boilerplate change only a few of its 5-word shingles. ``sketch(text)``
gives the text's shingle set, its datasketch MinHash (``NUM_PERM`` permutations, the
``affine32`` scheme, a fixed seed) and one 64-bit key per LSH band (``BANDS`` bands of
``ROWS`` rows). Two texts share a band key with probability ``1 - (1 - J**ROWS)**BANDS`` for
Jaccard similarity J: 0.83 at J = 0.3, 0.985 at 0.4, above 0.999 from 0.5; 0.008 at
0.05, about what two different reports on one event share. The keys are what the
database indexes (app/copies/service.py); a candidate is then confirmed by ``jaccard`` of the
exact shingle sets.

Changing any constant here changes every key: the stored keys must then be rebuilt
(``flask index-copies --rebuild``).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash

SHINGLE_WORDS = 5
BANDS = 64
ROWS = 3
NUM_PERM = BANDS * ROWS  # 192
SEED = 1
SCHEME = "affine32"
KEY_VERSION = b"cd-lsh-v1"  # mixed into every band key: bump it with any change above

_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Sketch:
    """What copy detection needs of one text."""

    shingles: frozenset[int]  # 32-bit hashes of the text's word shingles
    hashvalues: np.ndarray  # the MinHash signature (NUM_PERM uint32)
    band_keys: tuple[int, ...]  # one signed 64-bit key per band (fits a BIGINT column)

    @property
    def empty(self) -> bool:
        return not self.shingles


def words(text: str) -> list[str]:
    """Lower-cased word tokens: punctuation, quote marks and spacing do not count."""
    return _WORD.findall(text.lower())


def shingle_hashes(text: str, k: int = SHINGLE_WORDS) -> frozenset[int]:
    """32-bit hashes of the text's k-word shingles (a text shorter than k words is one shingle)."""
    tokens = words(text)
    if not tokens:
        return frozenset()
    if len(tokens) < k:
        grams = [" ".join(tokens)]
    else:
        grams = [" ".join(tokens[i:i + k]) for i in range(len(tokens) - k + 1)]
    return frozenset(int.from_bytes(hashlib.blake2b(g.encode("utf-8"), digest_size=4).digest(), "little")
                     for g in grams)


def _identity(value: int) -> int:
    return value


def sketch(text: str) -> Sketch:
    """The text's shingles, MinHash signature and LSH band keys."""
    shingles = shingle_hashes(text)
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME, hashfunc=_identity)
    if shingles:
        minhash.update_batch(list(shingles))
    values = np.asarray(minhash.hashvalues, dtype=np.uint32)
    return Sketch(shingles=shingles, hashvalues=values, band_keys=band_keys(values) if shingles else ())


def band_keys(hashvalues: np.ndarray) -> tuple[int, ...]:
    """One signed 64-bit key per band: a hash of the band's number and its ROWS values."""
    values = np.asarray(hashvalues, dtype="<u4")
    keys = []
    for band in range(BANDS):
        digest = hashlib.blake2b(values[band * ROWS:(band + 1) * ROWS].tobytes(), digest_size=8,
                                 person=KEY_VERSION + band.to_bytes(2, "little")).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return tuple(keys)


def jaccard(a: frozenset[int], b: frozenset[int]) -> float:
    """|a ∩ b| / |a ∪ b| of two shingle sets (0 when both are empty)."""
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def candidate_probability(similarity: float) -> float:
    """The chance that two texts of this Jaccard similarity share at least one band key."""
    return 1.0 - (1.0 - similarity ** ROWS) ** BANDS

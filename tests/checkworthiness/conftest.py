"""Fixtures for the check-worthiness tests: the real embedding model, loaded once."""
import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import pytest

from app.similarity import DEFAULT_MODEL, get_embedder


@pytest.fixture(scope="session")
def embedder():
    return get_embedder(DEFAULT_MODEL)

"""Fixtures for the similarity engine tests: the real model is loaded once per session."""
import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import pytest

from app.similarity import DEFAULT_MODEL, get_embedder


@pytest.fixture(scope="session")
def embedder():
    """The default embedder (all-MiniLM-L6-v2 from the bundled package), loaded once."""
    return get_embedder(DEFAULT_MODEL)

"""Check-worthiness: how much a claim is worth checking (0..1) and why, in a word.

No Flask here. At ingest the scorer runs on what is already computed: the claim's text
and its MiniLM vector (the one stored for related claims)::

    from app.checkworthiness import get_model
    scores = get_model().score(texts, vectors, speakers=speakers)   # [Score(score, reason)]

``speakers`` (the claims of one article, in order) lets context count; leave it out to
score claims one by one. ``python -m app.checkworthiness train|cv|rank`` trains, cross-
validates and ranks debates (see ``__main__``).
"""
from app.checkworthiness.model import DEFAULT_ARTEFACT, CheckworthinessModel, Score, get_model

__all__ = ["DEFAULT_ARTEFACT", "CheckworthinessModel", "Score", "get_model"]

"""Fact-checks published by other organisations (schema.org ClaimReview).

:mod:`app.factchecks.parse` reads JSON-LD, HTML pages and CSV into plain records; it
imports nothing from Flask, so the CLI, the API and the tests share it.
:mod:`app.factchecks.service` stores, lists and ranks them (the page in ``routes``, the
API and ``cli`` call it). The blueprint is imported by ``create_app`` from ``routes``.
"""

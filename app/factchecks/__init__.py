"""Fact-checks published by other organisations (schema.org ClaimReview).

:mod:`app.factchecks.parse` reads JSON-LD, HTML pages and CSV into plain records; it
imports nothing from Flask, so the CLI, the API and the tests share it.
"""

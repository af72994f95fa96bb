"""Schemathesis fuzzes the API against its own generated OpenAPI description (issue 12 §2).

A real server (werkzeug, in a thread: ``live_server``) on the test database, a real token;
every operation gets ``CLAIMDESK_FUZZ_EXAMPLES`` examples (default 100) of valid and invalid
input, then a stateful run follows the description's links (an article's claims, the
queue's items) so bodies are also fuzzed against claims that exist. Checks: no 5xx; every
status code, content type, header and body as described; invalid input refused (4xx).

Outgoing fetches: ``{"url": ...}`` alone makes the desk fetch a page. The fuzzer must not make
this machine reach out to whatever host it makes up, so while it runs, names other than the
loopback resolve to nothing (the fetcher's real refusal path answers 422 ``fetch_refused``).
"""
from __future__ import annotations

import os
import socket
import time
import zlib
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance, negative_data_rejection, response_headers_conformance, response_schema_conformance,
    status_code_conformance,
)

from app.auth.service import create_token

EXAMPLES = int(os.environ.get("CLAIMDESK_FUZZ_EXAMPLES", "100"))
CHECKS = [schemathesis.checks.not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance, negative_data_rejection]
HYPOTHESIS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
                      phases=[Phase.explicit, Phase.generate], derandomize=True, database=None)
CONFIG = {
    "request-timeout": 120,  # a loaded CI machine: an ingest may take seconds
    "generation": {"mode": "all", "max-examples": EXAMPLES},
    # What the desk refuses by its rules (409 bad status, 422 evidence required ...) is
    # answered for well-formed input too: "valid data accepted" is not this API's promise.
    "checks": {"positive_data_acceptance": {"enabled": False},
               "negative_data_rejection": {"expected-statuses": [400, 401, 403, 404, 405, 413, 415, 422]}},
}
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@pytest.fixture
def no_outside_names(monkeypatch):
    real = socket.getaddrinfo

    def loopback_only(host, *args, **kwargs):
        if str(host) in LOOPBACK:
            return real(host, *args, **kwargs)
        raise socket.gaierror(socket.EAI_NONAME, f"{host}: not resolved while the API is fuzzed")

    monkeypatch.setattr(socket, "getaddrinfo", loopback_only)


@pytest.fixture
def fuzz_token(admin) -> str:
    """An admin's token: every operation is open to it (but signing off its own verdicts)."""
    return create_token(admin.email, name="fuzz")[1]


@pytest.fixture
def api_schema(live_server, fuzz_token, seed, no_outside_names):
    """The description as the live server serves it; ``seed`` ingests an article first, so the
    models are loaded and a few real claims (ids from 1) exist."""
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json",
                                           config=SchemathesisConfig.from_dict(CONFIG))
    return schema


schema = schemathesis.pytest.from_fixture("api_schema")
CALLS: Counter[str] = Counter()  # requests per operation, printed at the end (pytest -s)


@pytest.fixture(scope="module", autouse=True)
def report_calls():
    started = time.monotonic()
    yield
    if CALLS:
        print(f"\nschemathesis: {sum(CALLS.values())} requests over {len(CALLS)} operations in "
              f"{time.monotonic() - started:.0f} s (CLAIMDESK_FUZZ_EXAMPLES={EXAMPLES})")
        for label, count in sorted(CALLS.items()):
            print(f"  {count:5d}  {label}")


def aim_at_real_rows(case, seed) -> None:
    """Half of the well-formed examples act on a claim or article that exists (chosen from the
    example itself, so a run is repeatable): drawn ids rarely name a row, and the services'
    own rules only run on rows that do. Malformed examples are sent as drawn."""
    if case.meta is None or not case.meta.generation.mode.is_positive or not case.path_parameters:
        return
    pick = zlib.crc32(repr((case.path_parameters, case.query, case.body)).encode())
    if pick % 2:
        return
    if "claim_id" in case.path_parameters:
        case.path_parameters["claim_id"] = seed.claims[pick % len(seed.claims)].id
    if "article_id" in case.path_parameters:
        case.path_parameters["article_id"] = seed.article.id


@schema.parametrize()
@HYPOTHESIS
def test_every_operation_answers_as_described(case, fuzz_token, seed):
    CALLS[case.operation.label] += 1
    aim_at_real_rows(case, seed)
    case.call_and_validate(headers={"Authorization": f"Bearer {fuzz_token}"}, checks=CHECKS)


def test_stateful_links_reach_real_claims(live_server, fuzz_token, seed, no_outside_names):
    """Chains along the description's links (list claims or create an article, then act on a
    claim it names) with well-formed requests."""
    config = SchemathesisConfig.from_dict({**CONFIG, "generation": {"mode": "positive", "max-examples": EXAMPLES}})
    api_schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json", config=config)
    calls = {"count": 0, "real": 0}

    class Workflow(api_schema.as_state_machine()):
        def get_call_kwargs(self, case):
            return {"headers": {"Authorization": f"Bearer {fuzz_token}"}}

        def after_call(self, response, case):
            calls["count"] += 1
            calls.setdefault("seen", []).append(f"{case.operation.label} {response.status_code}")
            calls["real"] += response.status_code < 400 and "{claim_id}" in case.operation.path
            CALLS[f"stateful {case.operation.label}"] += 1

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs)

    started = time.monotonic()
    Workflow.run(settings=settings(max_examples=max(20, EXAMPLES // 2), stateful_step_count=10, deadline=None,
                                   suppress_health_check=list(HealthCheck), derandomize=True, database=None))
    print(f"stateful: {calls['count']} calls, {calls['real']} answered 2xx on a claim, "
          f"{time.monotonic() - started:.1f} s")
    assert calls["real"] > 0, "the links never reached a claim: " + ", ".join(sorted(set(calls["seen"])))

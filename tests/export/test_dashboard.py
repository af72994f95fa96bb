"""The dashboard's figures, its SVG chart, and the API page."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.api.openapi import described_operations
from app.dashboard.charts import column_chart, nice_max, tick_step
from app.dashboard.stats import (
    approved_per_day, claims_by_speaker, claims_by_status, humanise, time_to_approval,
    waiting_for_review,
)
from app.extensions import db
from app.models import Claim, utcnow
from app.workflow import service


def backdate(model, column: str, delta: timedelta) -> None:
    """Move a timestamp into the past (arranging history the tests cannot wait for)."""
    setattr(model, column, utcnow() - delta)
    db.session.commit()


@pytest.fixture
def desk(seed, editor, approve, propose):
    ids = [c.id for c in seed.claims]
    approve(ids[2], "true")
    approve(ids[3], "false")
    approve(ids[4], "misleading")
    propose(ids[6], "mixed")
    propose(ids[7], "false")
    service.dismiss(ids[8], user=editor, reason="Not checkable.")
    service.take(ids[9], user=editor)
    return ids


def test_claims_by_status_counts_every_status(desk):
    worked_on = 3 + 2 + 1 + 1
    assert claims_by_status() == {"new": len(desk) - worked_on, "in_progress": 1, "in_review": 2, "approved": 3,
                                  "dismissed": 1}


def test_claims_by_speaker_most_first(desk):
    from collections import Counter

    per_speaker = Counter(c.speaker.name for c in db.session.scalars(sa.select(Claim)) if c.speaker)
    top = claims_by_speaker(limit=3)
    assert top[0].name == "Jens Stoltenberg" and top[0].claims == per_speaker["Jens Stoltenberg"]
    assert [s.claims for s in top] == sorted((s.claims for s in top), reverse=True)
    assert all(s.claims == per_speaker[s.name] for s in top)
    assert top[0].role == "NATO Secretary General"


def test_approved_per_day_has_every_day(desk):
    days = approved_per_day(30)
    assert len(days) == 30 and days[-1] == (utcnow().date(), 3)
    assert sum(n for _, n in days) == 3
    assert [d for d, _ in days] == sorted(d for d, _ in days)


def test_median_time_from_new_to_approved(seed, approve):
    for claim, hours in zip(seed.claims[:3], (2, 4, 30)):
        backdate(claim, "created_at", timedelta(hours=hours))
        approve(claim.id)
    result = time_to_approval(days=90)
    assert result.claims == 3
    assert timedelta(hours=4) <= result.median < timedelta(hours=4, minutes=1)
    assert humanise(result.median) == "4 h 0 min"
    assert time_to_approval(days=90, now=utcnow() + timedelta(days=200)).median is None


def test_oldest_waiting_for_review_comes_first(seed, propose, editor):
    young, old = propose(seed.claims[0].id), propose(seed.claims[1].id)
    backdate(db.session.get(Claim, old).current_verdict, "proposed_at", timedelta(days=3, hours=2))
    waiting = waiting_for_review()
    assert [w.claim.id for w in waiting] == [old, young]
    assert humanise(waiting[0].waiting) == "3 d 2 h"
    assert waiting[0].verdict.proposed_by == editor


@pytest.mark.parametrize("minutes, text", [(0, "0 min"), (59, "59 min"), (61, "1 h 1 min"), (24 * 60 * 2 + 60, "2 d 1 h")])
def test_humanise(minutes, text):
    assert humanise(timedelta(minutes=minutes)) == text


def test_chart_geometry():
    assert [nice_max(v) for v in (0, 1, 3, 7, 10, 11, 180)] == [1, 1, 5, 10, 10, 20, 200]
    chart = column_chart([(f"d{i}", v) for i, v in enumerate([0, 3, 7, 10])], width=400, height=200)
    assert [b.height for b in chart.bars][0] == 0
    tallest = chart.bars[-1]
    assert tallest.y == chart.top and tallest.y + tallest.height == chart.bottom
    assert all(chart.left <= b.x and b.x + b.width <= chart.width for b in chart.bars)
    assert [t.value for t in chart.ticks] == [0, 2, 4, 6, 8, 10] and chart.labels[-1].text == "d3"
    assert [t.y for t in chart.ticks][0] == chart.bottom and chart.ticks[-1].y == chart.top
    assert [tick_step(v) for v in (1, 5, 10, 20, 50, 200, 1000)] == [1, 1, 2, 5, 10, 50, 200]


def test_dashboard_page(desk, client, auth, editor):
    auth.login(editor)
    html = client.get("/dashboard").get_data(as_text=True)
    assert re.search(r'<svg class="chart"[^>]*role="img"', html)
    assert len(re.findall(r'<rect class="bar"', html)) == 30
    open_claims = len(desk) - 3 - 1  # all but the approved and the dismissed
    assert re.search(rf'id="stat-open">{open_claims}<', html) and re.search(r'id="stat-approved">3<', html)
    waiting = html.split('id="waiting-table"', 1)[1].split("</table>", 1)[0]
    assert waiting.count("<tr>") == 3  # the header and two claims
    assert f'href="/claims/{desk[6]}"' in waiting
    assert "Jens Stoltenberg" in html.split('id="speaker-table"', 1)[1]
    assert 'href="/dashboard"' in html and 'aria-current="page" href="/dashboard"' in html


def test_dashboard_of_an_empty_desk(client, auth, editor):
    auth.login(editor)
    html = client.get("/dashboard").get_data(as_text=True)
    assert "Nothing is waiting for review." in html and "No claims yet." in html
    assert re.search(r'id="stat-median">—<', html)


@pytest.mark.parametrize("url", ["/dashboard", "/help/api"])
def test_pages_need_a_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_api_page_explains_tokens_and_lists_every_route(client, auth, reviewer):
    auth.login(reviewer)
    html = client.get("/help/api").get_data(as_text=True)
    # One true sentence: every user makes their own tokens (issue 16), no admin needed.
    assert 'Every user makes their own tokens on <a href="/account/tokens">API tokens</a>' in html
    assert "by an admin" not in html and "ask an admin" not in html
    assert 'Authorization: Bearer $CLAIMDESK_TOKEN" "http://localhost/api/v1/claims?' in html
    listed = set(re.findall(r'<span class="badge[^"]*">(\w+)</span></td>\s*<td><code class="path">([^<]+)</code>', html))
    assert listed == described_operations()
    assert 'href="/api/v1/openapi.json"' in html

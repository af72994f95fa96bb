"""The flask CLI: ingest, create-user, create-token, demo."""
from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

from app.auth.passwords import password_problem
from app.extensions import db
from app.models import ApiToken, Article, Claim, User, hash_token
from tests.test_ingest import STORY


def test_create_user_reads_password_from_stdin(runner):
    result = runner.invoke(args=["create-user", "Rita@Example.org", "--role", "reviewer", "--name", "Rita"],
                           input="a long password\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "rita@example.org"))
    assert user.role == "reviewer" and user.check_password("a long password")


def test_create_user_refuses_short_password_and_duplicates(runner, editor):
    assert runner.invoke(args=["create-user", "x@example.org"], input="short\n").exit_code != 0
    result = runner.invoke(args=["create-user", "x@example.org"], input="password123\n")
    assert result.exit_code != 0 and "too easy to guess" in result.output
    result = runner.invoke(args=["create-user", editor.email], input="a long password\n")
    assert result.exit_code != 0 and "already exists" in result.output


def test_create_token_prints_it_once_and_stores_a_hash(runner, editor, client):
    result = runner.invoke(args=["create-token", editor.email])
    secret = result.output.strip()
    assert result.exit_code == 0 and secret.startswith("cd_")
    stored = db.session.scalar(sa.select(ApiToken))
    assert stored.token_hash == hash_token(secret) and secret not in (stored.token_hash, stored.prefix)
    assert client.get("/api/v1/claims", headers={"Authorization": f"Bearer {secret}"}).status_code == 200


def test_ingest_command_summarises(runner, tmp_path):
    (tmp_path / "one.txt").write_text(STORY)
    (tmp_path / "two.txt").write_text(STORY)
    (tmp_path / "bad.txt").write_bytes(b"\x00\x01\x02binary")
    result = runner.invoke(args=["ingest", str(tmp_path)])
    assert "1 ingested, 1 duplicates, 1 failed" in result.output
    assert "bad.txt" in result.output and result.exit_code == 1
    assert db.session.scalar(sa.select(sa.func.count(Article.id))) == 1


def test_ingest_command_with_nothing_to_do(runner, tmp_path):
    result = runner.invoke(args=["ingest", str(tmp_path)])
    assert result.exit_code != 0 and "No .txt or .html files" in result.output


def test_demo_is_idempotent(runner, app, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    claims = db.session.scalar(sa.select(sa.func.count(Claim.id)))
    assert claims >= 15
    credentials = json.loads((Path(tmp_path) / "demo-users.json").read_text())
    assert set(credentials) == {"editor@claimdesk.example.org", "reviewer@claimdesk.example.org",
                                "admin@claimdesk.example.org"}
    for email, password in credentials.items():
        assert f"{email}" in first.output and password in first.output
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0 and "already loaded" in second.output
    assert db.session.scalar(sa.select(sa.func.count(Claim.id))) == claims
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 3
    for email, password in credentials.items():
        assert password in second.output
        assert password_problem(password) is None


def test_demo_replaces_a_stored_password_the_rules_now_refuse(runner, app, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    (Path(tmp_path) / "demo-users.json").write_text(json.dumps({"editor@claimdesk.example.org": "short"}))
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    password = json.loads((Path(tmp_path) / "demo-users.json").read_text())["editor@claimdesk.example.org"]
    assert password != "short" and password_problem(password) is None
    user = db.session.scalar(sa.select(User).where(User.email == "editor@claimdesk.example.org"))
    assert user.check_password(password)

"""Configuration from the environment."""
import importlib

from app import _instance_secret_key
from config import normalise_database_url


def test_secret_key_is_generated_once_into_instance(tmp_path):
    key = _instance_secret_key(tmp_path)
    assert len(key) == 64
    assert _instance_secret_key(tmp_path) == key
    assert oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"


def test_postgres_urls_use_psycopg3():
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_settings_come_from_the_environment(monkeypatch):
    import config

    monkeypatch.setenv("DATABASE_URL", "postgresql://someone@db.example/claims")
    monkeypatch.setenv("CLAIMDESK_SPACY_MODEL", "en_core_web_md")
    monkeypatch.setenv("CLAIMDESK_EMBEDDING_MODEL", "/models/mpnet")
    monkeypatch.setenv("MAX_CONTENT_LENGTH", "1234")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    reloaded = importlib.reload(config)
    try:
        assert reloaded.Config.SQLALCHEMY_DATABASE_URI == "postgresql+psycopg://someone@db.example/claims"
        assert reloaded.Config.CLAIMDESK_SPACY_MODEL == "en_core_web_md"
        assert reloaded.Config.CLAIMDESK_EMBEDDING_MODEL == "/models/mpnet"
        assert reloaded.Config.MAX_CONTENT_LENGTH == 1234
        assert reloaded.Config.SECRET_KEY is None
    finally:
        monkeypatch.undo()
        importlib.reload(config)

"""Claimdesk: a quote and claim fact-check workbench for newsrooms.

``create_app`` is the application factory (flaskr style): configuration, extensions,
blueprints, CLI. It loads no model and touches no database: engines load on first use.
"""
from __future__ import annotations

import importlib

import os
import secrets
from pathlib import Path
from typing import Any, Mapping, Optional

from flask import Flask

# Models come from installed packages: never reach for a hub, never draw progress bars.
for _name, _value in (("HF_HUB_OFFLINE", "1"), ("TRANSFORMERS_OFFLINE", "1"),
                      ("HF_HUB_DISABLE_PROGRESS_BARS", "1"), ("TRANSFORMERS_VERBOSITY", "error")):
    os.environ.setdefault(_name, _value)


def create_app(test_config: Optional[Mapping[str, Any]] = None) -> Flask:
    """Build the app from ``config.Config`` (or ``TestConfig`` plus ``test_config``)."""
    app = Flask(__name__, instance_relative_config=True, instance_path=str(Path(__file__).resolve().parent.parent / "instance"))
    from config import Config, TestConfig

    if test_config is None:
        app.config.from_object(Config)
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.from_object(TestConfig)
    # After the environment: a Python file of settings named by CLAIMDESK_SETTINGS (e.g. the
    # non-public hosts a test or an operator lets the fetcher reach). A missing file is an error.
    if os.environ.get("CLAIMDESK_SETTINGS"):
        app.config.from_envvar("CLAIMDESK_SETTINGS")
    if test_config is not None:
        app.config.from_mapping(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))

    from app import database, extensions

    extensions.db.init_app(app)
    extensions.migrate.init_app(app, extensions.db)
    extensions.login_manager.init_app(app)
    extensions.csrf.init_app(app)
    extensions.bootstrap.init_app(app)
    extensions.limiter.init_app(app)
    database.configure_sqlite(app)

    from app.factchecks.routes import bp as factchecks_bp
    from app.web import IdConverter

    app.url_map.converters["int"] = IdConverter  # before any route is added
    from app import api, articles, auth, claims, dashboard, export, jobs, queue, sources, speakers, web

    for module in (auth, queue, claims, articles, speakers, sources, export, dashboard, jobs):
        app.register_blueprint(module.bp)
    api.init_app(app, api.bp)  # flask-smorest: the blueprint and its OpenAPI description
    app.register_blueprint(api.docs_bp)
    app.register_blueprint(factchecks_bp)
    from app import account, admin, notifications, webhooks

    app.register_blueprint(account.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(admin.links_bp)
    app.register_blueprint(notifications.bp)
    app.register_blueprint(webhooks.bp)
    web.init_app(app)

    from app import cli, tasks
    importlib.import_module("app.webhooks.tasks")  # registers the periodic webhook delivery

    tasks.init_app(app)
    cli.init_app(app)
    return app


def _instance_secret_key(instance: Path) -> str:
    """The key in ``instance/secret_key``, generated on first start (never in the code)."""
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()

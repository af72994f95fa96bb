"""Flask extensions, created unbound here and bound to the app in ``create_app``."""
from __future__ import annotations

from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
FULL_TEXT_TABLES = ("claims_fts", "evidence_fts", "factchecks_fts")  # SQLite FTS5 tables and their shadow tables


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic autogenerate filter: leave alone what migrations create by hand and the models
    do not declare: pg_trgm GIN indexes (``*_trgm``), the full-text search of related claims
    (SQLite FTS5 tables, PostgreSQL ``search_vector`` columns and their GIN indexes)."""
    name = name or ""
    if not (reflected and compare_to is None):
        return True
    if type_ == "index":
        return not (name.endswith("_trgm") or name.endswith("_search_vector"))
    if type_ == "table":
        return not name.startswith(FULL_TEXT_TABLES)
    if type_ == "column":
        return name != "search_vector"
    return True


migrate = Migrate(render_as_batch=True, include_object=include_object)
login_manager = LoginManager()
csrf = CSRFProtect()
bootstrap = Bootstrap5()
# Storage from RATELIMIT_STORAGE_URI (memory:// by default: counts are per process).
limiter = Limiter(key_func=get_remote_address)

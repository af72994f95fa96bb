"""A save that cannot take SQLite's write lock is refused cleanly, not a crash."""
import pytest
import sqlalchemy as sa

from app.errors import Busy
from app.extensions import db
from app.models import Claim
from app.workflow import service


def test_a_locked_database_is_a_busy_refusal_that_writes_nothing(app, claims, editor):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the write lock that times out is SQLite's")
    claim = claims[0]
    claim_id = claim.id
    other = db.engine.raw_connection()  # another process's writer, as far as SQLite can tell
    other.execute("BEGIN IMMEDIATE")
    db.session.connection().exec_driver_sql("PRAGMA busy_timeout=0")
    try:
        with pytest.raises(Busy, match="same moment"):
            service.dismiss(claim.id, user=editor, reason="Opinion.", version=claim.version)
    finally:
        other.execute("ROLLBACK")
        other.close()
    db.session.remove()
    db.engine.dispose()  # no pooled connection keeps the zero timeout
    assert db.session.scalar(sa.select(Claim.status).where(Claim.id == claim_id)) == "new"

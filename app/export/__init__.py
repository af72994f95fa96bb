"""Ways out of the desk: CSV export, schema.org ClaimReview and the public fact-check pages.

The rules live in ``csv_export`` and ``claimreview`` (plain functions over the database);
``routes`` (web), ``app.api.export_routes`` (API) and ``cli`` (``flask export-csv``) only
parse their input and call them.
"""
from app.export.routes import bp

__all__ = ["bp"]

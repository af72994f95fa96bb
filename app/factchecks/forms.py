from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SubmitField


class ImportForm(FlaskForm):
    """Upload ClaimReview JSON-LD, HTML or CSV files (several at once)."""

    files = FileField("ClaimReview files (.json, .jsonld, .html, .csv)", validators=[FileRequired()],
                      render_kw={"multiple": True, "accept": ".json,.jsonld,.html,.htm,.csv"})
    submit = SubmitField("Import")

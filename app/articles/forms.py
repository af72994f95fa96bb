from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import URL, DataRequired, InputRequired, Length, NumberRange, Optional

from app.models import CLAIM_KINDS


class IngestForm(FlaskForm):
    """Paste an article's text, upload a .txt/.html file, or give only its address to fetch it."""

    text = TextAreaField("Article text", validators=[Optional()], render_kw={"rows": 12})
    file = FileField("…or upload a .txt or .html file", render_kw={"accept": ".txt,.html,.htm,text/plain,text/html"})
    title = StringField("Title", validators=[Optional(), Length(max=500)],
                        description="Left empty: taken from the HTML or the first headline-like line.")
    publisher = StringField("Publisher", validators=[Optional(), Length(max=200)])
    url = StringField("Article URL", validators=[Optional(), URL(require_tld=False), Length(max=2000)],
                      render_kw={"placeholder": "https://", "inputmode": "url"},
                      description="With no text and no file, the article is fetched from this address.")
    published_at = DateField("Published", validators=[Optional()])
    submit = SubmitField("Extract quotes")


# --- corrections by span (app.workflow.corrections) -------------------------------------------

KIND_CHOICES = [(k, k.capitalize()) for k in CLAIM_KINDS]
OFFSET = [InputRequired(message="Select text in the article, or type the offset."), NumberRange(min=0)]


class AddClaimForm(FlaskForm):
    """Add a missed quote: the selection's offsets are filled in by static/js/corrections.js."""

    start = IntegerField("Start", validators=OFFSET, render_kw={"inputmode": "numeric"})
    end = IntegerField("End", validators=OFFSET, render_kw={"inputmode": "numeric"})
    speaker = StringField("Speaker", validators=[Length(max=200)],
                          render_kw={"list": "article-speakers", "autocomplete": "off",
                                     "placeholder": "Pick or type a name"})
    kind = SelectField("Kind", choices=KIND_CHOICES)
    cue = StringField("Cue", validators=[Length(max=100)], render_kw={"placeholder": "said, told reporters …"})
    submit = SubmitField("Add as claim")


class ClaimToolForm(FlaskForm):
    version = HiddenField()


class SpanForm(ClaimToolForm):
    start = IntegerField("Start", validators=OFFSET, render_kw={"inputmode": "numeric"})
    end = IntegerField("End", validators=OFFSET, render_kw={"inputmode": "numeric"})
    submit = SubmitField("Set span")


class SplitForm(ClaimToolForm):
    at = IntegerField("Split at offset", validators=OFFSET, render_kw={"inputmode": "numeric"},
                      description="The second claim starts here; place the cursor in the article to fill it.")
    submit = SubmitField("Split")


class MergeForm(ClaimToolForm):
    with_claim = HiddenField(validators=[DataRequired()])
    submit = SubmitField("Merge with the next")


class RemoveForm(ClaimToolForm):
    reason = StringField("Reason", validators=[Length(max=500)], render_kw={"placeholder": "Not a quote: narration …"})
    submit = SubmitField("Remove claim")

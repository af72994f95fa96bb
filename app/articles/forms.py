from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, StringField, SubmitField, TextAreaField
from wtforms.validators import URL, Length, Optional


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

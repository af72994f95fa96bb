from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, URL

KIND_CHOICES = [("feed", "RSS or Atom feed"), ("sitemap", "Sitemap"), ("page", "Front page (its feed is found on it)")]


class SourceForm(FlaskForm):
    url = StringField("Address", validators=[DataRequired(), Length(max=2000), URL(require_tld=False)],
                      render_kw={"placeholder": "https://news.example/rss", "inputmode": "url"},
                      description="The feed, the sitemap, or the site's front page.")
    kind = SelectField("Kind", choices=KIND_CHOICES, default="feed")
    name = StringField("Name", validators=[Optional(), Length(max=200)],
                       description="Shown in the desk; the address when left empty.")
    every_minutes = IntegerField("Poll every (minutes)", validators=[Optional(), NumberRange(min=1, max=10080)],
                                 description="Empty: the desk's default.")
    submit = SubmitField("Add source")


class SourceEditForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    every_minutes = IntegerField("Poll every (minutes)", validators=[DataRequired(), NumberRange(min=1, max=10080)])
    paused = BooleanField("Paused (not polled)")
    submit = SubmitField("Save")


class SourceActionForm(FlaskForm):
    """Poll now, delete: a button and the CSRF token."""

    submit = SubmitField("Go")

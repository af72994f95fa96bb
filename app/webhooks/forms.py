from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectMultipleField, StringField, SubmitField, widgets
from wtforms.validators import DataRequired, Length

from app.models import WEBHOOK_EVENTS

EVENT_LABELS = {
    "claim.approved": "A verdict is approved",
    "claim.returned": "A verdict is returned to its editor",
    "factcheck.published": "A fact-check is published (its public page and ClaimReview)",
    "article.ingested": "An article is added",
}


class WebhookForm(FlaskForm):
    url = StringField("Endpoint URL", validators=[DataRequired(), Length(max=2000)],
                      render_kw={"placeholder": "https://cms.example.org/hooks/claimdesk", "inputmode": "url"},
                      description="Public http(s) addresses only.")
    secret = PasswordField("Secret", validators=[DataRequired(), Length(min=16, max=200)],
                           render_kw={"autocomplete": "off"},
                           description="16 to 200 characters, shared with the receiver: each delivery carries "
                                       "X-Claimdesk-Signature: sha256=HMAC-SHA256(body, secret).")
    events = SelectMultipleField("Events", choices=[(e, f"{e}: {EVENT_LABELS[e]}") for e in WEBHOOK_EVENTS],
                                 option_widget=widgets.CheckboxInput(), widget=widgets.ListWidget(prefix_label=False),
                                 validators=[DataRequired(message="Choose at least one event.")])
    submit = SubmitField("Register webhook")


class WebhookActionForm(FlaskForm):
    submit = SubmitField("Confirm")

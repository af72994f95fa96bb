from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import URL, DataRequired, Length, NumberRange, Optional, Regexp

from app.models import CLAIM_KINDS, STANCES, VERDICT_LABELS

KIND_CHOICES = [(k, k.capitalize()) for k in CLAIM_KINDS]
STANCE_CHOICES = [("supports", "Supports the claim"), ("contradicts", "Contradicts the claim"),
                  ("context", "Gives context only")]
assert [s for s, _ in STANCE_CHOICES] == list(STANCES)


class VersionedForm(FlaskForm):
    version = HiddenField()


STALE_CHECK_MESSAGE = "This form came without the claim's version, so it cannot be checked against what you saw: " \
                      "reload the claim and try again."


class SeenVersionForm(FlaskForm):
    """A form a person sends about what they saw (verdict, approve, return): the claim's
    version is required, so a decision about a stale copy is refused (409), never applied."""

    version = HiddenField(validators=[DataRequired(message=STALE_CHECK_MESSAGE),
                                      Regexp(r"^\s*\d{1,10}\s*$", message=STALE_CHECK_MESSAGE)])


class ClaimEditForm(SeenVersionForm):
    content = TextAreaField("Claim text", validators=[DataRequired(), Length(max=20_000)], render_kw={"rows": 4})
    speaker = StringField("Speaker", validators=[Length(max=200)],
                          description="Canonical name; an existing speaker or alias is reused.")
    kind = SelectField("Kind", choices=KIND_CHOICES)
    start = IntegerField("Start offset", validators=[Optional(), NumberRange(min=0)])
    end = IntegerField("End offset", validators=[Optional(), NumberRange(min=0)])
    cue = StringField("Cue", validators=[Length(max=100)], description="said, told reporters, tweeted …")
    submit = SubmitField("Save correction")


class WordingForm(VersionedForm):
    publication_wording = TextAreaField(
        "Publication wording", validators=[Length(max=5_000)], render_kw={"rows": 3},
        description="The claim as the published fact-check states it (schema.org claimReviewed). "
                    "Leave it empty to publish the claim text.")
    submit = SubmitField("Save wording")


class DueDateForm(VersionedForm):
    due_date = DateField("Due", validators=[Optional()], description="Leave empty for no due date.")
    submit = SubmitField("Set due date")


class AssignForm(VersionedForm):
    assignee = SelectField("Assign to", coerce=str, choices=[])
    submit = SubmitField("Assign")


class TakeForm(VersionedForm):
    next = HiddenField()  # where to go back to (the queue, for the ``a`` shortcut)
    submit = SubmitField("Assign to me")


class EvidenceForm(FlaskForm):
    url = StringField("Source URL", validators=[DataRequired(), URL(require_tld=False), Length(max=2000)],
                      render_kw={"placeholder": "https://", "inputmode": "url"})
    title = StringField("Title", validators=[DataRequired(), Length(max=500)])
    publisher = StringField("Publisher", validators=[Length(max=200)])
    published_at = DateField("Date", validators=[Optional()])
    excerpt = TextAreaField("Excerpt", validators=[Length(max=20_000)], render_kw={"rows": 3})
    stance = SelectField("Stance", choices=STANCE_CHOICES)
    note = TextAreaField("Note", validators=[Length(max=5_000)], render_kw={"rows": 2})
    submit = SubmitField("Link evidence")


class LinkExistingForm(FlaskForm):
    evidence_id = HiddenField(validators=[DataRequired()])
    stance = SelectField("Stance", choices=STANCE_CHOICES)
    submit = SubmitField("Link here")


class LinkFactCheckForm(FlaskForm):
    """Link an imported fact-check (another publisher's ClaimReview) as evidence."""

    factcheck_id = HiddenField(validators=[DataRequired()])
    stance = SelectField("Stance", choices=STANCE_CHOICES)
    submit = SubmitField("Link as evidence")


class CiteClaimForm(FlaskForm):
    source_claim_id = IntegerField(
        "Claim number", validators=[DataRequired(message="Give the number of an approved claim."), NumberRange(min=1)],
        render_kw={"placeholder": "e.g. 42", "inputmode": "numeric"})
    stance = SelectField("Stance", choices=STANCE_CHOICES)
    note = StringField("Note", validators=[Length(max=5_000)])
    submit = SubmitField("Cite fact-check")


class VerdictForm(SeenVersionForm):
    verdict = SelectField("Verdict", choices=[("", "Choose a verdict…"), *VERDICT_LABELS.items()],
                          validators=[DataRequired(message="Choose a verdict.")])
    rationale = TextAreaField("Rationale", validators=[DataRequired(), Length(max=20_000)], render_kw={"rows": 4})
    submit = SubmitField("Propose verdict for review")


class ReviewForm(SeenVersionForm):
    comment = TextAreaField("Comment for the editor", validators=[Length(max=10_000)], render_kw={"rows": 2})
    approve = SubmitField("Approve")
    send_back = SubmitField("Return to editor")


class DismissForm(VersionedForm):
    reason = StringField("Reason", validators=[DataRequired(), Length(max=500)],
                         render_kw={"placeholder": "Not checkable: opinion, prediction …"})
    submit = SubmitField("Dismiss claim")


class ReopenForm(VersionedForm):
    reason = StringField("Reason", validators=[Length(max=500)])
    submit = SubmitField("Reopen")


class CommentForm(FlaskForm):
    body = TextAreaField("Comment", validators=[DataRequired(), Length(max=10_000)], render_kw={"rows": 2})
    submit = SubmitField("Add comment")


class UnlinkForm(FlaskForm):
    submit = SubmitField("Remove")

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length


class BulkForm(FlaskForm):
    """Acts on the claims ticked in the queue; each one still goes through the workflow rules."""

    action = SelectField("With selected", choices=[("take", "Assign to me"), ("assign", "Assign to…"),
                                                   ("dismiss", "Dismiss…")], validators=[DataRequired()])
    assignee = SelectField("Assignee", coerce=str, choices=[])
    reason = StringField("Reason for dismissing", validators=[Length(max=500)])
    next = HiddenField()
    submit = SubmitField("Apply")

from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length


class SpeakerForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)],
                       description="The old name stays as an alias, so new articles still find the speaker.")
    role = StringField("Role", validators=[Length(max=200)], render_kw={"placeholder": "e.g. Prime Minister"})
    affiliation = StringField("Affiliation", validators=[Length(max=200)],
                              render_kw={"placeholder": "e.g. Government of Estonia, NATO"})
    submit = SubmitField("Save speaker")


class MergeForm(FlaskForm):
    into = StringField("Merge into", validators=[DataRequired(message="Say which speaker to merge into."),
                                                 Length(max=200)],
                       description="The speaker that stays: its name or number (#12).")
    submit = SubmitField("Merge")


class UndoMergeForm(FlaskForm):
    submit = SubmitField("Undo this merge")

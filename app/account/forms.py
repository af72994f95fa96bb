from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length


class TokenForm(FlaskForm):
    name = StringField("What is it for?", validators=[DataRequired(), Length(max=80)],
                       render_kw={"placeholder": "e.g. CMS plug-in, newsroom script"},
                       description="A label to tell your tokens apart.")
    submit = SubmitField("Create token")


class RevokeForm(FlaskForm):
    submit = SubmitField("Revoke")

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length


class TokenForm(FlaskForm):
    name = StringField("What is it for?", validators=[DataRequired(), Length(max=80)],
                       render_kw={"placeholder": "e.g. CMS plug-in, newsroom script"},
                       description="A label to tell your tokens apart.")
    submit = SubmitField("Create token")


class RevokeForm(FlaskForm):
    submit = SubmitField("Revoke")


class PasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired(), Length(max=200)],
                                     render_kw={"autocomplete": "current-password"})
    password = PasswordField(
        "New password", validators=[DataRequired(), Length(max=200)],
        render_kw={"autocomplete": "new-password", "minlength": 10},
        description="At least 10 characters; a few uncommon words make a good one. Common and "
                    "easily guessed passwords are refused.")
    confirm = PasswordField("New password again", validators=[DataRequired(), EqualTo("password", "The two new "
                                                                                     "passwords differ.")],
                            render_kw={"autocomplete": "new-password"})
    submit = SubmitField("Change password")


class SignOutEverywhereForm(FlaskForm):
    submit = SubmitField("Sign out everywhere")

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from app.models import ROLES

ROLE_CHOICES = [(r, r.capitalize()) for r in ROLES]


class InviteForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)], render_kw={"autocomplete": "off"})
    name = StringField("Name", validators=[Length(max=120)], description="They can change it when they join.")
    role = SelectField("Role", choices=ROLE_CHOICES, default="editor")
    submit = SubmitField("Create invitation link")


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=ROLE_CHOICES)
    submit = SubmitField("Change role")


class ActionForm(FlaskForm):
    """Deactivate, reactivate, reset a password, withdraw a link: the button is the whole form."""

    submit = SubmitField("Confirm")


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        "Password", validators=[DataRequired(), Length(max=200)],
        render_kw={"autocomplete": "new-password", "minlength": 10},
        description="At least 10 characters; a few uncommon words make a good one. Common and easily "
                    "guessed passwords are refused.")
    confirm = PasswordField("Password again", validators=[DataRequired(), EqualTo("password", "The two passwords differ.")],
                            render_kw={"autocomplete": "new-password"})
    submit = SubmitField("Set password")


class JoinForm(NewPasswordForm):
    name = StringField("Your name", validators=[DataRequired(), Length(max=120)], render_kw={"autocomplete": "name"},
                       description="As colleagues see it in the desk.")
    submit = SubmitField("Join the desk")

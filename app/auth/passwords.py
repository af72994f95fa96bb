"""What makes a password and an e-mail address acceptable (NIST SP 800-63B, offline).

Passwords: at least ``MIN_LENGTH`` characters (10), at most
``MAX_LENGTH``; no composition rules (no "one digit, one symbol"); refused when zxcvbn,
which knows common passwords, names, words, keyboard walks, repeats and dates, and the
user's own e-mail and name, puts it within 10^8 guesses (score below ``MIN_SCORE``).
E-mail addresses: valid syntax by email-validator, no DNS lookup.
"""
from __future__ import annotations

import re
from typing import Iterable, Optional

from email_validator import EmailNotValidError, validate_email
from zxcvbn import zxcvbn

from app.errors import Invalid

MIN_LENGTH = 10
MAX_LENGTH = 200  # NIST asks for at least 64
MIN_SCORE = 3  # zxcvbn: 3 = "safely unguessable" for online attacks (10^8 guesses and more)
ZXCVBN_MAX = 72  # zxcvbn refuses longer input; the first 72 characters are judged


def password_problem(password: str, *, user_inputs: Iterable[str] = ()) -> Optional[str]:
    """Why ``password`` is refused, for the person choosing it; None when it is fine."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        return f"The password must be at least {MIN_LENGTH} characters long."
    if len(password) > MAX_LENGTH:
        return f"The password must be at most {MAX_LENGTH} characters long."
    values = [value.lower() for value in user_inputs if value]
    words = [w for value in values for w in re.split(r"[\s@._+-]+", value) if len(w) > 2]
    result = zxcvbn(password[:ZXCVBN_MAX], user_inputs=["claimdesk", *values, *words])
    if result["score"] >= MIN_SCORE:
        return None
    feedback = result.get("feedback") or {}
    hint = " ".join(part for part in [feedback.get("warning") or "", *(feedback.get("suggestions") or [])] if part)
    return ("This password is too easy to guess" + (f": {hint}" if hint else ".")
            + ("" if hint.endswith(".") or not hint else "."))


def check_password(password: str, *, user_inputs: Iterable[str] = ()) -> None:
    """Raise Invalid (field ``password``) when the password is refused."""
    problem = password_problem(password, user_inputs=user_inputs)
    if problem:
        raise Invalid(problem, field="password")


def normalise_email(email: str) -> str:
    """The address as stored (lower case), or Invalid saying what is wrong with it."""
    email = (email or "").strip()
    try:
        checked = validate_email(email, check_deliverability=False)
    except EmailNotValidError as exc:
        raise Invalid(f"{email!r} is not a valid e-mail address: {exc}", field="email") from None
    return checked.normalized.lower()

"""Row ids as the desk accepts them from outside: a whole number from 1 to ``MAX_ID``."""
from __future__ import annotations

from typing import Any, Optional

MAX_ID = 2**31 - 1  # the largest id an integer column holds on PostgreSQL


def parse_id(value: Any) -> Optional[int]:
    """``value`` as a row id (an int, or a string of ASCII digits), or None when it cannot
    name a row: not a whole number, a bool, zero, negative, or beyond ``MAX_ID``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit() and len(value.strip()) < 19:
        number = int(value.strip())
    else:
        return None
    return number if 0 < number <= MAX_ID else None

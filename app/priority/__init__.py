"""The queue's priority: check-worthiness scored at ingest, repeats and claims already
checked moved down, and a word or two of why (see service.py)."""
from app.priority.service import (
    CHECKED_PENALTY, REPEAT_PENALTY, priority_reason, priority_value, rescore_claim, score_texts, set_priority,
)

__all__ = ["CHECKED_PENALTY", "REPEAT_PENALTY", "priority_reason", "priority_value", "rescore_claim",
           "score_texts", "set_priority"]

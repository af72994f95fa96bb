"""What the API's response schemas dump that is not a model on its own (shared by the routes modules)."""
from __future__ import annotations

from typing import Any

from app.models import Claim
from app.workflow import service


class ClaimView:
    """A claim with its history, as ``ClaimDetailSchema`` dumps it."""

    def __init__(self, claim: Claim) -> None:
        self._claim = claim
        self.history = service.history(claim.id)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._claim, name)


def claim_view(claim_id: int) -> ClaimView:
    """The claim ``claim_id`` (404 when there is none) with its history."""
    return ClaimView(service.get_claim(claim_id))

"""The claim's history as people read it: one line per event, what changed from what to what."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable, Mapping, Optional

from app.models import STATUS_LABELS, VERDICT_LABELS, AuditEvent

ACTION_LABELS = {
    "claim_extracted": "extracted the claim",
    "claim_edited": "corrected the extraction",
    "assigned": "changed the assignment",
    "evidence_linked": "linked evidence",
    "evidence_unlinked": "removed evidence",
    "verdict_proposed": "proposed a verdict",
    "verdict_approved": "approved the verdict",
    "verdict_returned": "returned the verdict",
    "dismissed": "dismissed the claim",
    "reopened": "reopened the claim",
    "commented": "commented",
    "due_date_set": "changed the due date",
    "claim_added": "added the claim from the article's text",
    "claim_split": "split the claim in two",
    "claims_merged": "merged another claim into this one",
    "merged_into": "merged this claim into another",
    "claim_removed": "removed the claim (not a quote)",
    "evidence_updated": "updated a stored source",
    "speaker_merged": "merged two speakers",
    "speaker_unmerged": "undid a merge of two speakers",
    "speaker_edited": "corrected the speaker",
}
FIELD_LABELS = {"content": "text", "publication_wording": "publication wording", "kind": "kind", "start": "start",
                "end": "end", "speaker": "speaker", "cue": "cue", "status": "status", "assignee": "assignee",
                "due_date": "due date",
                # a speaker's own events
                "name": "name", "role": "role", "affiliation": "affiliation"}


@dataclass
class Entry:
    at: datetime
    who: str
    action: str
    label: str
    changes: list[tuple[str, Any, Any]] = field(default_factory=list)  # (field, before, after)
    notes: list[str] = field(default_factory=list)


def timeline(events: Iterable[AuditEvent], names: Optional[Mapping[str, str]] = None) -> list[Entry]:
    """Readable entries for ``events`` (oldest first); ``names`` maps e-mails to people's names."""
    names = names or {}
    return [_entry(event, names) for event in events]


def _entry(event: AuditEvent, names: Mapping[str, str]) -> Entry:
    before, after = event.before or {}, event.after or {}
    entry = Entry(at=event.at, who=event.user.name if event.user else "Claimdesk", action=event.action,
                  label=ACTION_LABELS.get(event.action, event.action.replace("_", " ")))
    if event.action == "claim_edited" and set(after) - {"version"} == {"publication_wording"}:
        entry.label = "changed the publication wording"
    if event.action != "claim_extracted":
        for name, label in FIELD_LABELS.items():
            if name in after and name in before and before[name] != after[name]:
                entry.changes.append((label, _show(name, before[name], names), _show(name, after[name], names)))
    if event.action == "evidence_linked":
        entry.notes.append(f"{after.get('stance')}: {after.get('evidence')}")
    elif event.action == "evidence_updated":
        for key in ("title", "publisher", "published_at", "excerpt"):
            if key in after:
                entry.changes.append((key.replace("published_at", "date"), before.get(key) or "\u2014",
                                      after.get(key) or "\u2014"))
        entry.notes.append(str(after.get("url")))
    elif event.action == "evidence_unlinked":
        entry.notes.append(f"{before.get('stance')}: {before.get('evidence')}")
    elif event.action == "verdict_proposed":
        label = VERDICT_LABELS.get(after.get("verdict"), after.get("verdict"))
        entry.notes.append(f"{label}: {after.get('rationale')}")
    elif event.action in ("speaker_merged", "speaker_unmerged") and "claims" in after:
        n, aliases = after["claims"], after.get("aliases") or []
        entry.notes.append(f"{n} claim{'' if n == 1 else 's'} moved" + (f"; aliases: {', '.join(aliases)}" if aliases else ""))
    elif event.action == "verdict_approved" and after.get("verdict"):
        entry.notes.append(VERDICT_LABELS.get(after["verdict"], after["verdict"]))
    for key, note in (("split_into", "The second part is claim #{}."), ("split_from", "Split off claim #{}."),
                      ("merged", "Claim #{} was merged into this one."), ("merged_into", "Now part of claim #{}.")):
        if after.get(key):
            entry.notes.append(note.format(after[key]))
    if after.get("evidence_moved"):
        entry.notes.append("Evidence moved with it: " + "; ".join(after["evidence_moved"]))
    for key, prefix in (("comment", ""), ("reason", "Reason: "), ("body", "")):
        if after.get(key):
            entry.notes.append(f"{prefix}\u201c{after[key]}\u201d" if not prefix else prefix + after[key])
    return entry


def _show(name: str, value: Any, names: Mapping[str, str]) -> Any:
    if value is None:
        return {"assignee": "nobody", "publication_wording": "the claim text", "due_date": "none"}.get(name, "\u2014")
    if name == "status":
        return STATUS_LABELS.get(value, value)
    if name == "assignee":
        return names.get(value, value)
    return value

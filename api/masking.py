"""Identity documents masked in answers for callers who may not see them whole.

Series and numbers keep their shape and their last characters («45** ****56», СНИЛС
«***-***-*** 95»); issue dates and authorities stay (they say whether a document is
complete, not whose it is). Only administrators and the administrators of the person's
school read documents whole (api/policy.py `sees_documents`).
"""

from __future__ import annotations

import copy
from typing import Any

_KINDS = ("passport", "birth_certificate")


def mask(value: str, keep_start: int = 0, keep_end: int = 2) -> str:
    """Hide every letter and digit but the first `keep_start` and the last `keep_end`."""
    positions = [i for i, char in enumerate(value) if char.isalnum()]
    shown = set(positions[:keep_start]) | set(positions[len(positions) - keep_end:])
    return "".join(char if i in shown or not char.isalnum() else "*"
                   for i, char in enumerate(value))


def mask_snils(value: str) -> str:
    """СНИЛС: only its two check digits stay, as «***-***-*** 95»."""
    digits = [char for char in value if char.isdigit()]
    if len(digits) != 11:
        return mask(value)
    return f"***-***-*** {digits[-2]}{digits[-1]}"


def masked_documents(documents: dict[str, Any] | None) -> dict[str, Any] | None:
    if not documents:
        return documents
    masked = copy.deepcopy(documents)
    for kind in _KINDS:
        document = masked.get(kind)
        if isinstance(document, dict):
            if document.get("series"):
                document["series"] = mask(str(document["series"]), keep_start=2, keep_end=0)
            if document.get("number"):
                document["number"] = mask(str(document["number"]))
    if masked.get("snils"):
        masked["snils"] = mask_snils(str(masked["snils"]))
    return masked


def masked_person(person: dict[str, Any]) -> dict[str, Any]:
    """A person document (the registry's) with its documents masked."""
    if not person.get("documents"):
        return person
    return {**person, "documents": masked_documents(person["documents"])}


def mask_change(field: str, value: Any) -> Any:
    """A value of an entity history: masked when it is (part of) a document."""
    if not field.startswith("documents") or value is None:
        return value
    if isinstance(value, dict):
        parts = field.split(".")
        if len(parts) == 1:
            return masked_documents(value)
        if len(parts) == 2:
            return (masked_documents({parts[1]: value}) or {}).get(parts[1])
        return value
    leaf = field.rsplit(".", 1)[-1]
    if field == "documents.snils":
        return mask_snils(str(value))
    if leaf == "series":
        return mask(str(value), keep_start=2, keep_end=0)
    if leaf == "number":
        return mask(str(value))
    return value

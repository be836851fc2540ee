"""Which fields of a person's events are personal data, and how an erased person reads.

The domain stays pure: it only names the fields. infra/personal_data.py encrypts exactly
these fields with a key of the person's own, kept outside the log, and reads them back as
the values below once the key is destroyed (crypto-shredding, 152-ФЗ).
"""

from __future__ import annotations

from typing import Any

ERASED = "[erased]"  # what an erased name reads as, in replays, views and answers

# Event (qualified name on Person) -> its fields that hold personal data.
SENSITIVE_FIELDS: dict[str, tuple[str, ...]] = {
    "Registered": ("name", "birth_date", "documents"),
    "PersonalDataCorrected": ("name", "birth_date"),
    "DocumentsRecorded": ("documents",),
}
ERASURE_EVENT = "PersonalDataErased"

# The JSON an erased field decodes from (the name keeps its type: a FullName).
ERASED_VALUES: dict[str, Any] = {
    "name": {"last": ERASED, "first": ERASED, "middle": None},
    "birth_date": None,
    "documents": {},
}

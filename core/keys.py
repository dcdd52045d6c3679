"""The key store port: one secret key per tenant and round, kept outside the answer tables.

The default implementation is a directory of key files (storage/keys.py); a KMS or secret
store can replace it by implementing this Protocol.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class KeyState(StrEnum):
    PRESENT = "present"
    DESTROYED = "destroyed"
    MISSING = "missing"  # never created, or lost: the round cannot take answers


@dataclass(frozen=True)
class KeyStatus:
    tenant: str
    round_id: int
    state: KeyState


class KeyStore(Protocol):
    def create(self, tenant: str, round_id: int) -> None:
        """Create the round's key; an existing key is kept (opening is idempotent)."""
        ...

    def get(self, tenant: str, round_id: int) -> bytes | None:
        """The key, or None when it was destroyed or never existed."""
        ...

    def destroy(self, tenant: str, round_id: int) -> None: ...

    def status(self, tenant: str, round_id: int) -> KeyStatus: ...

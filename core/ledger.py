"""The participation ledger's pseudonym: HMAC-SHA256(K_round, tenant‖user‖round).

Keyed, never a plain hash: rosters are enumerable, so anyone could hash every user id and
match. K_round lives outside the database and is destroyed after the grace period, after
which no pseudonym can be re-derived.
"""

from __future__ import annotations

import hashlib
import hmac

SEPARATOR = "\x1f"  # unit separator: cannot occur in ids, so fields cannot run together


def pseudonym(round_key: bytes, tenant_id: int, member_id: int, round_id: int) -> str:
    if len(round_key) < 32:
        raise ValueError("round keys are 32 random bytes")
    message = SEPARATOR.join((str(tenant_id), str(member_id), str(round_id))).encode()
    return hmac.new(round_key, message, hashlib.sha256).hexdigest()

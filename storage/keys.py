"""Key files: ``<key_store_path>/<tenant>/round-<id>.key``, 32 random bytes, mode 0600.

A destroyed key leaves a ``.destroyed`` marker (no key material) so status can tell
"destroyed" from "never existed".
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from core.keys import KeyState, KeyStatus

KEY_BYTES = 32


class FileKeyStore:
    def __init__(self, root: Path) -> None:
        self._root = root

    def _path(self, tenant: str, round_id: int) -> Path:
        if not tenant or "/" in tenant or tenant.startswith("."):
            raise ValueError(f"unsafe tenant name for a key path: {tenant!r}")
        return self._root / tenant / f"round-{round_id}.key"

    def create(self, tenant: str, round_id: int) -> None:
        path = self._path(tenant, round_id)
        if path.exists():
            return
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self._root, 0o700)
        os.chmod(path.parent, 0o700)
        # O_EXCL: two replicas opening the same round cannot both write a key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(KEY_BYTES))
            handle.flush()
            os.fsync(handle.fileno())

    def get(self, tenant: str, round_id: int) -> bytes | None:
        try:
            data = self._path(tenant, round_id).read_bytes()
        except FileNotFoundError:
            return None
        if len(data) != KEY_BYTES:
            raise ValueError(f"key file for round {round_id} is damaged")
        return data

    def destroy(self, tenant: str, round_id: int) -> None:
        path = self._path(tenant, round_id)
        if path.exists():
            # Overwrite before unlinking so the bytes are not simply left in free blocks
            # (best effort: journaling file systems and SSDs may keep copies).
            with path.open("r+b") as handle:
                handle.write(secrets.token_bytes(KEY_BYTES))
                handle.flush()
                os.fsync(handle.fileno())
            path.unlink()
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.with_suffix(".destroyed").touch(mode=0o600)

    def status(self, tenant: str, round_id: int) -> KeyStatus:
        path = self._path(tenant, round_id)
        if path.exists():
            state = KeyState.PRESENT
        elif path.with_suffix(".destroyed").exists():
            state = KeyState.DESTROYED
        else:
            state = KeyState.MISSING
        return KeyStatus(tenant, round_id, state)

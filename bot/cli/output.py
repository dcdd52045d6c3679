"""Writing an export file, with a translated error when it cannot be written."""

from __future__ import annotations

from pathlib import Path

from core.errors import TempcheckError


def write_text(path: Path, text: str) -> None:
    """Write UTF-8 exactly as given (ICS and CSV carry their own CRLF line ends)."""
    try:
        path.write_bytes(text.encode("utf-8"))
    except OSError as exc:
        raise TempcheckError(
            "cli.write_failed", path=str(path), reason=exc.strerror or ""
        ) from None

"""HTML → PDF with a real browser engine: headless Chromium (Debian's ``chromium``) run as
a subprocess with a timeout. The page is a local file; Chromium is kept off the network
(every host name resolves to nothing) and gets a throwaway profile per run."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from core.errors import TempcheckError

CANDIDATES: Final = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
DEFAULT_TIMEOUT: Final = 120.0
FLAGS: Final = (
    "--headless",
    "--no-sandbox",  # runs as root in containers; the page is our own, without scripts
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--host-resolver-rules=MAP * ~NOTFOUND",
)


def find_chromium(given: str | None = None) -> str | None:
    if given:
        return shutil.which(given) or (given if Path(given).is_file() else None)
    return next((found for name in CANDIDATES if (found := shutil.which(name))), None)


def run_chromium(
    browser: str, page: Path, extra: Sequence[str], profile: Path, timeout: float
) -> subprocess.CompletedProcess[bytes]:
    args = [browser, *FLAGS, f"--user-data-dir={profile}", *extra, page.as_uri()]
    try:
        return subprocess.run(args, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise TempcheckError("docs.pdf.timeout", seconds=int(timeout)) from None
    except OSError as exc:
        raise TempcheckError("docs.pdf.failed", reason=exc.strerror or str(exc)) from None


def html_to_pdf(
    html: str, out: Path, *, chromium: str | None = None, timeout: float = DEFAULT_TIMEOUT
) -> None:
    """Print ``html`` to ``out`` (A4, no header or footer lines)."""
    browser = find_chromium(chromium)
    if browser is None:
        raise TempcheckError("docs.pdf.no_chromium")
    with tempfile.TemporaryDirectory(prefix="tempcheck-pdf-") as work:
        folder = Path(work)
        page = folder / "documentation.html"
        page.write_text(html, encoding="utf-8")
        target = folder / "documentation.pdf"
        done = run_chromium(
            browser,
            page,
            [f"--print-to-pdf={target}", "--no-pdf-header-footer", "--print-to-pdf-no-header"],
            folder / "profile",
            timeout,
        )
        if done.returncode != 0 or not target.is_file() or target.stat().st_size == 0:
            reason = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["?"]
            raise TempcheckError("docs.pdf.failed", reason=f"exit {done.returncode}: {reason[0]}")
        try:
            shutil.copyfile(target, out)
        except OSError as exc:
            raise TempcheckError(
                "cli.write_failed", path=str(out), reason=exc.strerror or ""
            ) from None

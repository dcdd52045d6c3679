"""Every ``anonymity.*`` message exists in nb and en with the same placeholders, and every
message the code can raise is in the catalogues."""

from __future__ import annotations

import re
from pathlib import Path

from core.anonymity.segments import OVERLAP, SPAN_AUDIT
from core.anonymity.suppression import REASONS
from core.i18n import LOCALES, catalogue, placeholders

SOURCE = Path(__file__).resolve().parents[3] / "core" / "anonymity"


def _keys(locale: str) -> set[str]:
    return {k for k in catalogue(locale) if k.startswith("anonymity.")}


def test_anonymity_catalogue_parity() -> None:
    assert _keys("nb") == _keys("en")
    assert len(_keys("en")) > 30
    for key in _keys("en"):
        assert placeholders(catalogue("nb")[key]) == placeholders(catalogue("en")[key]), key


def _used_keys() -> set[str]:
    used: set[str] = set()
    for path in SOURCE.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r'"(anonymity\.[a-z_.]+[a-z])"', text))
        used |= {
            f"anonymity.audit.{m}" for m in re.findall(r'problem\(\s*[^,]+,\s*"([a-z_]+)"', text)
        }
    return used


def test_every_key_the_code_uses_is_in_both_catalogues() -> None:
    used = _used_keys()
    assert {"anonymity.below_floor", "anonymity.audit.invalid_json", "anonymity.cycle"} <= used
    for locale in LOCALES:
        assert used <= _keys(locale), (locale, used - _keys(locale))


def test_every_reason_has_a_display_text() -> None:
    for reason in (*REASONS, OVERLAP, SPAN_AUDIT):
        for locale in LOCALES:
            assert f"anonymity.reason.{reason}" in catalogue(locale)

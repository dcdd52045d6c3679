"""Message catalogues: every string shown to a person exists in bokmål and English.

Catalogues are YAML files under ``core/locales/<locale>/*.yaml``; each file is a flat
mapping of message key to a ``str.format`` template. All files of a locale are merged,
and a key defined twice is an error, so areas of the code can own their own file.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Final

import yaml

LOCALES: Final = ("nb", "en")
DEFAULT_LOCALE: Final = "nb"


class CatalogueError(Exception):
    """A catalogue file is broken (a packaging defect, not user input)."""


def _load_locale(locale: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    folder = resources.files("core") / "locales" / locale
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        data = yaml.safe_load(entry.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            raise CatalogueError(f"{locale}/{entry.name}: expected a mapping")
        for key, value in data.items():
            if key in merged:
                raise CatalogueError(f"{locale}/{entry.name}: key {key!r} defined twice")
            if not isinstance(value, str):
                raise CatalogueError(f"{locale}/{entry.name}: {key!r} is not a string")
            merged[str(key)] = value
    return merged


@cache
def catalogue(locale: str) -> Mapping[str, str]:
    if locale not in LOCALES:
        raise CatalogueError(f"unknown locale {locale!r}; supported: {', '.join(LOCALES)}")
    return _load_locale(locale)


def placeholders(template: str) -> frozenset[str]:
    return frozenset(
        name for _, name, _, _ in string.Formatter().parse(template) if name is not None
    )


def t(key: str, locale: str = DEFAULT_LOCALE, /, **params: object) -> str:
    """Translate ``key`` into ``locale``; a missing key is a defect and raises KeyError."""
    template = catalogue(locale)[key]
    return template.format(**params) if params else template


def normalise_locale(value: str) -> str | None:
    """Map common spellings (``no``, ``nb-NO``, ``en_GB``) to a supported locale."""
    lowered = value.strip().lower().replace("_", "-")
    if lowered in ("nb", "no", "nn") or lowered.startswith(("nb-", "no-", "nn-")):
        return "nb"
    if lowered == "en" or lowered.startswith("en-"):
        return "en"
    return None

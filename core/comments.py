"""Warnings before a comment is submitted (privacy rule 9): a roster name, an e-mail
address or a phone number in the text. The text is never altered; the writer decides."""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# Norwegian numbers (8 digits, optionally +47 and spaces) and other long digit runs.
_PHONE = re.compile(r"(?<!\d)(\+?\d[\d ()-]{6,}\d)(?!\d)")
MIN_NAME_LENGTH = 3


class CommentWarning(StrEnum):
    NAME = "name"
    EMAIL = "email"
    PHONE = "phone"


def _name_tokens(names: Iterable[str]) -> set[str]:
    tokens: set[str] = set()
    for name in names:
        parts = name.split()
        tokens.update(p for p in parts if len(p) >= MIN_NAME_LENGTH)
    return tokens


def comment_warnings(text: str, roster_names: Iterable[str]) -> tuple[CommentWarning, ...]:
    found: list[CommentWarning] = []
    words = set(re.findall(r"\w+", text))
    # Capitalised words only: "per uke" is not Per, and a name is written with a capital.
    if any(token in words for token in _name_tokens(roster_names)):
        found.append(CommentWarning.NAME)
    if _EMAIL.search(text):
        found.append(CommentWarning.EMAIL)
    if any(sum(c.isdigit() for c in m.group(1)) >= 8 for m in _PHONE.finditer(text)):
        found.append(CommentWarning.PHONE)
    return tuple(found)

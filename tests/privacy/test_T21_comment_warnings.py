"""T21: a roster name, e-mail or phone number in a comment is warned about; text unchanged."""

from __future__ import annotations

import pytest

from core.comments import CommentWarning, comment_warnings

ROSTER = ["Kari Nordmann", "Per Hansen", "Ola Li"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kari tar alle de kjedelige oppgavene", (CommentWarning.NAME,)),
        ("Snakk med Hansen om dette", (CommentWarning.NAME,)),
        ("Send til kari.n@acme.no", (CommentWarning.EMAIL,)),
        ("Ring meg på 912 34 567", (CommentWarning.PHONE,)),
        ("Ring +47 91234567 eller skriv til a@b.no", (CommentWarning.EMAIL, CommentWarning.PHONE)),
        ("Vi jobber 40 timer per uke og har 3 møter", ()),
        ("Ingen navn her, bare travelt", ()),
    ],
)
def test_T21_warnings(text: str, expected: tuple[CommentWarning, ...]) -> None:
    before = str(text)
    assert comment_warnings(text, ROSTER) == expected
    assert text == before

"""``tempcheck privacy audit`` engine: T04-T06 as audit files, and bad input."""

from __future__ import annotations

import json

import pytest

from core.anonymity.audit_input import run_privacy_audit
from core.errors import InputFileError
from core.i18n import LOCALES


def _audit(units: list[dict[str, object]], k: int | None = None) -> dict[str, dict[str, object]]:
    data: dict[str, object] = {"units": units}
    if k is not None:
        data["k"] = k
    out = json.loads(run_privacy_audit(json.dumps(data, indent=2), "org.json", 5))
    assert out["k"] == (k or 5)
    assert [c["unit"] for c in out["cells"]] == [u["id"] for u in units]  # input order
    return {c["unit"]: c for c in out["cells"]}


def _unit(uid: str, parent: str | None, eligible: int, respondents: int) -> dict[str, object]:
    return {"id": uid, "parent": parent, "eligible": eligible, "respondents": respondents}


def _shown(cell: dict[str, object]) -> tuple[object, object]:
    return cell["published"], cell["reason"]


def test_t04_as_an_audit_file() -> None:
    cells = _audit(
        [_unit("org", None, 0, 0), _unit("six", "org", 8, 6), _unit("four", "org", 6, 4)]
    )
    assert _shown(cells["four"]) == (False, "too_few_respondents")
    assert _shown(cells["six"]) == (False, "complementary")
    assert _shown(cells["org"]) == (True, None)
    assert cells["org"]["n_band"] == "10-19"
    assert cells["six"]["n_band"] is None


@pytest.mark.parametrize("k", [5, 6])
def test_t05_as_an_audit_file(k: int) -> None:
    cells = _audit(
        [_unit("org", None, 0, 0), _unit("six", "org", 8, 6), _unit("five", "org", 8, 5)], k
    )
    if k == 5:
        assert all(c["published"] for c in cells.values())
    else:
        assert _shown(cells["five"]) == (False, "too_few_respondents")
        assert _shown(cells["six"]) == (False, "complementary")
        assert _shown(cells["org"]) == (True, None)


def test_t06_as_an_audit_file() -> None:
    cells = _audit(
        [_unit("org", None, 4, 3), _unit("eight", "org", 10, 8), _unit("nine", "org", 10, 9)]
    )
    assert _shown(cells["eight"]) == (False, "complementary")
    assert _shown(cells["nine"]) == (True, None)
    assert cells["org"]["n_band"] == "20-49"


def test_audit_counts_direct_members_and_rolls_small_units_up() -> None:
    cells = _audit([_unit("acme", None, 3, 2), _unit("ops", "acme", 5, 5)])
    assert _shown(cells["ops"]) == (False, "too_few_eligible")
    assert _shown(cells["acme"]) == (True, None)  # 8 eligible, 7 respondents in the subtree


def _problems(text: str, default_k: int = 5) -> list[tuple[int, str, dict[str, object]]]:
    with pytest.raises(InputFileError) as caught:
        run_privacy_audit(text, "org.json", default_k)
    for locale in LOCALES:
        rendered = caught.value.render(locale)
        assert rendered.count("org.json") == len(caught.value.problems)
    return [
        (p.line, p.key.removeprefix("anonymity."), dict(p.params)) for p in caught.value.problems
    ]


GOOD = '{"id": "acme", "parent": null, "eligible": 9, "respondents": 6}'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"units": [', [(1, "audit.invalid_json")]),
        ("[1, 2]", [(0, "audit.not_object")]),
        ('{"units": []}', [(0, "audit.no_units")]),
        ('{"k": 4, "units": [' + GOOD + "]}", [(0, "audit.k_below_floor")]),
        ('{"k": "5", "units": [' + GOOD + "]}", [(0, "audit.k_not_integer")]),
        ('{"K": 5, "units": [' + GOOD + "]}", [(0, "audit.unknown_key")]),
        ('{"units": [' + GOOD + ", 7]}", [(0, "audit.unit_not_object")]),
        ('{"units": [' + GOOD + ', {"parent": "acme"}]}', [(0, "audit.missing_id")]),
    ],
)
def test_bad_audit_files_name_the_problem(text: str, expected: list[tuple[int, str]]) -> None:
    assert [(line, key) for line, key, _ in _problems(text)] == expected


def test_default_k_below_the_floor_is_an_error() -> None:
    assert [key for _, key, _ in _problems('{"units": [' + GOOD + "]}", default_k=3)] == [
        "audit.k_below_floor"
    ]


def _units_file(*units: str) -> str:
    return '{\n  "units": [\n    ' + ",\n    ".join(units) + "\n  ]\n}\n"


def test_bad_units_name_the_line_and_the_unit() -> None:
    text = _units_file(
        GOOD,
        '{"id": "ops", "parent": "acme", "eligible": -1, "respondents": 0}',
        '{"id": "hr", "parent": "acme", "eligible": 3, "respondents": 4}',
        '{"id": "it", "parent": "acme", "eligible": 3, "respondents": 1.5}',
        '{"id": "x", "parent": "acme", "eligible": 3, "respondents": 1, "colour": "red"}',
        '{"id": "y", "parent": 7, "eligible": 3}',
    )
    problems = _problems(text)
    assert [(line, key) for line, key, _ in problems] == [
        (4, "audit.negative_count"),
        (5, "audit.respondents_exceed_eligible"),
        (6, "audit.not_a_count"),
        (7, "audit.unknown_unit_key"),
        (8, "audit.bad_parent"),
        (8, "audit.missing_count"),
    ]
    assert problems[0][2] == {"unit": "ops", "field": "eligible", "value": -1}


@pytest.mark.parametrize(
    ("units", "expected"),
    [
        ([GOOD, GOOD], [(4, "duplicate_unit")]),
        (
            [GOOD, '{"id": "ops", "parent": "nowhere", "eligible": 3, "respondents": 1}'],
            [(4, "unknown_parent")],
        ),
        (
            [GOOD, '{"id": "other", "parent": null, "eligible": 3, "respondents": 1}'],
            [(0, "several_roots")],
        ),
        (
            [
                GOOD,
                '{"id": "a", "parent": "b", "eligible": 3, "respondents": 1}',
                '{"id": "b", "parent": "a", "eligible": 3, "respondents": 1}',
            ],
            [(4, "cycle")],
        ),
    ],
)
def test_bad_trees_are_rejected(units: list[str], expected: list[tuple[int, str]]) -> None:
    assert [(line, key) for line, key, _ in _problems(_units_file(*units))] == expected

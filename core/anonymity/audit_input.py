"""``tempcheck privacy audit FILE.json``: what the release engine would publish for a tree.

Input: ``{"k": 5, "units": [{"id": "acme", "parent": null, "eligible": 3, "respondents": 2}]}``
where eligible and respondents count each unit's own direct members. The audit treats the
respondents as the answers of a single metric, with K_ELIGIBLE = k + 1, and reports every unit
as the cell of its whole subtree, in input order. The member view is not applied: the audit is
about what is published at all. Counts go out as n bands only, as in a real release.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Final

from core.anonymity.coarsen import n_band
from core.anonymity.suppression import suppress
from core.anonymity.thresholds import FLOOR_K_RESP
from core.anonymity.tree import UnitTree, tree_problems
from core.errors import InputFileError, Problem

TOP_KEYS: Final = ("k", "units")
UNIT_KEYS: Final = ("id", "parent", "eligible", "respondents")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class _Reader:
    def __init__(self, text: str, filename: str) -> None:
        self.text = text
        self.filename = filename
        self.problems: list[Problem] = []
        self.seen: Counter[str] = Counter()
        self._lines: dict[str, list[int]] = {}

    def problem(self, line: int, message: str, /, **params: object) -> None:
        self.problems.append(Problem(self.filename, line, f"anonymity.audit.{message}", params))

    def line_of(self, unit: str, occurrence: int = 0) -> int:
        """Line of the ``occurrence``-th ``"id": "<unit>"`` in the file, or 0 if not found."""
        if unit not in self._lines:
            pattern = re.compile(r'"id"\s*:\s*' + re.escape(json.dumps(unit, ensure_ascii=False)))
            self._lines[unit] = [
                self.text.count("\n", 0, m.start()) + 1 for m in pattern.finditer(self.text)
            ]
            if not self._lines[unit]:
                pattern = re.compile(r'"id"\s*:\s*' + re.escape(json.dumps(unit)))
                self._lines[unit] = [
                    self.text.count("\n", 0, m.start()) + 1 for m in pattern.finditer(self.text)
                ]
        lines = self._lines[unit]
        return lines[occurrence] if occurrence < len(lines) else 0


def _read_unit(reader: _Reader, index: int, raw: object) -> tuple[str, str | None, int, int] | None:
    position = index + 1
    if not isinstance(raw, dict):
        reader.problem(0, "unit_not_object", position=position)
        return None
    unit_id = raw.get("id")
    if not isinstance(unit_id, str) or not unit_id:
        reader.problem(0, "missing_id", position=position)
        return None
    line = reader.line_of(unit_id, reader.seen[unit_id])
    reader.seen[unit_id] += 1
    ok = True
    for key in raw:
        if key not in UNIT_KEYS:
            reader.problem(
                line, "unknown_unit_key", unit=unit_id, key=key, known=", ".join(UNIT_KEYS)
            )
            ok = False
    parent = raw.get("parent")
    if parent is not None and (not isinstance(parent, str) or not parent):
        reader.problem(line, "bad_parent", unit=unit_id, value=json.dumps(parent))
        ok = False
    counts: dict[str, int] = {}
    for key in ("eligible", "respondents"):
        if key not in raw:
            reader.problem(line, "missing_count", unit=unit_id, field=key)
            ok = False
            continue
        value = raw[key]
        if not _is_int(value):
            reader.problem(line, "not_a_count", unit=unit_id, field=key, value=json.dumps(value))
            ok = False
        elif value < 0:
            reader.problem(line, "negative_count", unit=unit_id, field=key, value=value)
            ok = False
        else:
            counts[key] = value
    if len(counts) == 2 and counts["respondents"] > counts["eligible"]:
        reader.problem(
            line,
            "respondents_exceed_eligible",
            unit=unit_id,
            respondents=counts["respondents"],
            eligible=counts["eligible"],
        )
        ok = False
    if not ok:
        return None
    return (
        unit_id,
        parent if isinstance(parent, str) else None,
        counts["eligible"],
        counts["respondents"],
    )


def _parse(reader: _Reader, default_k: int) -> tuple[int, list[tuple[str, str | None, int, int]]]:
    try:
        data = json.loads(reader.text)
    except json.JSONDecodeError as error:
        reader.problem(error.lineno, "invalid_json", detail=error.msg, column=error.colno)
        raise InputFileError(reader.problems) from error
    if not isinstance(data, dict):
        reader.problem(0, "not_object")
        raise InputFileError(reader.problems)
    for key in data:
        if key not in TOP_KEYS:
            reader.problem(0, "unknown_key", key=key, known=", ".join(TOP_KEYS))
    k = data.get("k", default_k)
    if not _is_int(k):
        reader.problem(0, "k_not_integer", value=json.dumps(k))
    elif k < FLOOR_K_RESP:
        reader.problem(0, "k_below_floor", value=k, floor=FLOOR_K_RESP)
    raw_units = data.get("units")
    if not isinstance(raw_units, list) or not raw_units:
        reader.problem(0, "no_units")
        raise InputFileError(reader.problems)
    units = [_read_unit(reader, i, raw) for i, raw in enumerate(raw_units)]
    valid = [u for u in units if u is not None]
    if len(valid) == len(units):  # a tree check on a partial list would only add noise
        occurrences: Counter[str] = Counter()
        for key, params in tree_problems((u[0], u[1]) for u in valid):
            unit = str(params.get("unit", ""))
            line = reader.line_of(unit, occurrences[unit]) if unit else 0
            if key == "anonymity.duplicate_unit":
                occurrences[unit] += 1
                line = reader.line_of(unit, occurrences[unit])
            reader.problems.append(Problem(reader.filename, line, key, params))
    if reader.problems:
        raise InputFileError(reader.problems)
    assert isinstance(k, int)
    return k, valid


def run_privacy_audit(text: str, filename: str, default_k: int) -> str:
    """Audit a tree given as JSON; returns the result as JSON text or raises ``InputFileError``."""
    reader = _Reader(text, filename)
    k, units = _parse(reader, default_k)
    tree = UnitTree.build((u[0], u[1]) for u in units)
    eligible = tree.subtree_sums({u[0]: u[2] for u in units})
    respondents = tree.subtree_sums({u[0]: u[3] for u in units})
    candidates = frozenset(u for u in tree.order if eligible[u] >= k + 1)
    outcome = suppress(tree, candidates, respondents, k)
    cells = [
        {
            "unit": unit_id,
            "published": outcome.reasons[unit_id] is None,
            "reason": outcome.reasons[unit_id],
            "n_band": n_band(respondents[unit_id]) if outcome.reasons[unit_id] is None else None,
        }
        for unit_id, *_ in units
    ]
    return json.dumps({"k": k, "cells": cells}, indent=2, ensure_ascii=False) + "\n"

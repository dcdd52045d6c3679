"""Consistency checks on a ``ReleaseInput`` before anything is computed.

These are defects of the caller, not of a person's input, but they are still translated. No
message carries a count: errors end up in logs, and an exact n must not (T28).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from core.anonymity.inputs import AUDIENCES, SCORED_VALUES, SENSITIVE_VALUES, ReleaseInput
from core.anonymity.tree import UnitTree
from core.errors import TempcheckError


def _check_counts(tree: UnitTree, name: str, counts: Mapping[str, int]) -> None:
    for unit, value in counts.items():
        if unit not in tree:
            raise TempcheckError("anonymity.unknown_unit", unit=unit, where=name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise TempcheckError("anonymity.negative_count", unit=unit, field=name, value=value)


def check_input(tree: UnitTree, inp: ReleaseInput) -> None:
    _check_counts(tree, "eligible", inp.eligible)
    _check_counts(tree, "respondents", inp.respondents)
    for unit, count in inp.respondents.items():
        if count > inp.eligible.get(unit, 0):
            raise TempcheckError("anonymity.respondents_exceed_eligible", unit=unit)
    seen: set[str] = set()
    for metric in inp.metrics:
        if not metric.metric or metric.metric in seen:
            raise TempcheckError("anonymity.duplicate_metric", metric=metric.metric)
        seen.add(metric.metric)
        allowed = SENSITIVE_VALUES if metric.sensitive else SCORED_VALUES
        for unit, values in metric.values.items():
            if unit not in tree:
                raise TempcheckError("anonymity.unknown_unit", unit=unit, where=metric.metric)
            for value in values:
                if value not in allowed:
                    raise TempcheckError(
                        "anonymity.value_out_of_range", metric=metric.metric, unit=unit, value=value
                    )
            if len(values) > inp.respondents.get(unit, 0):
                raise TempcheckError(
                    "anonymity.answers_exceed_respondents", metric=metric.metric, unit=unit
                )
    per_unit: Counter[str] = Counter()
    for comment in inp.comments:
        if comment.unit not in tree:
            raise TempcheckError("anonymity.unknown_unit", unit=comment.unit, where="comments")
        if comment.audience not in AUDIENCES:
            raise TempcheckError(
                "anonymity.unknown_audience", audience=comment.audience, known=", ".join(AUDIENCES)
            )
        per_unit[comment.unit] += 1
    for unit, count in per_unit.items():
        if count > inp.respondents.get(unit, 0):  # one comment per submission at most
            raise TempcheckError("anonymity.too_many_comments", unit=unit)
    _check_segments(tree, inp, seen)


def _check_segments(tree: UnitTree, inp: ReleaseInput, metric_ids: set[str]) -> None:
    by_metric = {m.metric: m for m in inp.metrics}
    cut: set[str] = set()
    for seg in inp.segments:
        if seg.metric not in metric_ids:
            raise TempcheckError("anonymity.unknown_metric", metric=seg.metric)
        if seg.metric in cut:
            raise TempcheckError("anonymity.duplicate_metric", metric=seg.metric)
        cut.add(seg.metric)
        from_atoms: dict[str, Counter[int]] = {}
        for atom in seg.atoms:
            if atom.unit not in tree:
                raise TempcheckError("anonymity.unknown_unit", unit=atom.unit, where=seg.metric)
            if any(not s for s in atom.segments):
                raise TempcheckError(
                    "anonymity.segment_mismatch", metric=seg.metric, unit=atom.unit
                )
            from_atoms.setdefault(atom.unit, Counter()).update(atom.values)
        values = by_metric[seg.metric].values
        for unit in set(from_atoms) | set(values):
            expected = Counter(values.get(unit, ()))
            if from_atoms.get(unit, Counter()) != expected:
                raise TempcheckError("anonymity.segment_mismatch", metric=seg.metric, unit=unit)

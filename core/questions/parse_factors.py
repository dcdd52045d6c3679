"""Reading the factors section of a question set file.

A draft's value is ``None`` when something inside it was wrong; the problem has been
recorded already, and the draft still carries what cross-checks need.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import yaml

from core.questions.model import (
    KNOWN_FACTORS,
    Factor,
    FactorKind,
    FrozenMap,
    Measure,
    MeasureLevel,
    MeasureType,
)
from core.questions.parse_nodes import Field, Reader, joined, line_of, read_id

DISCUSSION_RANGE: Final = (3, 5)
MIN_MEASURES: Final = 3
FACTOR_KEYS: Final = (
    "id",
    "kind",
    "name",
    "explanation",
    "low_score",
    "discussion",
    "measures",
)
MEASURE_KEYS: Final = ("level", "type", "text")
_KNOWN_IDS: Final = tuple(factor_id for factor_id, _ in KNOWN_FACTORS)


@dataclass(frozen=True)
class FactorDraft:
    """A factor's values as read; ``None`` where the value was missing or wrong."""

    id: str | None
    line: int
    kind: FactorKind | None
    raw_id: str | None = None
    """The id as written, even when it was rejected; items naming it are not flagged again."""
    name: FrozenMap[str, str] | None = None
    explanation: FrozenMap[str, str] | None = None
    low_score: FrozenMap[str, str] | None = None
    discussion: tuple[FrozenMap[str, str], ...] | None = None
    measures: tuple[Measure, ...] | None = None

    def build(self) -> Factor | None:
        if (
            self.id is None
            or self.kind is None
            or self.name is None
            or self.explanation is None
            or self.low_score is None
            or self.discussion is None
            or self.measures is None
        ):
            return None
        return Factor(
            self.id,
            self.kind,
            self.name,
            self.explanation,
            self.low_score,
            self.discussion,
            self.measures,
        )


def read_factors(
    reader: Reader, where: Field, languages: Sequence[str] | None
) -> list[FactorDraft] | None:
    """The factor drafts, or ``None`` when the section is not a list at all."""
    nodes = reader.sequence(where.node, "factors")
    if nodes is None:
        return None
    return [_read_factor(reader, index, node, languages) for index, node in enumerate(nodes, 1)]


def _read_factor(
    reader: Reader, index: int, node: yaml.Node, languages: Sequence[str] | None
) -> FactorDraft:
    path = f"factors[{reader.peek_id(node) or f'#{index}'}]"
    fields = reader.mapping(node, path, required=FACTOR_KEYS)
    if fields is None:
        return FactorDraft(None, line_of(node), None)
    factor_id = raw_id = None
    line = line_of(node)
    if "id" in fields:
        line = fields["id"].line
        factor_id = raw_id = read_id(reader, fields["id"], f"factors[#{index}].id")
    if factor_id is not None and factor_id not in _KNOWN_IDS:
        reader.problem(line, "unknown_factor", factor=factor_id, known=joined(_KNOWN_IDS))
        factor_id = None
    kind = _read_kind(reader, fields, factor_id, path)

    def text_of(name: str) -> FrozenMap[str, str] | None:
        if name not in fields:
            return None
        return reader.localised(fields[name], f"{path}.{name}", languages)

    return FactorDraft(
        factor_id,
        line,
        kind,
        raw_id=raw_id,
        name=text_of("name"),
        explanation=text_of("explanation"),
        low_score=text_of("low_score"),
        discussion=_read_discussion(reader, fields, path, languages),
        measures=_read_measures(reader, fields, path, languages),
    )


def _read_kind(
    reader: Reader, fields: dict[str, Field], factor_id: str | None, path: str
) -> FactorKind | None:
    if "kind" not in fields:
        return None
    options = tuple(kind.value for kind in FactorKind)
    value = reader.choice(fields["kind"].node, f"{path}.kind", options, "unknown_kind")
    if value is None:
        return None
    kind = FactorKind(value)
    expected = dict(KNOWN_FACTORS).get(factor_id or "")
    if expected is not None and kind is not expected:
        reader.problem(
            fields["kind"].line,
            "factor_kind_mismatch",
            factor=factor_id,
            expected=expected.value,
            kind=kind.value,
        )
        return None
    return kind


def _read_discussion(
    reader: Reader,
    fields: dict[str, Field],
    path: str,
    languages: Sequence[str] | None,
) -> tuple[FrozenMap[str, str], ...] | None:
    if "discussion" not in fields:
        return None
    where = fields["discussion"]
    nodes = reader.sequence(where.node, f"{path}.discussion")
    if nodes is None:
        return None
    low, high = DISCUSSION_RANGE
    broken = False
    if not low <= len(nodes) <= high:
        reader.problem(
            where.line,
            "discussion_count",
            path=path,
            count=len(nodes),
            low=low,
            high=high,
        )
        broken = True
    texts = [
        reader.localised(Field(line_of(node), node), f"{path}.discussion[{n}]", languages)
        for n, node in enumerate(nodes, start=1)
    ]
    if broken or any(text is None for text in texts):
        return None
    return tuple(text for text in texts if text is not None)


def _read_measures(
    reader: Reader,
    fields: dict[str, Field],
    path: str,
    languages: Sequence[str] | None,
) -> tuple[Measure, ...] | None:
    if "measures" not in fields:
        return None
    where = fields["measures"]
    nodes = reader.sequence(where.node, f"{path}.measures")
    if nodes is None:
        return None
    broken = False
    if len(nodes) < MIN_MEASURES:
        reader.problem(
            where.line,
            "too_few_measures",
            path=path,
            count=len(nodes),
            minimum=MIN_MEASURES,
        )
        broken = True
    measures = [
        _read_measure(reader, node, f"{path}.measures[{n}]", languages)
        for n, node in enumerate(nodes, start=1)
    ]
    if broken or any(measure is None for measure in measures):
        return None
    return tuple(measure for measure in measures if measure is not None)


def _read_measure(
    reader: Reader, node: yaml.Node, path: str, languages: Sequence[str] | None
) -> Measure | None:
    fields = reader.mapping(node, path, required=MEASURE_KEYS)
    if fields is None:
        return None
    level = type_ = text = None
    if "level" in fields:
        options = tuple(level.value for level in MeasureLevel)
        level = reader.choice(
            fields["level"].node, f"{path}.level", options, "unknown_measure_level"
        )
    if "type" in fields:
        options = tuple(kind.value for kind in MeasureType)
        type_ = reader.choice(fields["type"].node, f"{path}.type", options, "unknown_measure_type")
    if "text" in fields:
        text = reader.localised(fields["text"], f"{path}.text", languages)
    if level is None or type_ is None or text is None:
        return None
    return Measure(text, MeasureLevel(level), MeasureType(type_))

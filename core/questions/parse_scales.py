"""Reading the scales section of a question set file."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import yaml

from core.questions.model import FrozenMap, Scale
from core.questions.parse_nodes import ID_PATTERN, Field, Reader, joined, line_of

MIN_POINTS: Final = 2
MAX_POINTS: Final = 7
SCALE_KEYS: Final = ("points", "labels", "prefer_not")


@dataclass(frozen=True)
class ScaleDraft:
    line: int
    scale: Scale | None


def read_scales(
    reader: Reader, where: Field, languages: Sequence[str] | None
) -> dict[str, ScaleDraft] | None:
    """The scale drafts by id, or ``None`` when the section is not a mapping at all."""
    node = where.node
    if not isinstance(node, yaml.MappingNode):
        reader.problem(line_of(node), "expected_mapping", path="scales")
        return None
    drafts: dict[str, ScaleDraft] = {}
    for key_node, value_node in node.value:
        scale_id = reader.key_name(key_node, "scales")
        if scale_id is None:
            continue
        line = line_of(key_node)
        if scale_id in drafts:
            reader.problem(
                line,
                "duplicate_key",
                path="scales",
                key=scale_id,
                first_line=drafts[scale_id].line,
            )
            continue
        if not ID_PATTERN.fullmatch(scale_id):
            reader.problem(line, "bad_id", path="scales", value=scale_id)
        drafts[scale_id] = ScaleDraft(
            line, _read_scale(reader, scale_id, value_node, line, languages)
        )
    return drafts


def _read_scale(
    reader: Reader, scale_id: str, node: yaml.Node, line: int, languages: Sequence[str] | None
) -> Scale | None:
    path = f"scales.{scale_id}"
    fields = reader.mapping(node, path, required=SCALE_KEYS, line=line)
    if fields is None:
        return None
    points: int | None = None
    if "points" in fields:
        points = reader.integer(fields["points"].node, f"{path}.points")
        if points is not None and not MIN_POINTS <= points <= MAX_POINTS:
            reader.problem(
                fields["points"].line,
                "scale_points_range",
                scale=scale_id,
                points=points,
                low=MIN_POINTS,
                high=MAX_POINTS,
            )
            points = None
    labels = None
    if "labels" in fields:
        labels = _read_labels(reader, scale_id, fields["labels"], points, languages)
    prefer_not = None
    if "prefer_not" in fields:
        prefer_not = reader.localised(fields["prefer_not"], f"{path}.prefer_not", languages)
    if points is None or labels is None or prefer_not is None:
        return None
    return Scale(scale_id, points, labels, prefer_not)


def _read_labels(
    reader: Reader,
    scale_id: str,
    where: Field,
    points: int | None,
    languages: Sequence[str] | None,
) -> FrozenMap[str, tuple[str, ...]] | None:
    path = f"scales.{scale_id}.labels"
    node = where.node
    if not isinstance(node, yaml.MappingNode):
        reader.problem(line_of(node), "expected_localised_list", path=path)
        return None
    labels: dict[str, tuple[str, ...]] = {}
    seen: dict[str, int] = {}
    broken = False
    for key_node, value_node in node.value:
        lang = reader.key_name(key_node, path)
        if lang is None:
            broken = True
            continue
        if lang in seen:
            reader.problem(
                line_of(key_node), "duplicate_key", path=path, key=lang, first_line=seen[lang]
            )
            broken = True
            continue
        seen[lang] = line_of(key_node)
        if languages is not None and lang not in languages:
            reader.problem(
                line_of(key_node),
                "language_not_listed",
                path=path,
                lang=lang,
                languages=joined(languages),
            )
            broken = True
            continue
        entries = reader.sequence(value_node, f"{path}.{lang}")
        if entries is None:
            broken = True
            continue
        texts = [reader.text(entry, f"{path}.{lang}") for entry in entries]
        if points is not None and len(texts) != points:
            reader.problem(
                line_of(key_node),
                "scale_label_count",
                scale=scale_id,
                lang=lang,
                count=len(texts),
                points=points,
            )
            broken = True
        present = tuple(text for text in texts if text is not None)
        if len(present) != len(texts):
            broken = True
        labels[lang] = present
    for lang in languages or ():
        if lang not in seen:
            reader.problem(where.line, "missing_language", path=path, lang=lang)
            broken = True
    if broken or points is None:
        return None
    return FrozenMap((lang, labels[lang]) for lang in languages or tuple(labels))

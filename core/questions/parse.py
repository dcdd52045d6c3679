"""Parse and validate a question set file (YAML) into a ``QuestionSet``.

Every problem in the file is reported at once, each with its line, so HR can fix a file in
one pass instead of one error per attempt.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import Final

import yaml

from core.errors import InputFileError
from core.i18n import LOCALES
from core.questions.model import Factor, FactorKind, Item, QuestionSet, Scale
from core.questions.parse_factors import FactorDraft, read_factors
from core.questions.parse_items import ItemDraft, read_items
from core.questions.parse_nodes import Field, Reader, joined, line_of, read_id
from core.questions.parse_scales import ScaleDraft, read_scales

DEFAULT_BANK_FILE: Final = "core/bank/default.yaml"
TOP_KEYS: Final = (
    "set",
    "version",
    "title",
    "licence",
    "languages",
    "scales",
    "factors",
    "items",
)
SENSITIVE_POINTS: Final = 2

#: libyaml's C loader when available (about ten times faster); same nodes and line marks.
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def default_bank_text() -> str:
    return (resources.files("core") / "bank" / "default.yaml").read_text(encoding="utf-8")


@cache
def load_default_bank() -> QuestionSet:
    return parse_question_set(default_bank_text(), DEFAULT_BANK_FILE)


def parse_question_set(text: str, filename: str) -> QuestionSet:
    """Parse ``text``; raise ``InputFileError`` listing every problem found."""
    reader = Reader(filename)
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        reader.problem(_syntax_line(exc), "yaml_syntax", reason=_syntax_reason(exc))
        raise InputFileError(reader.problems) from None
    if root is None:
        reader.problem(1, "empty_file")
        raise InputFileError(reader.problems)
    if not isinstance(root, yaml.MappingNode):
        reader.problem(line_of(root), "top_not_mapping")
        raise InputFileError(reader.problems)
    qs = _read_root(reader, root)
    if reader.problems or qs is None:
        raise InputFileError(reader.problems)
    return qs


def _syntax_line(exc: yaml.YAMLError) -> int:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return mark.line + 1 if mark is not None else 0


def _syntax_reason(exc: yaml.YAMLError) -> str:
    return str(getattr(exc, "problem", None) or exc).strip()


def _read_root(reader: Reader, root: yaml.MappingNode) -> QuestionSet | None:
    fields = reader.mapping(root, "", required=TOP_KEYS) or {}
    languages = _read_languages(reader, fields["languages"]) if "languages" in fields else None
    key = read_id(reader, fields["set"], "set") if "set" in fields else None
    version = reader.text(fields["version"].node, "version") if "version" in fields else None
    licence = reader.text(fields["licence"].node, "licence") if "licence" in fields else None
    title = None
    if "title" in fields:
        title = reader.localised(fields["title"], "title", languages)
    # A missing or malformed section is reported once; items are then not checked
    # against it, or every item would repeat the same problem.
    scales: dict[str, ScaleDraft] | None = None
    if "scales" in fields:
        scales = read_scales(reader, fields["scales"], languages)
    factors: list[FactorDraft] | None = None
    if "factors" in fields:
        factors = read_factors(reader, fields["factors"], languages)
    items: list[ItemDraft] = []
    if "items" in fields:
        items = read_items(reader, fields["items"], languages)
    built_factors = _check_factors(reader, factors or [])
    built_items = _check_items(reader, items, factors, scales)
    _check_anchors(reader, items, factors or [])
    built_scales = {
        sid: draft.scale for sid, draft in (scales or {}).items() if draft.scale is not None
    }
    if (
        reader.problems
        or key is None
        or version is None
        or licence is None
        or title is None
        or languages is None
        or built_factors is None
        or built_items is None
        or scales is None
        or len(built_scales) != len(scales)
    ):
        return None
    return QuestionSet(
        key=key,
        version_label=version,
        title=title,
        licence=licence,
        languages=languages,
        scales=built_scales,
        factors=built_factors,
        items=built_items,
    )


def _read_languages(reader: Reader, where: Field) -> tuple[str, ...] | None:
    nodes = reader.sequence(where.node, "languages")
    if nodes is None:
        return None
    supported = joined(LOCALES)
    if not nodes:
        reader.problem(where.line, "no_languages", supported=supported)
        return None
    languages: list[str] = []
    broken = False
    for node in nodes:
        lang = reader.text(node, "languages")
        if lang is None:
            broken = True
        elif lang not in LOCALES:
            reader.problem(line_of(node), "unsupported_language", lang=lang, supported=supported)
            broken = True
        elif lang in languages:
            reader.problem(line_of(node), "duplicate_language", lang=lang)
        else:
            languages.append(lang)
    return None if broken else tuple(languages)


def _check_factors(reader: Reader, drafts: Sequence[FactorDraft]) -> tuple[Factor, ...] | None:
    first_line: dict[str, int] = {}
    built: list[Factor] = []
    for draft in drafts:
        if draft.id is not None:
            if draft.id in first_line:
                reader.problem(
                    draft.line,
                    "duplicate_factor",
                    factor=draft.id,
                    first_line=first_line[draft.id],
                )
                continue
            first_line[draft.id] = draft.line
        factor = draft.build()
        if factor is not None:
            built.append(factor)
    return tuple(built) if len(built) == len(drafts) else None


def _check_items(
    reader: Reader,
    items: Sequence[ItemDraft],
    factors: Sequence[FactorDraft] | None,
    scales: dict[str, ScaleDraft] | None,
) -> tuple[Item, ...] | None:
    kinds = {f.id: f.kind for f in factors or () if f.id is not None}
    rejected = {f.raw_id for f in factors or () if f.id is None and f.raw_id is not None}
    first_line: dict[str, int] = {}
    built: list[Item] = []
    for draft in items:
        if draft.id is not None:
            if draft.id in first_line:
                reader.problem(
                    draft.lines["id"],
                    "duplicate_item",
                    item=draft.id,
                    first_line=first_line[draft.id],
                )
            else:
                first_line[draft.id] = draft.lines["id"]
        if (
            factors is not None
            and draft.factor is not None
            and draft.factor not in kinds
            and draft.factor not in rejected
        ):
            reader.problem(
                draft.lines["factor"],
                "item_unknown_factor",
                item=draft.label,
                factor=draft.factor,
                known=joined([str(f) for f in kinds]),
            )
        scale = None
        if draft.scale is not None and scales is not None:
            if draft.scale not in scales:
                reader.problem(
                    draft.lines["scale"],
                    "item_unknown_scale",
                    item=draft.label,
                    scale=draft.scale,
                    known=joined(list(scales)),
                )
            else:
                scale = scales[draft.scale].scale
        _check_sensitive(reader, draft, kinds.get(draft.factor or ""), scale)
        item = _build_item(draft)
        if item is not None:
            built.append(item)
    return tuple(built) if len(built) == len(items) else None


def _check_sensitive(
    reader: Reader, draft: ItemDraft, kind: FactorKind | None, scale: Scale | None
) -> None:
    """A sensitive factor's items are yes/no screening questions, flagged as such."""
    line = draft.lines.get("sensitive", draft.line)
    if kind is FactorKind.SENSITIVE and draft.sensitive is False:
        reader.problem(line, "sensitive_flag_missing", item=draft.label, factor=draft.factor)
    if kind is FactorKind.SCORED and draft.sensitive is True:
        reader.problem(line, "sensitive_flag_wrong", item=draft.label, factor=draft.factor)
    # The factor decides; the flag only when the factor is unknown. A wrong flag is then
    # one problem, not also a wrong-scale problem.
    sensitive = kind is FactorKind.SENSITIVE if kind is not None else bool(draft.sensitive)
    if not sensitive:
        return
    if draft.anchor:
        reader.problem(draft.lines["anchor"], "anchor_on_sensitive", item=draft.label)
    if draft.reverse:
        reader.problem(draft.lines["reverse"], "sensitive_reverse", item=draft.label)
    if scale is not None and scale.points != SENSITIVE_POINTS:
        reader.problem(
            draft.lines["scale"],
            "sensitive_scale",
            item=draft.label,
            scale=scale.id,
            points=scale.points,
        )


def _check_anchors(
    reader: Reader, items: Sequence[ItemDraft], factors: Sequence[FactorDraft]
) -> None:
    """Each scored factor with items has exactly one anchor, so its trend stays comparable."""
    for factor in factors:
        if factor.id is None or factor.kind is not FactorKind.SCORED:
            continue
        own = [item for item in items if item.factor == factor.id]
        anchors = [item for item in own if item.anchor]
        for extra in anchors[1:]:
            reader.problem(
                extra.lines["anchor"],
                "two_anchors",
                item=extra.label,
                factor=factor.id,
                other=anchors[0].label,
                first_line=anchors[0].lines["anchor"],
            )
        if own and not anchors and all(item.anchor is not None for item in own):
            reader.problem(factor.line, "missing_anchor", factor=factor.id, count=len(own))


def _build_item(draft: ItemDraft) -> Item | None:
    if (
        draft.id is None
        or draft.factor is None
        or draft.scale is None
        or draft.anchor is None
        or draft.sensitive is None
        or draft.reverse is None
        or draft.text is None
        or draft.source is None
    ):
        return None
    return Item(
        id=draft.id,
        factor=draft.factor,
        scale=draft.scale,
        anchor=draft.anchor,
        sensitive=draft.sensitive,
        reverse=draft.reverse,
        text=draft.text,
        source=draft.source,
    )

"""Canonical forms of a question set: a JSON-able document, YAML text and a content hash.

The document spells out every default (``anchor: false`` …) so that two files that mean the
same set hash the same, however they were written. Past results keep the hash of the set
that produced them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence

import yaml

from core.questions.model import Factor, Item, Localised, Measure, QuestionSet, Scale


def _ordered(present: Iterable[str], languages: Sequence[str]) -> list[str]:
    """The set's languages first, in its order; anything else after, as found."""
    keys = list(present)
    return [*(lang for lang in languages if lang in keys), *(k for k in keys if k not in languages)]


def _texts(text: Localised, languages: Sequence[str]) -> dict[str, str]:
    return {lang: text[lang] for lang in _ordered(text, languages)}


def _scale(scale: Scale, languages: Sequence[str]) -> dict[str, object]:
    return {
        "points": scale.points,
        "labels": {lang: list(scale.labels[lang]) for lang in _ordered(scale.labels, languages)},
        "prefer_not": _texts(scale.prefer_not, languages),
    }


def _measure(measure: Measure, languages: Sequence[str]) -> dict[str, object]:
    return {
        "level": measure.level.value,
        "type": measure.type.value,
        "text": _texts(measure.text, languages),
    }


def _factor(factor: Factor, languages: Sequence[str]) -> dict[str, object]:
    return {
        "id": factor.id,
        "kind": factor.kind.value,
        "name": _texts(factor.name, languages),
        "explanation": _texts(factor.explanation, languages),
        "low_score": _texts(factor.low_score, languages),
        "discussion": [_texts(question, languages) for question in factor.discussion],
        "measures": [_measure(measure, languages) for measure in factor.measures],
    }


def _item(item: Item, languages: Sequence[str]) -> dict[str, object]:
    return {
        "id": item.id,
        "factor": item.factor,
        "anchor": item.anchor,
        "sensitive": item.sensitive,
        "reverse": item.reverse,
        "scale": item.scale,
        "source": item.source,
        "text": _texts(item.text, languages),
    }


def to_document(qs: QuestionSet) -> dict[str, object]:
    """The set as plain dicts and lists, in the shape of the YAML file."""
    languages = qs.languages
    return {
        "set": qs.key,
        "version": qs.version_label,
        "title": _texts(qs.title, languages),
        "licence": qs.licence,
        "languages": list(languages),
        "scales": {sid: _scale(scale, languages) for sid, scale in qs.scales.items()},
        "factors": [_factor(factor, languages) for factor in qs.factors],
        "items": [_item(item, languages) for item in qs.items],
    }


class _Dumper(yaml.SafeDumper):
    """Indents list entries under their key, as people write them by hand."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _one_line(value: str) -> str:
    return " ".join(value.split())


def dump_yaml(qs: QuestionSet) -> str:
    """Canonical YAML text; ``parse_question_set(dump_yaml(qs), name) == qs``."""
    header = (
        f"# Question set {_one_line(qs.key)}, version {_one_line(qs.version_label)}.\n"
        f"# Licence: {_one_line(qs.licence)}\n"
    )
    body = yaml.dump(
        to_document(qs),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )
    return header + body


def canonical_json(qs: QuestionSet) -> str:
    return json.dumps(to_document(qs), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(qs: QuestionSet) -> str:
    """sha256 (hex) of the canonical JSON: equal sets hash equal, any text change shows."""
    return hashlib.sha256(canonical_json(qs).encode("utf-8")).hexdigest()

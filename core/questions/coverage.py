"""How completely a question set covers the product's factors, per factor.

Rotation needs each scored factor's anchor plus rotating items to vary the pulse; a factor
missing from the set, or missing a language, is shown as incomplete rather than hidden.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from core.i18n import LOCALES
from core.questions.model import (
    KNOWN_FACTORS,
    Factor,
    FactorKind,
    FrozenMap,
    Item,
    Localised,
    QuestionSet,
)

MIN_ROTATING: Final = 2


@dataclass(frozen=True)
class FactorCoverage:
    factor_id: str
    kind: FactorKind
    name: Localised
    items: int
    anchor_id: str | None
    rotating: int
    """Items that are not the anchor."""
    languages: tuple[str, ...]
    """Locales in which the factor's own texts and all its items are written."""
    complete: bool


def _texts_of(factor: Factor, items: tuple[Item, ...]) -> list[Localised]:
    texts: list[Localised] = [factor.name, factor.explanation, factor.low_score]
    texts.extend(factor.discussion)
    texts.extend(measure.text for measure in factor.measures)
    texts.extend(item.text for item in items)
    return texts


def _languages(factor: Factor, items: tuple[Item, ...]) -> tuple[str, ...]:
    if not items:
        return ()
    texts = _texts_of(factor, items)
    return tuple(lang for lang in LOCALES if all(text.get(lang, "").strip() for text in texts))


def _one(qs: QuestionSet, factor_id: str, kind: FactorKind) -> FactorCoverage:
    try:
        factor = qs.factor(factor_id)
    except KeyError:
        return FactorCoverage(factor_id, kind, FrozenMap(), 0, None, 0, (), False)
    items = qs.items_of(factor_id)
    anchors = [item for item in items if item.anchor]
    anchor_id = anchors[0].id if len(anchors) == 1 else None
    rotating = len(items) - len(anchors)
    languages = _languages(factor, items)
    if kind is FactorKind.SCORED:
        enough = len(anchors) == 1 and rotating >= MIN_ROTATING
    else:
        enough = len(items) >= 1
    complete = enough and factor.kind is kind and set(LOCALES) <= set(languages)
    return FactorCoverage(
        factor_id, kind, factor.name, len(items), anchor_id, rotating, languages, complete
    )


def coverage(qs: QuestionSet) -> tuple[FactorCoverage, ...]:
    """One entry per product factor, in the product's order (``KNOWN_FACTORS``)."""
    return tuple(_one(qs, factor_id, kind) for factor_id, kind in KNOWN_FACTORS)

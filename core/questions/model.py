"""The question bank's domain model: factors, scales, items and the set that holds them.

Everything here is immutable and hashable, so a parsed set can be cached, shared between
tasks and used as a key. Text is kept per locale (``Localised``); scale labels run from the
lowest value (1) to the highest (``points``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, TypeVar

K = TypeVar("K")
V = TypeVar("V")

Localised = Mapping[str, str]
"""Text per locale, e.g. ``{"nb": "Ja", "en": "Yes"}``."""


class FrozenMap(Mapping[K, V]):
    """A read-only, hashable mapping that keeps insertion order."""

    __slots__ = ("_data", "_hash")

    def __init__(self, items: Mapping[K, V] | Iterable[tuple[K, V]] = ()) -> None:
        self._data: dict[K, V] = dict(items)
        self._hash: int | None = None

    def __getitem__(self, key: K) -> V:
        return self._data[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(frozenset(self._data.items()))
        return self._hash

    def __repr__(self) -> str:
        return f"FrozenMap({self._data!r})"


def _freeze_text(value: Localised) -> FrozenMap[str, str]:
    return value if isinstance(value, FrozenMap) else FrozenMap(value)


class FactorKind(StrEnum):
    SCORED = "scored"
    SENSITIVE = "sensitive"


class MeasureLevel(StrEnum):
    INDIVIDUAL = "individual"
    TEAM = "team"
    ORGANISATION = "organisation"


class MeasureType(StrEnum):
    PRIMARY = "primary"
    SUPPORTING = "supporting"


KNOWN_FACTORS: Final[tuple[tuple[str, FactorKind], ...]] = (
    ("workload", FactorKind.SCORED),
    ("job_control", FactorKind.SCORED),
    ("role_clarity", FactorKind.SCORED),
    ("leadership", FactorKind.SCORED),
    ("emotional_demands", FactorKind.SCORED),
    ("support", FactorKind.SCORED),
    ("colleagues", FactorKind.SCORED),
    ("recognition", FactorKind.SCORED),
    ("change", FactorKind.SCORED),
    ("psychological_safety", FactorKind.SCORED),
    ("work_life_balance", FactorKind.SCORED),
    ("wellbeing", FactorKind.SCORED),
    ("bullying_harassment", FactorKind.SENSITIVE),
    ("violence_threats", FactorKind.SENSITIVE),
    ("discrimination", FactorKind.SENSITIVE),
    ("strain_from_contact", FactorKind.SENSITIVE),
)
"""The product's factor taxonomy, in display order (see spec/product.md, "Factors")."""


@dataclass(frozen=True)
class Measure:
    """A suggested measure (tiltak). Social events are never ``PRIMARY``."""

    text: Localised
    level: MeasureLevel
    type: MeasureType

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", _freeze_text(self.text))


@dataclass(frozen=True)
class Factor:
    id: str
    kind: FactorKind
    name: Localised
    explanation: Localised
    low_score: Localised
    """What a low score (scored) or a "yes" prevalence (sensitive) may mean; never a diagnosis."""
    discussion: tuple[Localised, ...]
    measures: tuple[Measure, ...]

    def __post_init__(self) -> None:
        for name in ("name", "explanation", "low_score"):
            object.__setattr__(self, name, _freeze_text(getattr(self, name)))
        object.__setattr__(self, "discussion", tuple(_freeze_text(d) for d in self.discussion))
        object.__setattr__(self, "measures", tuple(self.measures))


@dataclass(frozen=True)
class Scale:
    """Answer options, lowest value first. "Prefer not to say" is offered beside them."""

    id: str
    points: int
    labels: Mapping[str, tuple[str, ...]]
    prefer_not: Localised

    def __post_init__(self) -> None:
        labels = FrozenMap((lang, tuple(texts)) for lang, texts in self.labels.items())
        object.__setattr__(self, "labels", labels)
        object.__setattr__(self, "prefer_not", _freeze_text(self.prefer_not))


@dataclass(frozen=True)
class Item:
    """One question.

    ``reverse`` means a higher scale value is worse. Sensitive items are screening questions
    answered on a 2-point scale; their "yes" is the last label and they are never scored.
    """

    id: str
    factor: str
    scale: str
    anchor: bool
    sensitive: bool
    reverse: bool
    text: Localised
    source: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", _freeze_text(self.text))


@dataclass(frozen=True)
class QuestionSet:
    key: str
    version_label: str
    title: Localised
    licence: str
    languages: tuple[str, ...]
    scales: Mapping[str, Scale]
    factors: tuple[Factor, ...]
    items: tuple[Item, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "title", _freeze_text(self.title))
        object.__setattr__(self, "languages", tuple(self.languages))
        if not isinstance(self.scales, FrozenMap):
            object.__setattr__(self, "scales", FrozenMap(self.scales))
        object.__setattr__(self, "factors", tuple(self.factors))
        object.__setattr__(self, "items", tuple(self.items))

    def factor(self, factor_id: str) -> Factor:
        for factor in self.factors:
            if factor.id == factor_id:
                return factor
        raise KeyError(factor_id)

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def scale_of(self, item: Item) -> Scale:
        return self.scales[item.scale]

    def anchor_of(self, factor_id: str) -> Item | None:
        for item in self.items:
            if item.factor == factor_id and item.anchor:
                return item
        return None

    def items_of(self, factor_id: str) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.factor == factor_id)

    def scored_factors(self) -> tuple[Factor, ...]:
        return tuple(f for f in self.factors if f.kind is FactorKind.SCORED)

    def sensitive_items(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.sensitive)

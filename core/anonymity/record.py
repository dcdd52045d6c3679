"""The frozen release of a round and its canonical JSON (rule 1: releases only).

Every view, digest and export is a projection of this record. It holds display strings and
bands only: no exact n, no eligible count, no timestamp (T28). The canonical JSON (sorted keys,
no whitespace, UTF-8) is what is stored and hashed, so recomputing a release proves it unchanged.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final, cast

from core.anonymity.thresholds import Thresholds
from core.errors import TempcheckError

FORMAT: Final = "tempcheck.release/1"


@dataclass(frozen=True)
class CellRelease:
    """One (unit subtree, metric) cell of a release."""

    unit: str
    metric: str
    published: bool
    reason: str | None
    n_band: str | None
    score: str | None
    band: tuple[str, str] | None
    distribution: tuple[tuple[str, str], ...] | None
    prevalence: str | None
    hidden_for_home_units: tuple[str, ...]
    """Viewers (or channels with a member) whose home unit is one of these must not see it."""
    sensitive: bool = False

    @classmethod
    def withheld(cls, unit: str, metric: str, reason: str, *, sensitive: bool) -> CellRelease:
        """A cell that is not published: its reason and nothing else."""
        return cls(unit, metric, False, reason, None, None, None, None, None, (), sensitive)


@dataclass(frozen=True)
class ParticipationRelease:
    unit: str
    published: bool
    reason: str | None
    n_band: str | None
    rate: str | None
    hidden_for_home_units: tuple[str, ...]

    @classmethod
    def withheld(cls, unit: str, reason: str) -> ParticipationRelease:
        return cls(unit, False, reason, None, None, ())


@dataclass(frozen=True)
class CommentRelease:
    """A verbatim comment, shown at ``unit``: the smallest qualifying cell, not the writer's."""

    unit: str
    audience: str
    text: str


@dataclass(frozen=True)
class ThemeCount:
    """How many "themes only" comments a cell received (never their text); "< 3" when few."""

    unit: str
    count: str


@dataclass(frozen=True)
class SegmentRelease:
    segment: str
    metric: str
    sensitive: bool
    published: bool
    reason: str | None
    n_band: str | None
    score: str | None
    band: tuple[str, str] | None
    distribution: tuple[tuple[str, str], ...] | None
    prevalence: str | None

    @classmethod
    def withheld(cls, segment: str, metric: str, reason: str, *, sensitive: bool) -> SegmentRelease:
        return cls(segment, metric, sensitive, False, reason, None, None, None, None, None)


@dataclass(frozen=True)
class Release:
    round_id: str
    thresholds: Thresholds
    cells: tuple[CellRelease, ...]
    participation: tuple[ParticipationRelease, ...]
    comments: tuple[CommentRelease, ...]
    segments: tuple[SegmentRelease, ...] = ()
    theme_counts: tuple[ThemeCount, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "format": FORMAT,
            "round_id": self.round_id,
            "thresholds": self.thresholds.to_dict(),
            "cells": [_cell_dict(c) for c in self.cells],
            "participation": [_participation_dict(p) for p in self.participation],
            "comments": [
                {"unit": c.unit, "audience": c.audience, "text": c.text} for c in self.comments
            ],
            "theme_counts": [{"unit": c.unit, "count": c.count} for c in self.theme_counts],
            "segments": [_segment_dict(s) for s in self.segments],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    @property
    def hash(self) -> str:
        return hashlib.sha256(self.to_json().encode("utf-8")).hexdigest()

    @classmethod
    def from_json(cls, text: str) -> Release:
        try:
            data = json.loads(text)
            if data.get("format") != FORMAT:
                raise TempcheckError(
                    "anonymity.release_corrupt", detail=f"format {data.get('format')!r}"
                )
            return cls(
                round_id=_str(data["round_id"]),
                thresholds=Thresholds.from_dict(data["thresholds"]),
                cells=tuple(_cell(c) for c in data["cells"]),
                participation=tuple(_participation(p) for p in data["participation"]),
                comments=tuple(
                    CommentRelease(_str(c["unit"]), _str(c["audience"]), _str(c["text"]))
                    for c in data["comments"]
                ),
                theme_counts=tuple(
                    ThemeCount(_str(c["unit"]), _str(c["count"])) for c in data["theme_counts"]
                ),
                segments=tuple(_segment(s) for s in data["segments"]),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise TempcheckError("anonymity.release_corrupt", detail=str(error)) from error


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {value!r}")
    return value


def _opt_str(value: object) -> str | None:
    return None if value is None else _str(value)


def _bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected true or false, got {value!r}")
    return value


def _pair(value: object) -> tuple[str, str] | None:
    if value is None:
        return None
    low, high = cast(Sequence[object], value)
    return (_str(low), _str(high))


def _pairs(value: object) -> tuple[tuple[str, str], ...] | None:
    if value is None:
        return None
    return tuple((_str(a), _str(b)) for a, b in cast(Sequence[Sequence[object]], value))


def _strs(value: object) -> tuple[str, ...]:
    return tuple(_str(v) for v in cast(Sequence[object], value))


def _cell_dict(c: CellRelease) -> dict[str, object]:
    return {
        "unit": c.unit,
        "metric": c.metric,
        "sensitive": c.sensitive,
        "published": c.published,
        "reason": c.reason,
        "n_band": c.n_band,
        "score": c.score,
        "band": list(c.band) if c.band else None,
        "distribution": [list(b) for b in c.distribution] if c.distribution else None,
        "prevalence": c.prevalence,
        "hidden_for_home_units": list(c.hidden_for_home_units),
    }


def _cell(d: Mapping[str, object]) -> CellRelease:
    return CellRelease(
        unit=_str(d["unit"]),
        metric=_str(d["metric"]),
        sensitive=_bool(d["sensitive"]),
        published=_bool(d["published"]),
        reason=_opt_str(d["reason"]),
        n_band=_opt_str(d["n_band"]),
        score=_opt_str(d["score"]),
        band=_pair(d["band"]),
        distribution=_pairs(d["distribution"]),
        prevalence=_opt_str(d["prevalence"]),
        hidden_for_home_units=_strs(d["hidden_for_home_units"]),
    )


def _participation_dict(p: ParticipationRelease) -> dict[str, object]:
    return {
        "unit": p.unit,
        "published": p.published,
        "reason": p.reason,
        "n_band": p.n_band,
        "rate": p.rate,
        "hidden_for_home_units": list(p.hidden_for_home_units),
    }


def _participation(d: Mapping[str, object]) -> ParticipationRelease:
    return ParticipationRelease(
        unit=_str(d["unit"]),
        published=_bool(d["published"]),
        reason=_opt_str(d["reason"]),
        n_band=_opt_str(d["n_band"]),
        rate=_opt_str(d["rate"]),
        hidden_for_home_units=_strs(d["hidden_for_home_units"]),
    )


def _segment_dict(s: SegmentRelease) -> dict[str, object]:
    return {
        "segment": s.segment,
        "metric": s.metric,
        "sensitive": s.sensitive,
        "published": s.published,
        "reason": s.reason,
        "n_band": s.n_band,
        "score": s.score,
        "band": list(s.band) if s.band else None,
        "distribution": [list(b) for b in s.distribution] if s.distribution else None,
        "prevalence": s.prevalence,
    }


def _segment(d: Mapping[str, object]) -> SegmentRelease:
    return SegmentRelease(
        segment=_str(d["segment"]),
        metric=_str(d["metric"]),
        sensitive=_bool(d["sensitive"]),
        published=_bool(d["published"]),
        reason=_opt_str(d["reason"]),
        n_band=_opt_str(d["n_band"]),
        score=_opt_str(d["score"]),
        band=_pair(d["band"]),
        distribution=_pairs(d["distribution"]),
        prevalence=_opt_str(d["prevalence"]),
    )

"""Org-level segments (rule 4): T07, T08, the span audit and the ad hoc filter refusal."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from core.anonymity.release import (
    MetricInput,
    Release,
    ReleaseInput,
    SegmentAtom,
    SegmentInput,
    SegmentRelease,
    UnitNode,
    build_release,
)
from core.anonymity.span import smallest_isolated
from core.anonymity.view import ad_hoc_filter, segments_for
from core.errors import TempcheckError

METRIC = "workload"


def _atom(unit: str, segments: Sequence[str], count: int) -> SegmentAtom:
    return SegmentAtom(unit, frozenset(segments), (3,) * count)


def _release(units: Sequence[tuple[str, str | None, int]], atoms: Sequence[SegmentAtom]) -> Release:
    values: dict[str, tuple[int, ...]] = {}
    for atom in atoms:
        values[atom.unit] = values.get(atom.unit, ()) + atom.values
    return build_release(
        ReleaseInput(
            round_id="r",
            units=tuple(UnitNode(u, p) for u, p, _ in units),
            eligible={u: e for u, _, e in units},
            respondents={u: len(values.get(u, ())) for u, _, _ in units},
            metrics=(MetricInput(METRIC, False, values),),
            segments=(SegmentInput(METRIC, tuple(atoms)),),
        )
    )


def _segment(release: Release, name: str) -> SegmentRelease:
    (found,) = [s for s in release.segments if s.segment == name]
    return found


def test_t07_segment_inside_a_team_differing_by_one_is_suppressed() -> None:
    release = _release(
        [("org", None, 25), ("team", "org", 14)],
        [_atom("org", [], 20), _atom("team", ["bergen"], 11), _atom("team", [], 1)],
    )
    assert {c.unit for c in release.cells if c.published} == {"org", "team"}
    bergen = _segment(release, "bergen")
    assert not bergen.published and bergen.reason == "overlap"
    assert bergen.n_band is None and bergen.score is None
    assert segments_for(release, sensitive_allowed=True) == ()


def test_t07_ad_hoc_filters_are_rejected() -> None:
    with pytest.raises(TempcheckError) as caught:
        ad_hoc_filter(location="bergen", since="2026-01-01")
    assert caught.value.key == "anonymity.ad_hoc_filter"
    assert caught.value.render("nb") != caught.value.render("en")


def test_t08_overlapping_segments_ten_and_twelve_sharing_nine() -> None:
    release = _release(
        [("org", None, 40)],
        [
            _atom("org", ["a", "b"], 9),
            _atom("org", ["a"], 1),
            _atom("org", ["b"], 3),
            _atom("org", [], 17),
        ],
    )
    a, b = _segment(release, "a"), _segment(release, "b")
    assert (a.published, a.reason) == (False, "overlap")  # the smaller one goes
    assert b.published and b.n_band == "10-19"
    # span audit on what is published: org (30) and b (12)
    sizes = [9, 1, 3, 17]
    org, seg_b = frozenset(range(4)), frozenset({0, 2})
    assert smallest_isolated(sizes, [org, seg_b], 5) is None
    # and the audit does find a set when there is one: org minus (everyone but atom 1)
    assert smallest_isolated(sizes, [org, seg_b, frozenset({0, 2, 3})], 5) == (1,)


def test_segment_needs_ten() -> None:
    release = _release(
        [("org", None, 40)],
        [_atom("org", ["small"], 9), _atom("org", ["big"], 10), _atom("org", [], 15)],
    )
    assert _segment(release, "small").reason == "too_few_respondents"
    assert _segment(release, "big").published


def test_span_audit_catches_what_pairwise_checks_miss() -> None:
    # a = x+y, b = y+z, c = z+x, org = x+y+z+w: org - (a+b+c)/2 = w, two people.
    release = _release(
        [("org", None, 30)],
        [
            _atom("org", ["a", "c"], 6),  # x
            _atom("org", ["a", "b"], 6),  # y
            _atom("org", ["b", "c"], 6),  # z
            _atom("org", [], 2),  # w
        ],
    )
    assert _segment(release, "a").reason == "span_audit"
    assert _segment(release, "b").published and _segment(release, "c").published


def test_segment_atoms_must_match_the_answers() -> None:
    with pytest.raises(TempcheckError) as caught:
        build_release(
            ReleaseInput(
                round_id="r",
                units=(UnitNode("org", None),),
                eligible={"org": 20},
                respondents={"org": 12},
                metrics=(MetricInput(METRIC, False, {"org": (3,) * 12}),),
                segments=(SegmentInput(METRIC, (_atom("org", ["a"], 11),)),),
            )
        )
    assert caught.value.key == "anonymity.segment_mismatch"


def test_sensitive_segments_need_k_sensitive_and_show_only_prevalence() -> None:
    yes, no = (2,), (1,)
    atoms = (
        SegmentAtom("org", frozenset({"night"}), yes * 4 + no * 18),
        SegmentAtom("org", frozenset({"day"}), yes * 1 + no * 14),
        SegmentAtom("org", frozenset(), no * 10),
    )
    values = tuple(v for a in atoms for v in a.values)
    release = build_release(
        ReleaseInput(
            round_id="r",
            units=(UnitNode("org", None),),
            eligible={"org": 60},
            respondents={"org": len(values)},
            metrics=(MetricInput("bullying", True, {"org": values}),),
            segments=(SegmentInput("bullying", atoms),),
        )
    )
    night, day = _segment(release, "night"), _segment(release, "day")
    assert night.published and night.prevalence == "20 %" and night.score is None
    assert (day.published, day.reason) == (False, "too_few_respondents")
    assert segments_for(release, sensitive_allowed=False) == ()
    assert segments_for(release, sensitive_allowed=True) == (night,)

"""The frozen release: T28 (no exact n), canonical JSON, stable hash, round trip."""

from __future__ import annotations

import json
import re

import pytest

from core.anonymity.release import (
    CommentInput,
    MetricInput,
    Release,
    ReleaseInput,
    SegmentAtom,
    SegmentInput,
    UnitNode,
    build_release,
)
from core.anonymity.thresholds import Thresholds
from core.errors import TempcheckError

EXACT_NS = (7, 13, 23)


def _input(*, reverse: bool = False) -> ReleaseInput:
    # org has 3 direct answers; dept holds alpha (7) and beta (13): dept 20, org 23.
    values = {
        "org": (2, 3, 4),
        "dept": (),
        "alpha": (1, 2, 2, 3, 4, 5, 5),
        "beta": (1, 1, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5),
    }
    units = [
        UnitNode("org", None),
        UnitNode("dept", "org"),
        UnitNode("alpha", "dept"),
        UnitNode("beta", "dept"),
    ]
    comments = [CommentInput("beta", "leader", f"kommentar {c}") for c in "abcdef"]
    comments += [CommentInput("alpha", "hr_verneombud", "til verneombudet")]
    atoms = [
        SegmentAtom("beta", frozenset({"oslo"}), values["beta"]),
        SegmentAtom("alpha", frozenset(), values["alpha"]),
        SegmentAtom("org", frozenset(), values["org"]),
    ]
    if reverse:
        units.reverse()
        comments.reverse()
        atoms.reverse()
        values = dict(reversed(values.items()))
    return ReleaseInput(
        round_id="2026-w48",
        units=tuple(units),
        eligible={"org": 4, "dept": 0, "alpha": 8, "beta": 15},
        respondents={u: len(v) for u, v in values.items()},
        metrics=(
            MetricInput("workload", False, values),
            MetricInput("leadership", False, {u: tuple(reversed(v)) for u, v in values.items()}),
        ),
        comments=tuple(comments),
        segments=(SegmentInput("workload", tuple(atoms)),),
        thresholds=Thresholds(),
    )


def _walk(value: object, path: str = "") -> list[tuple[str, object]]:
    if isinstance(value, dict):
        return [item for k, v in value.items() for item in _walk(v, f"{path}/{k}")]
    if isinstance(value, list):
        return [item for v in value for item in _walk(v, path)]
    return [(path, value)]


def test_t28_release_holds_no_exact_n() -> None:
    release = build_release(_input())
    published = {(c.unit, c.metric) for c in release.cells if c.published}
    assert ("beta", "workload") in published and ("org", "workload") in published
    data = json.loads(release.to_json())
    leaves = _walk(data)
    keys = {path.rsplit("/", 1)[-1] for path, _ in leaves}
    assert not keys & {"n", "count_exact", "eligible", "respondents", "answers"}
    for path, value in leaves:
        if path.startswith("/thresholds/"):
            continue
        assert not isinstance(value, int) or isinstance(value, bool), (path, value)
        if isinstance(value, str) and not path.endswith(("/text", "/unit", "/metric")):
            for n in EXACT_NS:
                assert not re.search(rf"(?<!\d){n}(?!\d)", value), (path, value)


def test_release_is_deterministic_and_independent_of_input_order() -> None:
    first = build_release(_input())
    second = build_release(_input())
    reordered = build_release(_input(reverse=True))
    assert first.to_json() == second.to_json() == reordered.to_json()
    assert first.hash == reordered.hash
    assert re.fullmatch(r"[0-9a-f]{64}", first.hash)


def test_release_json_is_canonical_and_round_trips() -> None:
    release = build_release(_input())
    text = release.to_json()
    assert text == json.dumps(
        json.loads(text), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    assert "kommentar" in text and "\\u" not in text
    again = Release.from_json(text)
    assert again == release
    assert again.hash == release.hash


def test_a_different_input_gives_a_different_hash() -> None:
    base = _input()
    changed = ReleaseInput(
        round_id=base.round_id,
        units=base.units,
        eligible=base.eligible,
        respondents=base.respondents,
        metrics=base.metrics[:1],
        comments=base.comments,
        segments=base.segments,
    )
    assert build_release(changed).hash != build_release(base).hash


def test_corrupt_release_json_is_rejected() -> None:
    with pytest.raises(TempcheckError) as caught:
        Release.from_json('{"format": "tempcheck.release/1", "round_id": 3}')
    assert caught.value.key == "anonymity.release_corrupt"
    with pytest.raises(TempcheckError):
        Release.from_json("not json")


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"eligible": {"nowhere": 3}}, "anonymity.unknown_unit"),
        ({"eligible": {"org": -1}}, "anonymity.negative_count"),
        ({"respondents": {"org": 5}}, "anonymity.respondents_exceed_eligible"),
        ({"units": (UnitNode("org", None), UnitNode("x", "y"))}, "anonymity.unknown_parent"),
        ({"units": (UnitNode("a", None), UnitNode("b", None))}, "anonymity.several_roots"),
        ({"units": (UnitNode("a", "b"), UnitNode("b", "a"))}, "anonymity.no_root"),
        ({"metrics": (MetricInput("w", False, {"org": (6,)}),)}, "anonymity.value_out_of_range"),
        ({"metrics": (MetricInput("w", True, {"org": (3,)}),)}, "anonymity.value_out_of_range"),
        (
            {"metrics": (MetricInput("w", False, {"org": (3, 3)}),)},
            "anonymity.answers_exceed_respondents",
        ),
        ({"comments": (CommentInput("org", "everyone", "x"),)}, "anonymity.unknown_audience"),
        ({"comments": (CommentInput("org", "leader", "x"),) * 2}, "anonymity.too_many_comments"),
        ({"segments": (SegmentInput("nope", ()),)}, "anonymity.unknown_metric"),
        ({"segments": (SegmentInput("w", ()),)}, "anonymity.segment_mismatch"),
    ],
)
def test_inconsistent_input_is_rejected(change: dict[str, object], key: str) -> None:
    fields: dict[str, object] = {
        "round_id": "r",
        "units": (UnitNode("org", None),),
        "eligible": {"org": 2},
        "respondents": {"org": 1},
        "metrics": (MetricInput("w", False, {"org": (3,)}),),
    }
    fields.update(change)
    with pytest.raises(TempcheckError) as caught:
        build_release(ReleaseInput(**fields))  # type: ignore[arg-type]
    assert caught.value.key == key
    assert caught.value.render("en") and caught.value.render("nb")


def test_thresholds_below_floor_stop_the_build() -> None:
    inp = ReleaseInput("r", (UnitNode("org", None),), {}, {}, (), thresholds=Thresholds(k_resp=3))
    with pytest.raises(TempcheckError) as caught:
        build_release(inp)
    assert caught.value.key == "anonymity.below_floor"

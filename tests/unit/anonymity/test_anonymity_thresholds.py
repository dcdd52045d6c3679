"""Thresholds: floors, raise-only changes and serialisation (T16, engine part)."""

from __future__ import annotations

import json

import pytest

from core import thresholds as legacy
from core.anonymity.thresholds import Thresholds
from core.errors import TempcheckError


def test_defaults_match_privacy_md_and_legacy_names() -> None:
    t = Thresholds()
    t.validate()
    assert (t.k_resp, t.member_view, t.k_eligible) == (5, 6, 6)
    assert (t.k_comment, t.k_dist, t.k_sensitive, t.min_count) == (10, 10, 20, 3)
    assert t.key_shred_grace_days == 7
    assert (legacy.K_RESP, legacy.K_ELIGIBLE, legacy.K_COMMENT) == (5, 6, 10)
    assert (legacy.K_DIST, legacy.K_SENSITIVE, legacy.MIN_COUNT) == (10, 20, 3)


@pytest.mark.parametrize(
    ("changes", "setting", "floor"),
    [
        ({"k_resp": 4}, "k_resp", 5),
        ({"k_member_view": 5}, "k_member_view", 6),
        # the floors of k_member_view and k_eligible move up with k_resp
        ({"k_resp": 6}, "k_eligible", 7),
        ({"k_resp": 6, "k_eligible": 7, "k_member_view": 6}, "k_member_view", 7),
        ({"k_eligible": 5}, "k_eligible", 6),
        ({"k_comment": 9}, "k_comment", 10),
        ({"k_dist": 9}, "k_dist", 10),
        ({"k_sensitive": 19}, "k_sensitive", 20),
        ({"min_count": 2}, "min_count", 3),
        ({"key_shred_grace_days": 0}, "key_shred_grace_days", 1),
    ],
)
def test_t16_values_below_a_floor_are_rejected(
    changes: dict[str, int], setting: str, floor: int
) -> None:
    with pytest.raises(TempcheckError) as caught:
        Thresholds(**changes).validate()
    assert caught.value.key == "anonymity.below_floor"
    assert caught.value.params["setting"] == setting
    assert caught.value.params["floor"] == floor
    assert str(floor) in caught.value.render("en") and str(floor) in caught.value.render("nb")


def test_t16_non_integers_are_rejected() -> None:
    with pytest.raises(TempcheckError) as caught:
        Thresholds(k_resp=True).validate()
    assert caught.value.key == "anonymity.not_an_integer"


def test_t16_lowering_is_rejected_even_above_the_floor() -> None:
    old = Thresholds(k_resp=6, k_eligible=7)
    with pytest.raises(TempcheckError) as caught:
        old.check_change(Thresholds(k_resp=5, k_eligible=7))
    assert caught.value.key == "anonymity.lowering_rejected"
    assert caught.value.params == {"setting": "k_resp", "old": 6, "new": 5}
    assert "6" in caught.value.render("nb")


def test_t16_lowering_the_derived_member_view_is_rejected() -> None:
    old = Thresholds(k_member_view=8)
    with pytest.raises(TempcheckError) as caught:
        old.check_change(Thresholds())
    assert caught.value.params["setting"] == "k_member_view"


def test_t16_raising_is_allowed() -> None:
    old = Thresholds()
    old.check_change(Thresholds(k_resp=7, k_eligible=8, k_comment=12, key_shred_grace_days=14))
    old.check_change(old)


def test_change_to_below_floor_reports_the_floor() -> None:
    with pytest.raises(TempcheckError) as caught:
        Thresholds().check_change(Thresholds(k_dist=3))
    assert caught.value.key == "anonymity.below_floor"


def test_to_dict_is_json_in_stable_order_and_round_trips() -> None:
    t = Thresholds(k_resp=6, k_eligible=8, k_member_view=9)
    data = t.to_dict()
    assert list(data) == [
        "k_resp",
        "k_member_view",
        "k_eligible",
        "k_comment",
        "k_dist",
        "k_sensitive",
        "min_count",
        "key_shred_grace_days",
    ]
    assert Thresholds.from_dict(json.loads(json.dumps(data))) == t
    assert Thresholds.from_dict({}) == Thresholds()


def test_from_dict_rejects_unknown_and_invalid_settings() -> None:
    with pytest.raises(TempcheckError) as caught:
        Thresholds.from_dict({"k_resp": 5, "k_anon": 3})
    assert caught.value.key == "anonymity.unknown_setting"
    with pytest.raises(TempcheckError) as caught:
        Thresholds.from_dict({"k_resp": "5"})
    assert caught.value.key == "anonymity.not_an_integer"
    with pytest.raises(TempcheckError) as caught:
        Thresholds.from_dict({"k_resp": 3})
    assert caught.value.key == "anonymity.below_floor"


def test_key_grace_may_be_shortened_but_not_below_one_day() -> None:
    Thresholds().check_change(Thresholds(key_shred_grace_days=2))
    with pytest.raises(TempcheckError) as caught:
        Thresholds().check_change(Thresholds(key_shred_grace_days=0))
    assert caught.value.key == "anonymity.below_floor"

"""Sensitive items (rule 10): T22, engine part."""

from __future__ import annotations

from core.anonymity.release import MetricInput, ReleaseInput, UnitNode, build_release
from core.anonymity.view import view_for
from tests.unit.anonymity.builders import cell, org_input

BULLYING = "bullying"
NO, YES = 1, 2


def _release(org_direct: int) -> ReleaseInput:
    unit = (YES,) + (NO,) * 7
    return org_input(
        [("org", None, org_direct + 5, (NO,) * org_direct), ("unit8", "org", 8, unit)],
        sensitive=True,
        metric=BULLYING,
    )


def test_t22_one_yes_in_a_unit_of_eight_org_fifteen_then_twenty_five() -> None:
    at_15 = build_release(_release(7))
    assert not cell(at_15, "unit8", BULLYING).published
    assert cell(at_15, "unit8", BULLYING).reason == "too_few_eligible"  # not a large unit
    assert cell(at_15, "org", BULLYING).reason == "too_few_respondents"
    assert all(c.prevalence is None for c in at_15.cells)

    at_25 = build_release(_release(17))
    org = cell(at_25, "org", BULLYING)
    assert org.published and org.prevalence == "< 3"
    assert org.score is None and org.distribution is None and org.band is None
    assert not cell(at_25, "unit8", BULLYING).published
    # line managers never see sensitive cells, whatever the numbers
    for home in ("org", "unit8"):
        assert view_for(at_25, frozenset({home}), sensitive_allowed=False) == ()
    assert view_for(at_25, frozenset({"org"}), sensitive_allowed=True) == (org,)


def test_sensitive_prevalence_needs_a_large_unit_and_k_sensitive_residuals() -> None:
    values = {
        "org": (NO,) * 4,
        "big": (YES,) * 5 + (NO,) * 16,
        "small": (NO,) * 6,
    }
    inp = ReleaseInput(
        round_id="r",
        units=(UnitNode("org", None), UnitNode("big", "org"), UnitNode("small", "org")),
        eligible={"org": 4, "big": 22, "small": 8},
        respondents={u: len(v) for u, v in values.items()},
        metrics=(MetricInput(BULLYING, True, values),),
    )
    release = build_release(inp)
    # big has 21 answers and 22 eligible; but org - big = 10 people, under K_SENSITIVE, so
    # showing both prevalences would give the prevalence of those 10: big gives way.
    assert cell(release, "big", BULLYING).reason == "complementary"
    assert cell(release, "small", BULLYING).reason == "too_few_eligible"
    assert cell(release, "org", BULLYING).prevalence == "20 %"  # 5 of 31

"""The change-flag rule on simulated rounds built by the real release engine (issue 7).

Fixed seed, so the figures are reproducible; the larger run behind docs/results.md is
``python -m tests.unit.results.simulation``.
"""

from __future__ import annotations

from tests.unit.results.simulation import FACTORS, SIZES, detections, false_alarms


def test_false_alarms_stay_at_or_below_5_percent_per_factor_and_team_size() -> None:
    rates = false_alarms(orgs=6, rounds=22)
    assert set(rates) == {(f, s) for f in FACTORS for s in SIZES}
    for (factor, size), r in rates.items():
        assert r.chances >= 100, (factor, size)
        assert r.rate <= 0.05, f"{factor} at size {size}: {r.flags}/{r.chances}"


def test_a_20_point_drop_is_flagged_at_least_60_percent_of_the_time_at_size_8() -> None:
    found, sustained = detections(reps=400, size=8)
    assert found.chances == 800
    assert found.rate >= 0.60, f"{found.flags}/{found.chances}"
    # A step change stays flagged against the same baseline in about half the cases.
    assert sustained.rate >= 0.3, f"{sustained.flags}/{sustained.chances}"

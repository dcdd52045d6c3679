"""T12 and T17 at the level of scores, flags, digest rows and the org overview (issue 7)."""

from __future__ import annotations

import dataclasses
import json
import re

from core.anonymity.coarsen import N_BAND_TOP, N_BANDS
from core.anonymity.release import MetricInput, Release, ReleaseInput, UnitNode, build_release
from core.overview import factor_rows, org_overview
from core.trend import factor_series

N_LABELS = {label for _, label in N_BANDS} | {N_BAND_TOP}
RATE = re.compile(r"^(0 %|< 10 %|[1-8]0 %|≥ 90 %)$")


def team_round(round_id: str, values: tuple[int, ...], eligible: int = 12) -> Release:
    return build_release(
        ReleaseInput(
            round_id=round_id,
            units=(UnitNode("team", None),),
            eligible={"team": eligible},
            respondents={"team": len(values)},
            metrics=(MetricInput("workload", False, {"team": values}),),
        )
    )


ROUNDS = [team_round("w1", (4,) * 9), team_round("w2", (4, 5) * 4), team_round("w3", (4,) * 10)]
SUPPRESSED = team_round("w4", (1, 1, 1))


def test_T12_a_suppressed_round_is_a_gap_and_changes_nothing_before_it() -> None:
    before = factor_series(ROUNDS, "team", "workload")
    after = factor_series([*ROUNDS, SUPPRESSED], "team", "workload")
    assert after[:3] == before  # scores, bands, standard errors and flags alike
    gap = after[3]
    assert gap.point.score is None and gap.point.band is None and gap.point.n_band is None
    assert gap.point.reason == "too_few_respondents"
    assert gap.observation is None and gap.flag is None
    # Neither does a later, published round: every point uses the history up to itself only.
    later = factor_series([*ROUNDS, SUPPRESSED, team_round("w5", (1,) * 10)], "team", "workload")
    assert later[:4] == after
    (row,) = factor_rows([*ROUNDS, SUPPRESSED], "team")
    assert row.score is None and row.reason_key == "anonymity.reason.too_few_respondents"
    assert [p.score for p in row.trend] == ["75", "≥ 90", "75", None]


def test_T12_the_overview_of_a_suppressed_round_holds_no_value() -> None:
    view = org_overview(SUPPRESSED)
    (cell,) = view.cells
    assert (cell.score, cell.band, cell.n_band) == (None, None, None)
    (part,) = view.participation
    assert part.n_band is None and part.rate is None


def _strings(value: object) -> list[str]:
    text = json.dumps(dataclasses.asdict(value), ensure_ascii=False, default=str)  # type: ignore[call-overload]
    return re.findall(r'"([^"]*)"', text)


def test_T17_digest_rows_and_overview_show_bands_only_and_no_person() -> None:
    history = [*ROUNDS, SUPPRESSED, team_round("w5", (3,) * 7 + (2,) * 6, eligible=14)]
    rows = factor_rows(history, "team")
    view = org_overview(history[-1])
    for row in rows:
        for point in row.trend:
            assert point.n_band is None or point.n_band in N_LABELS
            assert point.participation_band is None or point.participation_band in N_LABELS
            assert point.participation_rate is None or RATE.match(point.participation_rate)
        fields = {f.name for f in dataclasses.fields(row)}
        assert not fields & {"n", "respondents", "eligible", "members", "answered"}
    for part in view.participation:
        assert part.n_band in N_LABELS and part.rate is not None and RATE.match(part.rate)
    # No exact count of this history (9, 8, 10, 3, 13 respondents; 12, 14 eligible) is in
    # either structure as a value.
    values = [s for r in rows for s in _strings(r)] + _strings(view)
    for exact in ("9", "8", "10", "3", "13", "12", "14"):
        assert exact not in values

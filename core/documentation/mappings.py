"""Section "mappings": the rounds opened in the period — dates, method, question set,
participation bands and released aggregates only.

Values come from ``core.overview.org_overview`` over the frozen release with the
whole-organisation scope: a withheld cell carries its reason and nothing else, so nothing
below a threshold can reach the document. Comments are never part of it. An organisation
with fewer eligible people than K_ELIGIBLE has no rounds at all (nothing could be reported):
the section says so instead.
"""

from __future__ import annotations

from core.anonymity.release import Release
from core.documentation.loaded import Loaded
from core.overview import org_overview
from core.rounds import Round, RoundStatus

TOO_FEW_TO_REPORT = "docs.mappings.too_few_to_report"
NOT_RELEASED = "docs.mappings.not_released"


def released_results(data: Loaded, release: Release) -> dict[str, object]:
    """What the release publishes, as the whole organisation's overview shows it."""
    view = org_overview(release)
    cells = [
        {
            "factor": c.factor,
            "unit": data.unit_path(c.unit),
            "score": c.score,
            "band": list(c.band) if c.band else None,
            "n_band": c.n_band,
            "reason": c.reason_key,
        }
        for c in view.cells
    ]
    return {
        "participation": [
            {
                "unit": data.unit_path(p.unit),
                "n_band": p.n_band,
                "rate": p.rate,
                "reason": p.reason_key,
            }
            for p in view.participation
        ],
        "results": cells,
        "prevalence": [
            {
                "metric": p.metric,
                "unit": data.unit_path(p.unit),
                "prevalence": p.prevalence,
                "n_band": p.n_band,
            }
            for p in view.prevalence
        ],
        "reportable": any(c["score"] is not None for c in cells),
    }


def _round(data: Loaded, found: Round) -> dict[str, object]:
    qs = data.set_by_id().get(found.question_set_id)
    entry: dict[str, object] = {
        "round": found.id,
        "unit": data.unit_path(found.unit_id),
        "period": found.period,
        "method": "pulse",
        "status": found.status.value,
        "opened": data.period.local_day(found.opened_at).isoformat(),
        "closed": data.period.local_day(found.closed_at).isoformat() if found.closed_at else None,
        "released": (
            data.period.local_day(found.released_at).isoformat() if found.released_at else None
        ),
        "question_set": {"key": qs.key, "version": qs.version} if qs else None,
        "factors": sorted({i.factor for i in found.items}),
        "thresholds": found.thresholds.effective(),
    }
    stored = data.releases.get(found.id)
    if found.status is RoundStatus.RELEASED and stored is not None:
        entry["release_hash"] = stored[0]
        entry.update(released_results(data, stored[1]))
    else:
        entry.update({"participation": [], "results": [], "prevalence": [], "reportable": False})
        entry["note"] = NOT_RELEASED
    return entry


def mappings(data: Loaded) -> dict[str, object]:
    people = len(data.org.active_members())
    too_small = people < data.thresholds.k_eligible
    return {
        "rounds": [_round(data, r) for r in data.rounds],
        "note": TOO_FEW_TO_REPORT if too_small and not data.rounds else None,
        "k_eligible": data.thresholds.k_eligible,
        "k_resp": data.thresholds.k_resp,
    }

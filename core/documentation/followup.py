"""Sections "risk_assessments", "measures" and "consultations" from the follow-up records.

Evidence that is a released cell is shown as the release shows it to the whole organisation
(a value, or the reason it is withheld), read from the frozen release, never copied. People
who were consulted are given by the role they were consulted as; assessors and measure owners
are named, because they answer for the assessment or the measure.
"""

from __future__ import annotations

from core.documentation.loaded import Loaded
from core.followup import Assessment, ConsultationSubject, Evidence, EvidenceSource, Measure
from core.overview import org_overview
from core.wheel.followup import person

NO_CELL = "docs.evidence.no_cell"


def _cell(data: Loaded, ev: Evidence) -> dict[str, object]:
    stored = data.releases.get(ev.round_id) if ev.round_id is not None else None
    if stored is None:
        return {"score": None, "band": None, "n_band": None, "reason": NO_CELL}
    view = org_overview(stored[1])
    found = next(
        (c for c in view.cells if c.factor == ev.factor and c.unit == str(ev.unit_id)), None
    )
    if found is None:
        return {"score": None, "band": None, "n_band": None, "reason": NO_CELL}
    return {
        "score": found.score,
        "band": list(found.band) if found.band else None,
        "n_band": found.n_band,
        "reason": found.reason_key,
    }


def _evidence(data: Loaded, ids: tuple[int, ...]) -> list[dict[str, object]]:
    by_id = {e.id: e for e in data.evidence}
    out = []
    for ev in (by_id[i] for i in ids if i in by_id):
        entry: dict[str, object] = {
            "id": ev.id,
            "source": ev.source.value,
            "factor": ev.factor,
            "unit": data.unit_path(ev.unit_id),
            "observed_on": ev.observed_on.isoformat(),
            "text": ev.text,
        }
        if ev.source is EvidenceSource.RELEASED_CELL:
            entry["round"] = ev.round_id
            entry["cell"] = _cell(data, ev)
        out.append(entry)
    return out


def _in_force(data: Loaded, a: Assessment) -> bool:
    return a.assessed_on <= data.period.end and a.next_review >= data.period.start


def risk_assessments(data: Loaded) -> list[dict[str, object]]:
    consulted: dict[int, list[int]] = {}
    for c in data.consultations:
        if c.subject is ConsultationSubject.ASSESSMENT and c.subject_id is not None:
            consulted.setdefault(c.subject_id, []).append(c.id)
    return [
        {
            "id": a.id,
            "unit": data.unit_path(a.unit_id),
            "factor": a.factor,
            "description": a.description,
            "likelihood": a.likelihood,
            "consequence": a.consequence,
            "risk": a.risk,
            "level": a.level.value,
            "controls": a.controls,
            "evidence": _evidence(data, a.evidence_ids),
            "assessor": person(data.org, a.assessor_id),
            "assessed_on": a.assessed_on.isoformat(),
            "next_review": a.next_review.isoformat(),
            "status": a.status.value,
            "consultations": consulted.get(a.id, []),
        }
        for a in sorted(data.assessments, key=lambda a: (a.assessed_on, a.id))
        if _in_force(data, a)
    ]


def _active(data: Loaded, m: Measure) -> bool:
    return m.start_on <= data.period.end and (
        m.completed_on is None or m.completed_on >= data.period.start
    )


def measures(data: Loaded) -> list[dict[str, object]]:
    as_of = min(data.period.end, data.period.today)
    return [
        {
            "id": m.id,
            "title": m.title,
            "factors": list(m.factors),
            "unit": data.unit_path(m.unit_id),
            "assessment": m.assessment_id,
            "root_cause": m.root_cause,
            "level": m.level.value,
            "owner": person(data.org, m.owner_id),
            "participants": len(m.participants),
            "start_on": m.start_on.isoformat(),
            "due_on": m.due_on.isoformat(),
            "follow_up_on": m.follow_up_on.isoformat() if m.follow_up_on else None,
            "completed_on": m.completed_on.isoformat() if m.completed_on else None,
            "status": m.status.value,
            "overdue": m.status.open and m.due_on < as_of,
            "expected_effect": m.expected_effect,
        }
        for m in sorted(data.measures, key=lambda m: (m.start_on, m.id))
        if _active(data, m)
    ]


def consultations(data: Loaded) -> list[dict[str, object]]:
    return [
        {
            "id": c.id,
            "consulted_on": c.consulted_on.isoformat(),
            "subject": c.subject.value,
            "subject_id": c.subject_id,
            "unit": data.unit_path(c.unit_id),
            "consulted_as": c.consulted_as.value,
            "position": c.position.value,
            "comment": c.comment,
        }
        for c in sorted(data.consultations, key=lambda c: (c.consulted_on, c.id))
        if data.period.holds(c.consulted_on)
    ]

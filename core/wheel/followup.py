"""Wheel entries that follow from the follow-up records: each risk assessment made (and its
next review), each measure's due date and follow-up date. Cancelled measures drop out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from core.followup import Assessment, AssessmentStatus, Measure, MeasureStatus
from core.organisation import Organisation
from core.wheel.model import Source, Status, WheelEntry, WheelKind


def person(org: Organisation, member_id: int) -> str:
    """Owners of assessments and measures are named: they are accountable for them."""
    found = next((m for m in org.members if m.id == member_id), None)
    return found.name if found else f"#{member_id}"


def _entry(
    uid: str,
    kind: WheelKind,
    day: date,
    owner: str,
    title: str,
    unit: str | None,
    source: Source,
    status: Status,
) -> WheelEntry:
    return WheelEntry(uid, kind, day, day, owner, title, unit, source, status)


def _assessment_entries(
    tenant: str, org: Organisation, a: Assessment, start: date, end: date
) -> list[WheelEntry]:
    unit = org.unit_by_id().get(a.unit_id)
    path = unit.path if unit else None
    owner = person(org, a.assessor_id)
    done = Status.HELD if a.status is AssessmentStatus.COMPLETED else Status.PLANNED
    out = []
    if start <= a.assessed_on <= end:
        uid = f"assessment-{tenant}-{a.id}@tempcheck"
        out.append(
            _entry(
                uid,
                WheelKind.RISK_REVIEW,
                a.assessed_on,
                owner,
                a.factor,
                path,
                Source.ASSESSMENT,
                done,
            )
        )
    if start <= a.next_review <= end:
        uid = f"assessment-{tenant}-{a.id}-review@tempcheck"
        out.append(
            _entry(
                uid,
                WheelKind.RISK_REVIEW,
                a.next_review,
                owner,
                a.factor,
                path,
                Source.ASSESSMENT,
                Status.PLANNED,
            )
        )
    return out


def _measure_entries(
    tenant: str, org: Organisation, m: Measure, start: date, end: date
) -> list[WheelEntry]:
    if m.status is MeasureStatus.CANCELLED:
        return []
    unit = org.unit_by_id().get(m.unit_id)
    path = unit.path if unit else None
    owner = person(org, m.owner_id)
    status = Status.HELD if m.status is MeasureStatus.DONE else Status.PLANNED
    out = []
    for suffix, day in (("due", m.due_on), ("follow-up", m.follow_up_on)):
        if day is not None and start <= day <= end:
            uid = f"measure-{tenant}-{m.id}-{suffix}@tempcheck"
            out.append(
                _entry(
                    uid, WheelKind.MEASURE_REVIEW, day, owner, m.title, path, Source.MEASURE, status
                )
            )
    return out


def followup_entries(
    tenant: str,
    org: Organisation,
    assessments: Sequence[Assessment],
    measures: Sequence[Measure],
    start: date,
    end: date,
) -> list[WheelEntry]:
    out: list[WheelEntry] = []
    for a in assessments:
        out += _assessment_entries(tenant, org, a, start, end)
    for m in measures:
        out += _measure_entries(tenant, org, m, start, end)
    return out

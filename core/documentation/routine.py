"""Section "routine": how the organisation maps the psychosocial work environment, generated
from the settings — methods, question sets (versions and factors), cadence, anonymity
thresholds and roles. Roles are given by role and scope with the number of holders, never by
name: who holds a role is in the organisation register, and the routine does not need it."""

from __future__ import annotations

from collections import Counter
from typing import Final

from core.anonymity.thresholds import Thresholds
from core.cadence import Cadence, resolve_cadence
from core.documentation.loaded import Loaded
from core.organisation import SCOPED_ROLES, Organisation, Role
from core.rotation import DEFAULT_CYCLE_LENGTH
from core.wheel import WheelKind

#: Size classes that decide duties: a verneombud from 10 people (aml. § 6-1), AMU from 50
#: (aml. § 7-1). The routine needs the duty, not the headcount.
SIZE_CLASSES: Final = ((6, "under_6"), (10, "6_9"), (50, "10_49"))
SIZE_TOP: Final = "50_plus"
#: Wheel kinds that are a way of mapping, besides pulses.
MAPPING_METHODS: Final = (WheelKind.FULL_SURVEY, WheelKind.SAFETY_ROUND)


def size_class(people: int) -> str:
    for upper, label in SIZE_CLASSES:
        if people < upper:
            return label
    return SIZE_TOP


def _methods(data: Loaded) -> list[str]:
    methods = []
    kinds = {e.kind for e in data.wheel.entries}
    if WheelKind.PULSE in kinds or data.rounds:
        methods.append(WheelKind.PULSE.value)
    methods += [k.value for k in MAPPING_METHODS if k in kinds]
    return methods


def _platforms(org: Organisation) -> list[str]:
    found = []
    if org.tenant.slack_team_id:
        found.append("slack")
    if org.tenant.teams_tenant_id:
        found.append("teams")
    return found


def _question_sets(data: Loaded) -> list[dict[str, object]]:
    return [
        {
            "key": s.key,
            "version": s.version,
            "label": s.question_set.version_label,
            "stored": data.period.local_day(s.created_at).isoformat(),
            "hash": s.content_hash,
            "licence": s.question_set.licence,
            "items": len(s.question_set.items),
            "factors": [
                {"id": f.id, "kind": f.kind.value, "name": dict(f.name)}
                for f in s.question_set.factors
            ],
        }
        for s in sorted(data.question_sets, key=lambda s: (s.key, s.version))
    ]


def _cadence(data: Loaded) -> dict[str, object]:
    org = data.org
    own = {unit: Cadence.from_dict(values) for unit, values in data.cadences.items()}
    parents = {u.id: u.parent_id for u in org.units}
    roots = sorted((u for u in org.units if u.parent_id is None), key=lambda u: u.path)
    top = resolve_cadence(roots[0].id, own, parents) if roots else Cadence()
    return {
        "organisation": top.to_dict(),
        "units": [
            {"unit": data.unit_path(unit), "settings": own[unit].to_dict()}
            for unit in sorted(own, key=lambda u: data.unit_path(u) or "")
        ],
        "rotation_cycle": DEFAULT_CYCLE_LENGTH,
    }


def _thresholds(thresholds: Thresholds) -> dict[str, object]:
    return {"current": thresholds.effective(), "floors": thresholds.floors()}


def _roles(data: Loaded) -> list[dict[str, object]]:
    org = data.org
    active = {m.id for m in org.active_members()}
    holders: Counter[tuple[str, str | None]] = Counter()
    for grant in org.grants:
        if grant.member_id not in active:
            continue
        if grant.expires_at and data.period.local_day(grant.expires_at) < data.period.end:
            continue
        scope = data.unit_path(grant.unit_id) if grant.role in SCOPED_ROLES else None
        holders[(grant.role.value, scope)] += 1
    order = [r.value for r in Role]
    return [
        {"role": role, "unit": unit, "holders": count}
        for (role, unit), count in sorted(
            holders.items(), key=lambda kv: (order.index(kv[0][0]), kv[0][1] or "")
        )
    ]


def routine(data: Loaded) -> dict[str, object]:
    return {
        "methods": _methods(data),
        "platforms": _platforms(data.org),
        "size_class": size_class(len(data.org.active_members())),
        "question_sets": _question_sets(data),
        "cadence": _cadence(data),
        "thresholds": _thresholds(data.thresholds),
        "roles": _roles(data),
    }

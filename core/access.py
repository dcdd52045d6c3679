"""Who may do what with results and follow-up: one decision for every action and role.

Scope (privacy rule 14, product feature 1):
  leader            their unit's subtree
  verneombud        their area (the subtrees of the units they are verneombud for)
  hovedverneombud, HR admin, AMU    the whole organisation
  adviser (BHT)     the whole organisation, read-only, until the grant expires

What each role may do inside its scope (``PERMISSIONS``): the employer's side (leaders, HR)
writes assessments and measures; the employees' side (verneombud, hovedverneombud, AMU)
records its own consultation statements and never writes the employer's assessment — the
consultation would not be independent otherwise; the adviser only reads. Expired grants give
nothing; the clock decides (``now``), never the wall time.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum

from core.errors import TempcheckError
from core.i18n import DEFAULT_LOCALE, t
from core.organisation import Organisation, Role, RoleGrant


class Action(StrEnum):
    VIEW_RESULTS = "view_results"
    VIEW_FOLLOWUP = "view_followup"  # evidence, assessments, measures, consultation log
    RECORD_EVIDENCE = "record_evidence"
    EDIT_ASSESSMENT = "edit_assessment"  # create or edit
    COMPLETE_ASSESSMENT = "complete_assessment"
    RECORD_CONSULTATION = "record_consultation"
    EDIT_MEASURE = "edit_measure"  # create, edit, change status
    EXPORT_DOCUMENTATION = "export_documentation"
    VIEW_AUDIT = "view_audit"


_READ = frozenset({Action.VIEW_RESULTS, Action.VIEW_FOLLOWUP})
_EMPLOYER = _READ | {
    Action.RECORD_EVIDENCE,
    Action.EDIT_ASSESSMENT,
    Action.COMPLETE_ASSESSMENT,
    Action.EDIT_MEASURE,
}
_SAFETY = _READ | {Action.RECORD_EVIDENCE, Action.RECORD_CONSULTATION}

PERMISSIONS: Mapping[Role, frozenset[Action]] = {
    Role.LEADER: _EMPLOYER,
    Role.HR_ADMIN: _EMPLOYER | {Action.EXPORT_DOCUMENTATION, Action.VIEW_AUDIT},
    Role.VERNEOMBUD: _SAFETY,
    Role.HOVEDVERNEOMBUD: _SAFETY | {Action.EXPORT_DOCUMENTATION, Action.VIEW_AUDIT},
    Role.AMU: _READ | {Action.RECORD_CONSULTATION, Action.EXPORT_DOCUMENTATION},
    Role.ADVISER: _READ,
}

#: Actions about the organisation as a whole (no unit): only organisation-wide roles.
ORG_ONLY = frozenset({Action.EXPORT_DOCUMENTATION, Action.VIEW_AUDIT})


class AccessDenied(TempcheckError):
    """The acting person's roles do not allow this action here."""

    def render(self, locale: str = DEFAULT_LOCALE) -> str:
        action = t(f"access.action.{self.params['action']}", locale)
        return t(self.key, locale, **{**self.params, "action": action})


def _covers(org: Organisation, grant: RoleGrant, unit_id: int | None) -> bool:
    if grant.unit_id is None:  # an organisation-wide role
        return True
    return unit_id is not None and unit_id in org.subtree_ids(grant.unit_id)


def granting(
    org: Organisation, member_id: int, action: Action, unit_id: int | None, now: datetime
) -> tuple[RoleGrant, ...]:
    """The member's unexpired grants that allow ``action`` on ``unit_id`` (None: the whole
    organisation, e.g. a documentation export or the annual wheel)."""
    if action in ORG_ONLY and unit_id is not None:
        unit_id = None
    return tuple(
        g
        for g in org.grants_of(member_id, now)
        if action in PERMISSIONS.get(g.role, frozenset()) and _covers(org, g, unit_id)
    )


def allowed(
    org: Organisation, member_id: int, action: Action, unit_id: int | None, now: datetime
) -> bool:
    return bool(granting(org, member_id, action, unit_id, now))


def require(
    org: Organisation, member_id: int, action: Action, unit_id: int | None, now: datetime
) -> tuple[RoleGrant, ...]:
    """The grants that allow the action, or AccessDenied naming the action and the unit."""
    found = granting(org, member_id, action, unit_id, now)
    if found:
        return found
    expired = any(
        not g.active(now) and action in PERMISSIONS.get(g.role, frozenset())
        for g in org.grants_of(member_id)
    )
    unit = org.unit_by_id().get(unit_id) if unit_id is not None else None
    raise AccessDenied(
        "access.expired" if expired else "access.denied",
        action=action.value,
        unit=unit.path if unit else org.tenant.name,
    )


def visible_units(
    org: Organisation, member_id: int, action: Action, now: datetime
) -> frozenset[int]:
    """The units on which the member may do ``action`` (for filtering lists)."""
    return frozenset(u.id for u in org.units if allowed(org, member_id, action, u.id, now))

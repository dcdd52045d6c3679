"""Role × action × in/out of scope × expired, with grants read back from each backend."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.access import AccessDenied, Action, allowed, require
from core.organisation import Role, RoleGrant
from tests.flow import organisation
from tests.followup.conftest import ADVISER_DAYS, Roles

ACTIONS = [a.value for a in Action]
# columns: view_results view_followup record_evidence edit_assessment complete_assessment
#          record_consultation edit_measure export_documentation view_audit
#: The policy, written out: Y = allowed inside the role's scope.
MATRIX = """
who              results followup evidence edit_assessment complete consult measure export audit
leader           Y Y Y Y Y N Y N N
verneombud       Y Y Y N N Y N N N
hovedverneombud  Y Y Y N N Y N Y Y
hr               Y Y Y Y Y N Y Y Y
amu              Y Y N N N Y N Y N
adviser          Y Y N N N N N N N
employee         N N N N N N N N N
"""
ORG_WIDE = {"hovedverneombud", "hr", "amu", "adviser"}
ORG_ONLY = {"export_documentation", "view_audit"}


def _table() -> dict[str, dict[str, bool]]:
    lines = [line.split() for line in MATRIX.strip().splitlines()]
    assert len(lines[0]) == len(ACTIONS) + 1
    header = ACTIONS
    return {
        row[0]: {a: v == "Y" for a, v in zip(header, row[1:], strict=True)} for row in lines[1:]
    }


def _expected(who: str, action: str, where: str) -> bool:
    base = _table()[who][action]
    if where == "in":
        return base and (who in ORG_WIDE or action not in ORG_ONLY)
    return base and who in ORG_WIDE  # out of scope, or the organisation as a whole


async def test_permission_matrix(roles: Roles) -> None:
    org = await organisation(roles.uows)  # grants (and the adviser's expiry) as stored
    now = roles.clock.now()
    where = {"in": roles.unit("Acme/Ops"), "out": roles.unit("Acme/Sales"), "org": None}
    wrong = []
    for who in _table():
        for action in Action:
            for place, unit in where.items():
                got = allowed(org, roles.ids[who], action, unit, now)
                if got != _expected(who, action.value, place):
                    wrong.append((who, action.value, place, got))
    assert wrong == []


async def test_subtree_and_area_cover_units_below(roles: Roles) -> None:
    async with roles.uows() as uow:
        tenant = roles.org.tenant.id
        child = await uow.organisation.add_unit(tenant, "Acme/Ops/Night", roles.unit("Acme/Ops"))
        await uow.commit()
    org = await organisation(roles.uows)
    now = roles.clock.now()
    assert allowed(org, roles.ids["leader"], Action.EDIT_MEASURE, child.id, now)
    assert allowed(org, roles.ids["verneombud"], Action.RECORD_CONSULTATION, child.id, now)
    assert not allowed(org, roles.ids["leader"], Action.EDIT_MEASURE, roles.unit("Acme"), now)


async def test_expired_grants_give_nothing(roles: Roles) -> None:
    async with roles.uows() as uow:
        await uow.organisation.replace_grants(
            roles.org.tenant.id,
            [
                *roles.org.grants,
                RoleGrant(
                    roles.ids["employee"],
                    Role.LEADER,
                    roles.unit("Acme/Ops"),
                    roles.clock.now() - timedelta(seconds=1),
                ),
            ],
        )
        await uow.commit()
    org = await organisation(roles.uows)
    ops = roles.unit("Acme/Ops")
    before = roles.clock.now() + timedelta(days=ADVISER_DAYS, seconds=-1)
    after = roles.clock.now() + timedelta(days=ADVISER_DAYS)
    assert allowed(org, roles.ids["adviser"], Action.VIEW_RESULTS, ops, before)
    for action in Action:
        assert not allowed(org, roles.ids["adviser"], action, ops, after)
        assert not allowed(org, roles.ids["employee"], action, ops, before)
    with pytest.raises(AccessDenied) as caught:
        require(org, roles.ids["adviser"], Action.VIEW_RESULTS, ops, after)
    assert caught.value.key == "access.expired"
    assert "se resultater" in caught.value.render("nb")
    assert "expired" in caught.value.render("en")
    # the results scope honours the expiry too
    from core.results import scope_of

    assert scope_of(org, roles.ids["adviser"], before) is not None
    assert scope_of(org, roles.ids["adviser"], after) is None


async def test_denial_names_action_and_unit_in_both_languages(roles: Roles) -> None:
    org = await organisation(roles.uows)
    with pytest.raises(AccessDenied) as caught:
        require(
            org,
            roles.ids["leader"],
            Action.EDIT_MEASURE,
            roles.unit("Acme/Sales"),
            roles.clock.now(),
        )
    assert caught.value.render("en") == (
        "you may not create or change measures for Acme/Sales with your roles"
    )
    assert caught.value.render("nb") == (
        "rollene dine gir deg ikke lov til å opprette eller endre tiltak for Acme/Sales"
    )

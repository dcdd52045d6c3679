"""Rule 14 as a matrix: who sees which unit's leadership factor (and the rest), per backend.

Organisation: Acme ─ Ops ─ {Team A, Team B}, and Acme ─ Sales. Grants: a leader of Team A, a
leader of Ops (Team A's next-level leader), a leader of Sales, a verneombud of the Ops area,
HR, AMU, the adviser (BHT) and an ordinary member. The organisation is stored and loaded
through the real repositories (fake, SQLite, PostgreSQL).
"""

from __future__ import annotations

import pytest

from core.anonymity.release import MetricInput, Release, ReleaseInput, UnitNode, build_release
from core.organisation import MemberFields, Organisation, Role, RoleGrant
from core.ports import UnitOfWorkFactory
from core.results import LEADERSHIP_FACTOR, project, scope_of

UNITS = ("Acme", "Acme/Ops", "Acme/Ops/Team A", "Acme/Ops/Team B", "Acme/Sales")
PEOPLE = {
    "team_leader": (Role.LEADER, "Acme/Ops/Team A"),
    "ops_leader": (Role.LEADER, "Acme/Ops"),
    "sales_leader": (Role.LEADER, "Acme/Sales"),
    "verneombud": (Role.VERNEOMBUD, "Acme/Ops"),
    "hr": (Role.HR_ADMIN, None),
    "amu": (Role.AMU, None),
    "adviser": (Role.ADVISER, None),
    "member": (None, None),
}


async def stored_org(uows: UnitOfWorkFactory) -> tuple[Organisation, dict[str, int]]:
    async with uows() as uow:
        tenant = await uow.organisation.add_tenant("acme", "Acme")
        ids: dict[str, int] = {}
        for path in UNITS:
            parent = ids.get(path.rsplit("/", 1)[0]) if "/" in path else None
            ids[path] = (await uow.organisation.add_unit(tenant.id, path, parent)).id
        people: dict[str, int] = {}
        grants = []
        for name, (role, unit) in PEOPLE.items():
            home = ids["Acme/Ops/Team B"]
            member = await uow.organisation.add_member(
                tenant.id, MemberFields(f"{name}@acme.no", name, home, "nb", "Europe/Oslo")
            )
            people[name] = member.id
            if role is not None:
                grants.append(RoleGrant(member.id, role, ids[unit] if unit else None))
        await uow.organisation.replace_grants(tenant.id, grants)
        await uow.commit()
    async with uows() as uow:
        org = await uow.organisation.load(tenant.id)
    return org, {**{p: ids[p] for p in UNITS}, **{f"@{k}": v for k, v in people.items()}}


def release_of(ids: dict[str, int]) -> Release:
    """Every unit published for two factors and a sensitive item (Acme has 40 answers)."""
    unit_ids = {p: str(ids[p]) for p in UNITS}
    sizes = {"Acme": 0, "Acme/Ops": 0, "Acme/Ops/Team A": 10, "Acme/Ops/Team B": 10}
    sizes["Acme/Sales"] = 20
    values = {unit_ids[p]: (4,) * n for p, n in sizes.items()}
    return build_release(
        ReleaseInput(
            round_id="1",
            units=tuple(
                UnitNode(unit_ids[p], unit_ids[p.rsplit("/", 1)[0]] if "/" in p else None)
                for p in UNITS
            ),
            eligible={unit_ids[p]: n for p, n in sizes.items()},
            respondents={unit_ids[p]: n for p, n in sizes.items()},
            metrics=(
                MetricInput(LEADERSHIP_FACTOR, False, values),
                MetricInput("workload", False, values),
                MetricInput(
                    "bullying_harassment", True, {u: (1,) * len(v) for u, v in values.items()}
                ),
            ),
        )
    )


ALL = frozenset(UNITS)
OPS = frozenset({"Acme/Ops", "Acme/Ops/Team A", "Acme/Ops/Team B"})
#: viewer -> (units seen for workload, units seen for leadership, sensitive seen)
EXPECTED: dict[str, tuple[frozenset[str], frozenset[str], bool] | None] = {
    "team_leader": (frozenset({"Acme/Ops/Team A"}), frozenset({"Acme/Ops/Team A"}), False),
    # The next-level leader sees Team A's leadership factor through the ordinary subtree.
    "ops_leader": (OPS, OPS, False),
    "sales_leader": (frozenset({"Acme/Sales"}), frozenset({"Acme/Sales"}), False),
    "verneombud": (OPS, OPS, True),
    "hr": (ALL, ALL, True),
    "amu": (ALL, ALL, True),
    # Not named by rule 14: the organisation's figures, but no single unit's leader.
    "adviser": (ALL, frozenset({"Acme"}), True),
    "member": None,
}


@pytest.mark.parametrize("viewer", sorted(EXPECTED))
async def test_rule_14_matrix(uows: UnitOfWorkFactory, viewer: str) -> None:
    org, ids = await stored_org(uows)
    scope = scope_of(org, ids[f"@{viewer}"])
    expected = EXPECTED[viewer]
    if expected is None:
        assert scope is None
        return
    assert scope is not None
    paths = {str(ids[p]): p for p in UNITS}
    cells = [c for c in project(release_of(ids), frozenset(), scope).cells if c.published]
    seen = {
        metric: frozenset(paths[c.unit] for c in cells if c.metric == metric)
        for metric in ("workload", LEADERSHIP_FACTOR)
    }
    sensitive = any(c.sensitive for c in cells)
    assert (seen["workload"], seen[LEADERSHIP_FACTOR], sensitive) == expected


async def test_the_member_view_still_applies_to_the_next_level_leader(
    uows: UnitOfWorkFactory,
) -> None:
    """Rule 14 widens nobody past rule 2: a cell hidden from a home unit stays hidden."""
    org, ids = await stored_org(uows)
    scope = scope_of(org, ids["@ops_leader"])
    assert scope is not None
    release = release_of(ids)
    team_a = str(ids["Acme/Ops/Team A"])
    hidden = [c for c in release.cells if c.unit == team_a and c.metric == LEADERSHIP_FACTOR]
    forged = Release(
        release.round_id,
        release.thresholds,
        tuple(
            c if c not in hidden else type(c)(**{**c.__dict__, "hidden_for_home_units": (team_a,)})
            for c in release.cells
        ),
        release.participation,
        (),
    )
    shown = project(forged, frozenset({team_a}), scope)
    cell = next(c for c in shown.cells if c.unit == team_a and c.metric == LEADERSHIP_FACTOR)
    assert not cell.published and cell.score is None and cell.reason == "too_few_respondents"
    elsewhere = project(forged, frozenset({str(ids["Acme/Ops/Team B"])}), scope)
    assert any(
        c.published for c in elsewhere.cells if c.unit == team_a and c.metric == LEADERSHIP_FACTOR
    )

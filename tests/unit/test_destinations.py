"""Where a unit's digest goes when nothing is configured, and whose view applies there."""

from __future__ import annotations

from core.destinations import (
    ChannelRef,
    Purpose,
    destination,
    members_by_platform_id,
    reader_home_units,
)
from core.messenger import Platform
from core.organisation import Member, Organisation, Role, RoleGrant, Tenant, Unit


def _member(id_: int, unit: int, *, slack: str | None = None, active: bool = True) -> Member:
    return Member(
        id=id_,
        tenant_id=1,
        email=f"p{id_}@acme.test",
        name=f"Person {id_}",
        home_unit_id=unit,
        locale="nb",
        timezone="Europe/Oslo",
        slack_user_id=slack,
        teams_aad_id=None,
        active=active,
    )


def _org(grants: tuple[RoleGrant, ...]) -> Organisation:
    units = (Unit(1, 1, "Acme", None), Unit(2, 1, "Acme/Ops", 1), Unit(3, 1, "Acme/Ops/Night", 2))
    members = (
        _member(1, 1, slack="U1"),
        _member(2, 2, slack="U2"),
        _member(3, 3, slack="U3"),
        _member(4, 2, active=False),
    )
    return Organisation(Tenant(1, "acme", "Acme"), units, members, grants)


def test_a_configured_channel_wins() -> None:
    org = _org((RoleGrant(2, Role.LEADER, 2),))
    channel = ChannelRef(Platform.SLACK, "C9")
    found = destination(org, {(2, Purpose.MANAGERS): channel}, 2, Purpose.MANAGERS)
    assert found.channel == channel and found.leaders == () and found.reachable


def test_default_is_the_units_leaders_then_the_nearest_ancestors() -> None:
    org = _org((RoleGrant(2, Role.LEADER, 2), RoleGrant(1, Role.HR_ADMIN, None)))
    own = destination(org, {}, 2, Purpose.MANAGERS)
    assert [m.id for m in own.leaders] == [2] and own.inherited_from is None
    night = destination(org, {}, 3, Purpose.MANAGERS)
    assert [m.id for m in night.leaders] == [2] and night.inherited_from == 2


def test_inactive_leaders_and_units_without_any_leader() -> None:
    org = _org((RoleGrant(4, Role.LEADER, 2),))
    found = destination(org, {}, 3, Purpose.MANAGERS)
    assert found.leaders == () and not found.reachable


def test_the_team_summary_goes_only_to_a_configured_channel() -> None:
    org = _org((RoleGrant(2, Role.LEADER, 2),))
    assert not destination(org, {}, 2, Purpose.TEAM).reachable
    channel = ChannelRef(Platform.TEAMS, "19:x")
    assert destination(org, {(2, Purpose.TEAM): channel}, 2, Purpose.TEAM).channel == channel


def test_readers_are_counted_in_their_answer_unit_of_the_round() -> None:
    org = _org(())
    readers = members_by_platform_id(org, Platform.SLACK, ["U1", "U3", "UNKNOWN"])
    assert [m.id for m in readers] == [1, 3]
    # Member 3 answered in unit 2 (its small home unit folded into the parent); member 1 was
    # not in the round: nothing of theirs to protect.
    assert reader_home_units({3: 2, 2: 2}, readers) == frozenset({"2"})

"""The sweep schedules every cadence root (the top unit and every unit with a cadence of its
own), on the fake, SQLite and PostgreSQL, with fixed clocks: disjoint rounds, idempotent
re-sweeps, catch-up after downtime, small roots skipped and reported, uniform item sets
(T31), and ``plan show`` agreeing with what the sweep opens."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

import scheduler.sweep as sweep_module
from core.anonymity.storage_groups import answer_units
from core.cadence import SKIP_TOO_SMALL
from core.cadence_service import plan_tenant, plan_unit, set_unit_cadence
from core.clock import FixedClock
from core.delivery import INVITATION, invitations_from, send_due
from core.keys import KeyStore
from core.messenger import Invitation, Platform
from core.pace import TokenBucketPacer
from core.ports import UnitOfWorkFactory
from core.questions import load_default_bank
from core.rotation import plan_round
from core.round_service import close_round, open_round
from core.rounds import Round, RoundStatus
from core.submission import Submission, SubmissionOutcome, submit
from scheduler.sweep import SweepReport, next_due, sweep
from tests.fakes.messenger import RecordingMessenger
from tests.flow import TENANT, answers_for, key_store, organisation, raises_key, setup_org

ZONE = "Europe/Oslo"
#: Monday 23 November 2026, 09:00 in Oslo (ISO week 48, an even week).
MONDAY_9 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
WEDNESDAY_9 = MONDAY_9 + timedelta(days=2)
THURSDAY_9 = MONDAY_9 + timedelta(days=3)
UNITS = {"Acme": 2, "Acme/Ops": 7, "Acme/Lab": 6, "Acme/Lab/Tiny": 2, "Acme/Lab/Bench": 3}
BANK = load_default_bank()
WEEKS = 2


async def _setup(uows: UnitOfWorkFactory, clock: FixedClock, frequency: str = "biweekly") -> None:
    await setup_org(uows, clock, UNITS)
    # Lab and everything below it: every second week (or ``frequency``), from Wednesday.
    await set_unit_cadence(
        uows,
        clock,
        tenant_slug=TENANT,
        unit_path="Acme/Lab",
        changes={"frequency": frequency, "weekday": 2},
        actor="t",
    )


async def _sweep(uows: UnitOfWorkFactory, keys: KeyStore, clock: FixedClock) -> SweepReport:
    return await sweep(uows, keys, clock, timezone=ZONE)


async def _rounds(uows: UnitOfWorkFactory) -> list[Round]:
    org = await organisation(uows)
    async with uows() as uow:
        return list(await uow.rounds.list(org.tenant.id))


async def _members(uows: UnitOfWorkFactory, round_id: int) -> set[int]:
    async with uows() as uow:
        return {m.member_id for m in await uow.rounds.members(round_id)}


async def test_two_cadences_give_two_rounds_with_disjoint_members(
    uows: UnitOfWorkFactory, tmp_path: Path
) -> None:
    clock = FixedClock(MONDAY_9)
    keys = key_store(tmp_path)
    await _setup(uows, clock)
    org = await organisation(uows)
    by_path = org.unit_by_path()
    first = await _sweep(uows, keys, clock)
    assert len(first.opened) == 1 and first.skipped == []
    clock.set(WEDNESDAY_9)
    second = await _sweep(uows, keys, clock)
    assert len(second.opened) == 1
    top, lab = await _rounds(uows)
    assert (top.unit_id, top.period) == (by_path["Acme"].id, "2026-W48")
    assert (lab.unit_id, lab.period) == (by_path["Acme/Lab"].id, "2026-W48")
    # Every active member is in exactly one of the two rounds.
    top_members, lab_members = await _members(uows, top.id), await _members(uows, lab.id)
    assert not top_members & lab_members
    assert top_members | lab_members == {m.id for m in org.active_members()}
    lab_units = {by_path[p].id for p in ("Acme/Lab", "Acme/Lab/Tiny", "Acme/Lab/Bench")}
    assert {m.id for m in org.active_members() if m.home_unit_id in lab_units} == lab_members
    async with uows() as uow:
        top_tree = {u.unit_id: u.parent_id for u in await uow.rounds.units(top.id)}
        lab_tree = {u.unit_id: u.parent_id for u in await uow.rounds.units(lab.id)}
        lab_snapshot = await uow.rounds.members(lab.id)
    # The release engine gets one tree per round, rooted at the cadence root.
    assert top_tree == {by_path["Acme"].id: None, by_path["Acme/Ops"].id: by_path["Acme"].id}
    assert lab_tree[by_path["Acme/Lab"].id] is None and set(lab_tree) == lab_units
    # Answers are stored under a unit of at least k_eligible people: Tiny (2) and Bench (3)
    # are stored under Lab, exactly as the storage-group rule computes for this tree.
    homes = {m.member_id: m.home_unit_id for m in lab_snapshot}
    expected = answer_units(lab_tree, homes, top.thresholds.k_eligible)
    assert {m.member_id: m.answer_unit_id for m in lab_snapshot} == expected
    assert {m.answer_unit_id for m in lab_snapshot} == {by_path["Acme/Lab"].id}
    # One invitation per member, for their own round, through the real sender.
    messenger = RecordingMessenger()
    pacer = TokenBucketPacer(1000.0, 50, clock, _advancing(clock))
    sent = await send_due(
        uows,
        {Platform.SLACK: messenger},
        clock,
        pacer,
        keys,
        invitations_from(uows, clock),
        worker="t",
        batch=100,
    )
    # Wednesday 09:00 is also the top round's first reminder (nobody has answered yet).
    assert sent.sent == 20 + 9
    invited = Counter(
        (to.ref, inv.round_id)
        for kind, to, inv in messenger.calls
        if kind == INVITATION and isinstance(inv, Invitation)
    )
    refs = {m.id: m.slack_user_id for m in org.active_members()}
    assert invited == Counter(
        {(refs[m], top.id): 1 for m in top_members} | {(refs[m], lab.id): 1 for m in lab_members}
    )


def _advancing(clock: FixedClock) -> Callable[[float], Awaitable[None]]:
    async def sleep(seconds: float) -> None:
        clock.set(clock.now() + timedelta(seconds=seconds))

    return sleep


async def test_resweeping_is_idempotent(uows: UnitOfWorkFactory, tmp_path: Path) -> None:
    clock = FixedClock(WEDNESDAY_9)
    keys = key_store(tmp_path)
    await _setup(uows, clock)
    first = await _sweep(uows, keys, clock)
    assert len(first.opened) == 2 and first.deliveries == 20 * 3  # invitation + 2 reminders
    for later in (timedelta(0), timedelta(minutes=1), timedelta(hours=30)):
        clock.set(WEDNESDAY_9 + later)
        again = await _sweep(uows, keys, clock)
        assert again == SweepReport()
    assert len(await _rounds(uows)) == 2


async def test_a_reminder_is_sent_once_however_often_the_sweep_runs(
    uows: UnitOfWorkFactory, tmp_path: Path
) -> None:
    clock = FixedClock(MONDAY_9)
    keys = key_store(tmp_path)
    await setup_org(uows, clock, {"Acme/Ops": 7})
    messenger = RecordingMessenger()
    pacer = TokenBucketPacer(1000.0, 50, clock, _advancing(clock))
    invitation_for = invitations_from(uows, clock)
    for hours in (0, 1, 48, 49, 50, 96, 97):  # reminders on Wednesday and Friday
        clock.set(MONDAY_9 + timedelta(hours=hours))
        sweep_module._memories.clear()  # as after a restart, or on a new leader
        await _sweep(uows, keys, clock)
        await send_due(
            uows, {Platform.SLACK: messenger}, clock, pacer, keys, invitation_for, worker="t"
        )
    kinds = Counter(kind for kind, _, _ in messenger.calls)
    assert kinds == {"invitation": 7, "reminder": 14}


async def test_catch_up_after_downtime_opens_only_the_current_windows(
    uows: UnitOfWorkFactory, tmp_path: Path
) -> None:
    clock = FixedClock(WEDNESDAY_9)
    keys = key_store(tmp_path)
    await _setup(uows, clock)
    before = await _sweep(uows, keys, clock)
    assert len(before.opened) == 2
    # Down from Wednesday of week 48 to Thursday of week 50, 10:00.
    clock.set(datetime(2026, 12, 10, 9, 0, tzinfo=UTC))
    after = await _sweep(uows, keys, clock)
    rounds = {(r.unit_id, r.period): r for r in await _rounds(uows)}
    by_path = (await organisation(uows)).unit_by_path()
    acme, lab = by_path["Acme"].id, by_path["Acme/Lab"].id
    # Week 49's top round passed while nothing ran: it is not opened late.
    assert set(rounds) == {
        (acme, "2026-W48"),
        (lab, "2026-W48"),
        (acme, "2026-W50"),
        (lab, "2026-W50"),
    }
    assert sorted(after.closed) == sorted([rounds[acme, "2026-W48"].id, rounds[lab, "2026-W48"].id])
    # Closed late, they count as closed when their windows ended: released and shredded on
    # their own schedule, which has passed too.
    assert sorted(after.released) == sorted(after.closed)
    assert sorted(after.shredded) == sorted(after.closed)
    assert sorted(after.opened) == sorted([rounds[acme, "2026-W50"].id, rounds[lab, "2026-W50"].id])
    # The late rounds close when their windows close, not a full round length from now.
    assert rounds[acme, "2026-W50"].closes_at == datetime(2026, 12, 14, 8, 0, tzinfo=UTC)
    assert rounds[lab, "2026-W50"].closes_at == datetime(2026, 12, 14, 8, 0, tzinfo=UTC)
    assert await _sweep(uows, keys, clock) == SweepReport()


async def test_a_carved_out_unit_too_small_to_run_alone_is_skipped_and_reported(
    uows: UnitOfWorkFactory,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Thursday: Bench's own (weekly) window is open, so a round would have opened now.
    clock = FixedClock(THURSDAY_9)
    keys = key_store(tmp_path)
    await _setup(uows, clock)
    await set_unit_cadence(
        uows,
        clock,
        tenant_slug=TENANT,
        unit_path="Acme/Lab/Bench",
        changes={"frequency": "weekly", "weekday": 3},
        actor="t",
    )
    with caplog.at_level(logging.WARNING, logger="scheduler.sweep"):
        report = await _sweep(uows, keys, clock)
        again = await _sweep(uows, keys, clock)
    assert [(s.unit, s.reason) for s in report.skipped] == [("Acme/Lab/Bench", SKIP_TOO_SMALL)]
    assert again.skipped == report.skipped  # reported by every sweep …
    # … and logged once per period, not every minute.
    assert [r.getMessage() for r in caplog.records] == ["round not opened"]
    assert "only 3 people" in report.skipped[0].render("en")
    assert "bare 3 personer" in report.skipped[0].render("nb")
    # … and its people are in no round: not silently merged into Lab's.
    org = await organisation(uows)
    bench = org.unit_by_path()["Acme/Lab/Bench"].id
    everyone = set().union(*[await _members(uows, r.id) for r in await _rounds(uows)])
    assert everyone == {m.id for m in org.active_members() if m.home_unit_id != bench}
    plan = await plan_unit(
        uows,
        tenant_slug=TENANT,
        unit_path="Acme/Lab/Bench",
        from_day=date(2026, 11, 25),
        weeks=4,
        timezone=ZONE,
    )
    assert plan.root.skip == SKIP_TOO_SMALL and plan.pulses == ()


async def test_a_unit_with_the_same_cadence_as_above_is_not_a_round_of_its_own(
    uows: UnitOfWorkFactory, tmp_path: Path
) -> None:
    clock = FixedClock(MONDAY_9)
    keys = key_store(tmp_path)
    await setup_org(uows, clock, UNITS)
    await set_unit_cadence(
        uows, clock, tenant_slug=TENANT, unit_path="Acme/Ops", changes={}, actor="t"
    )
    report = await _sweep(uows, keys, clock)
    assert len(report.opened) == 1
    assert len(await _members(uows, report.opened[0])) == sum(UNITS.values())


async def test_T31_and_plan_show_agree_with_what_the_sweep_opens(
    uows: UnitOfWorkFactory, tmp_path: Path
) -> None:
    """Each cadence root's rounds ask the items its plan showed, at the times it showed;
    every item of a round is offered to every member of it; each root rotates on its own.
    (Two weeks keep it quick; the whole cycle of one unit is T31 in test_rounds_and_ledger.)"""
    clock = FixedClock(MONDAY_9 - timedelta(hours=1))
    keys = key_store(tmp_path)
    await _setup(uows, clock, frequency="weekly")
    plans = await plan_tenant(
        uows, tenant_slug=TENANT, from_day=date(2026, 11, 23), weeks=WEEKS, timezone=ZONE
    )
    org = await organisation(uows)
    planned = {
        (plan.root.unit.id, pulse.period): (pulse.times, pulse.plan.items)
        for plan in plans
        for pulse in plan.pulses
        if pulse.plan is not None
    }
    assert Counter(unit for unit, _ in planned) == {
        org.unit_by_path()["Acme"].id: WEEKS,
        org.unit_by_path()["Acme/Lab"].id: WEEKS,
    }
    opened: dict[tuple[int, str], Round] = {}
    while clock.now() < MONDAY_9 + timedelta(weeks=WEEKS):
        await _sweep(uows, keys, clock)
        for found in await _rounds(uows):
            if found.status is RoundStatus.OPEN and (found.unit_id, found.period) not in opened:
                opened[found.unit_id, found.period] = found
                await _everyone_answers_every_item(uows, keys, clock, found)
        following = await next_due(uows, clock.now(), timezone=ZONE)
        assert following is not None
        clock.set(following)
    assert set(opened) == set(planned)
    for key, found in opened.items():
        times, items = planned[key]
        assert found.opened_at == times.opens_at and found.closes_at == times.closes_at
        assert tuple(i.item_key for i in found.items) == items
    for unit in ("Acme", "Acme/Lab"):
        unit_id = org.unit_by_path()[unit].id
        own = sorted((r for r in opened.values() if r.unit_id == unit_id), key=lambda r: r.period)
        assert [tuple(i.item_key for i in r.items) for r in own] == [
            plan_round(BANK, n).items for n in range(WEEKS)
        ]


async def _everyone_answers_every_item(
    uows: UnitOfWorkFactory, keys: KeyStore, clock: FixedClock, found: Round
) -> None:
    members = await _members(uows, found.id)
    for member in sorted(members):
        result = await submit(uows, keys, clock, Submission(found.id, member, answers_for(found)))
        assert result.outcome is SubmissionOutcome.ACCEPTED
    async with uows() as uow:
        rows = await uow.answers.answers(found.id)
    for item in found.items:
        assert sum(1 for a in rows if a.item_row_id == item.item_row_id) == len(members)


async def test_open_round_leaves_out_excluded_subtrees_and_refuses_overlap(
    uows: UnitOfWorkFactory, tmp_path: Path
) -> None:
    clock = FixedClock(MONDAY_9)
    keys = key_store(tmp_path)
    await setup_org(uows, clock, UNITS)

    async def open_(unit: str, period: str, exclude: list[str]) -> Round:
        opened = await open_round(
            uows,
            keys,
            clock,
            tenant_slug=TENANT,
            actor="t",
            unit_path=unit,
            exclude=exclude,
            period=period,
        )
        return opened.round

    with raises_key("round.exclude_outside"):
        await open_("Acme/Lab", "2026-W48", ["Acme/Ops"])
    with raises_key("round.exclude_outside"):
        await open_("Acme/Lab", "2026-W48", ["Acme/Lab"])
    top = await open_("Acme", "2026-W48", ["Acme/Lab"])
    assert len(await _members(uows, top.id)) == 9
    # Lab is outside the open top round, so it may run at the same time …
    lab = await open_("Acme/Lab", "2026-W48", [])
    assert len(await _members(uows, lab.id)) == 11
    # … but nothing that shares a unit with an open round may.
    with raises_key("round.overlap"):
        await open_("Acme/Lab/Bench", "2026-W48", [])
    with raises_key("round.overlap"):
        await open_("Acme/Ops", "2026-W48", [])
    await close_round(uows, clock, top.id, actor="t")
    await open_("Acme/Ops", "2026-W48", [])


async def test_next_due_walks_the_calendar(uows: UnitOfWorkFactory, tmp_path: Path) -> None:
    clock = FixedClock(MONDAY_9 - timedelta(hours=2))
    keys = key_store(tmp_path)
    await _setup(uows, clock)
    assert await next_due(uows, clock.now(), timezone=ZONE) == MONDAY_9
    clock.set(MONDAY_9)
    await _sweep(uows, keys, clock)
    # Next: the first reminder (Wednesday 09:00), which is also when Lab opens.
    assert await next_due(uows, clock.now(), timezone=ZONE) == WEDNESDAY_9
    async with uows() as uow:
        counts = await uow.deliveries.counts()
    assert counts[("", INVITATION, "pending")] == 9

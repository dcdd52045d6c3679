"""Repository contract for the delivery outbox's sender statements: fake, SQLite and
PostgreSQL alike (claim, finish_sent, hand_back)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from core.clock import FixedClock
from core.delivery import INVITATION, Delivery, DeliveryStatus, materialise
from core.messenger import MessageRef
from core.ports import UnitOfWorkFactory
from tests.flow import key_store, open_for, setup_org

LEASE = timedelta(minutes=2)


async def outbox(uows: UnitOfWorkFactory, clock: FixedClock, tmp_path: Path, members: int) -> int:
    """A round of ``members`` with one invitation each, due now."""
    await setup_org(uows, clock, {"Acme/Ops": members})
    found = (await open_for(uows, key_store(tmp_path), clock, "2026-W48")).round
    start = clock.now()
    assert await materialise(uows, found.id, INVITATION, lambda m: start) == members
    return found.id


async def claim(
    uows: UnitOfWorkFactory, clock: FixedClock, limit: int, worker: str
) -> list[Delivery]:
    async with uows() as uow:
        rows = list(await uow.deliveries.claim(clock.now(), clock.now() - LEASE, limit, worker))
        await uow.commit()
    return rows


async def counts(uows: UnitOfWorkFactory) -> dict[str, int]:
    async with uows() as uow:
        return {s: n for (_, _, s), n in (await uow.deliveries.counts()).items()}


async def test_claim_takes_due_rows_in_order_once_and_returns_them_as_they_were(
    uows: UnitOfWorkFactory, clock: FixedClock, tmp_path: Path
) -> None:
    await outbox(uows, clock, tmp_path, 8)
    first = await claim(uows, clock, 5, "a")
    assert len(first) == 5
    assert [r.id for r in first] == sorted(r.id for r in first)
    assert {(r.status, r.attempts, r.claimed_at) for r in first} == {
        (DeliveryStatus.PENDING, 0, None)
    }
    second = await claim(uows, clock, 5, "b")
    assert len(second) == 3 and not {r.id for r in first} & {r.id for r in second}
    assert await claim(uows, clock, 5, "c") == []
    assert await counts(uows) == {"sending": 8}


async def test_rows_due_later_wait_and_an_expired_claim_is_taken_over(
    uows: UnitOfWorkFactory, clock: FixedClock, tmp_path: Path
) -> None:
    round_id = await outbox(uows, clock, tmp_path, 6)
    later = clock.now() + LEASE * 10
    assert await materialise(uows, round_id, "reminder:1", lambda m: later) == 6
    claimed_at = clock.now()
    taken = await claim(uows, clock, 2, "a")
    clock.set(claimed_at + LEASE - timedelta(seconds=1))
    rest = await claim(uows, clock, 10, "b")  # the other invitations; no reminder is due
    assert len(rest) == 4 and {r.kind for r in rest} == {INVITATION}
    assert not {r.id for r in rest} & {r.id for r in taken}
    clock.set(claimed_at + LEASE + timedelta(seconds=1))
    again = await claim(uows, clock, 5, "c")
    # As they were before: claimed once, by a sender that may have sent them.
    assert [(r.id, r.status, r.attempts, r.claimed_at) for r in again] == [
        (r.id, DeliveryStatus.SENDING, 1, claimed_at) for r in taken
    ]


async def test_finish_sent_records_a_batch_and_its_messages(
    uows: UnitOfWorkFactory, clock: FixedClock, tmp_path: Path
) -> None:
    await outbox(uows, clock, tmp_path, 6)
    rows = await claim(uows, clock, 4, "a")
    async with uows() as uow:
        await uow.deliveries.finish_sent(
            [(r.id, MessageRef(f"D{r.id}", f"1.{r.id}")) for r in rows[:3]], clock.now()
        )
        await uow.deliveries.finish_sent([], clock.now())
        await uow.commit()
    assert await counts(uows) == {"sent": 3, "sending": 1, "pending": 2}
    clock.set(clock.now() + LEASE * 2)
    assert rows[3].id in {r.id for r in await claim(uows, clock, 10, "b")}
    assert await counts(uows) == {"sent": 3, "sending": 3}


async def test_hand_back_returns_unsent_rows_unclaimed_and_only_the_senders_own(
    uows: UnitOfWorkFactory, clock: FixedClock, tmp_path: Path
) -> None:
    await outbox(uows, clock, tmp_path, 6)
    claimed_at = clock.now()
    mine = await claim(uows, clock, 3, "a")
    async with uows() as uow:
        assert await uow.deliveries.hand_back([r.id for r in mine[1:]], "a") == 2
        assert await uow.deliveries.hand_back([], "a") == 0
        await uow.commit()
    assert await counts(uows) == {"sending": 1, "pending": 5}
    # Handed back: pending, unclaimed, no attempt counted; another sender takes them as new.
    again = await claim(uows, clock, 2, "b")
    assert [(r.id, r.status, r.attempts, r.claimed_at) for r in again] == [
        (r.id, DeliveryStatus.PENDING, 0, None) for r in mine[1:]
    ]
    # A row another sender took over after the lease is not "a"'s to hand back.
    clock.set(claimed_at + LEASE + timedelta(seconds=1))
    taken_over = await claim(uows, clock, 10, "c")
    assert mine[0].id in {r.id for r in taken_over}
    async with uows() as uow:
        assert await uow.deliveries.hand_back([mine[0].id], "a") == 0
        assert await uow.deliveries.hand_back([r.id for r in taken_over], "c") == len(taken_over)
        await uow.commit()
    assert await counts(uows) == {"pending": 6}

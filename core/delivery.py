"""The delivery outbox: one invitation per member per round, sent exactly once.

Opening a round materialises one delivery row per member (unique per round, member and
kind). Senders — one per replica — claim due rows, send through the member's platform and
record the outcome. A row claimed by a sender that died is reclaimed after a lease; before
sending again the platform is asked whether the message already arrived (Slack: message
metadata), so a crash between "sent" and "recorded" does not message anyone twice. A platform
that cannot be asked (Teams) has each send recorded as it happens, so a crash repeats at most
the one message that was in flight.

Reminders are materialised for everyone in the round, not only for non-respondents, and a
reminder row is deleted once handled whether it was sent or skipped: the table never says
who has answered (privacy rule 7).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol, runtime_checkable
from zoneinfo import ZoneInfo

from core.clock import Clock
from core.keys import KeyStore
from core.ledger import pseudonym
from core.messenger import (
    DeliveryError,
    Invitation,
    MessageRef,
    Messenger,
    Platform,
    Recipient,
)
from core.organisation import Member, Organisation, Tenant
from core.ports import UnitOfWork, UnitOfWorkFactory
from core.rounds import Round

log = logging.getLogger(__name__)

INVITATION = "invitation"
#: A per-round marker (tally status) that a reminder kind was materialised: its rows are
#: deleted once handled, so without it the next sweep would create and send them again.
MATERIALISED = "materialised"
LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 8


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"  # transient errors until MAX_ATTEMPTS: counted, reported
    UNREACHABLE = "unreachable"  # permanent: account gone, app not installed, no platform id


@dataclass(frozen=True)
class NewDelivery:
    round_id: int
    member_id: int
    kind: str  # "invitation" or "reminder:N"
    platform: str
    workspace: str
    recipient: str  # Slack user id / AAD object id ("" when the member has none)
    locale: str
    due_at: datetime


@dataclass(frozen=True)
class Delivery(NewDelivery):
    id: int
    status: DeliveryStatus
    attempts: int
    claimed_at: datetime | None


class DeliveryRepository(Protocol):
    async def add_many(self, rows: Sequence[NewDelivery]) -> int:
        """Insert, ignoring rows that exist already (round, member, kind); returns new rows."""
        ...

    async def claim(
        self, now: datetime, lease_expired_before: datetime, limit: int, worker: str
    ) -> Sequence[Delivery]:
        """Mark up to ``limit`` due rows as sending for ``worker`` and return them. Due: pending
        with due_at <= now, or sending with a lease older than ``lease_expired_before``.
        Rows another transaction holds are skipped (FOR UPDATE SKIP LOCKED)."""
        ...

    async def finish(
        self,
        delivery_id: int,
        status: DeliveryStatus,
        at: datetime,
        message: MessageRef | None,
        error: str | None,
    ) -> None: ...

    async def finish_sent(self, sent: Sequence[tuple[int, MessageRef]], at: datetime) -> None:
        """Mark many rows sent at once (one statement): (delivery id, message) pairs."""
        ...

    async def hand_back(self, delivery_ids: Sequence[int], worker: str) -> int:
        """Give claimed rows back unsent: pending again, unclaimed, the claim not counted as
        an attempt. Only rows ``worker`` still holds (a row another sender took over after
        the lease is theirs). Returns how many went back."""
        ...

    async def retry_later(self, delivery_id: int, due_at: datetime, error: str) -> None: ...

    async def delete(self, delivery_id: int) -> None: ...

    async def tally(self, round_id: int, workspace: str, kind: str, status: str) -> None:
        """Count an outcome without keeping the row (reminders)."""
        ...

    async def counts(self, tenant_id: int | None = None) -> Mapping[tuple[str, str, str], int]:
        """(workspace, kind prefix, status) -> count; never per person. MATERIALISED
        markers are not outcomes and are left out."""
        ...

    async def tallied(self, round_id: int, kind: str, status: str) -> bool:
        """Whether a tally exists for (round, any workspace, kind, status)."""
        ...


class Pacer(Protocol):
    """core.pace.TokenBucketPacer: tokens per workspace, handed out in groups."""

    async def take(self, workspace: str, want: int = 1, *, until: float | None = None) -> int:
        """Wait for up to ``want`` tokens (at least one); 0 if not to be had by ``until``."""
        ...

    def give_back(self, workspace: str, tokens: int) -> None: ...

    def pause(self, workspace: str, seconds: float) -> None: ...


@runtime_checkable
class Recovering(Protocol):
    async def already_delivered(self, to: Recipient, delivery_key: str) -> MessageRef | None:
        """After a crash: did a message with this key reach the person? (None: not found.)"""
        ...


@dataclass(frozen=True)
class SendReport:
    sent: int = 0
    skipped: int = 0
    retried: int = 0
    failed: int = 0
    unreachable: int = 0
    recovered: int = 0
    #: Claimed but not sent before half the lease ran out: pending again, for anyone.
    handed_back: int = 0

    @property
    def progressed(self) -> bool:
        """Whether the pass did anything but hand its batch back (a sender that only hands
        back, e.g. while its workspace sits out a Retry-After, should wait for its next run
        instead of claiming again at once)."""
        return self != SendReport(handed_back=self.handed_back)

    def __add__(self, other: SendReport) -> SendReport:
        return SendReport(
            *(a + b for a, b in zip(self.__dict__.values(), other.__dict__.values(), strict=True))
        )


def delivery_key(round_id: int, member_id: int, kind: str) -> str:
    return f"{round_id}:{member_id}:{kind}"


InvitationFor = Callable[[Delivery], Awaitable[Invitation | None]]


async def send_due(
    uows: UnitOfWorkFactory,
    messengers: Mapping[Platform, Messenger],
    clock: Clock,
    pacer: Pacer,
    keys: KeyStore,
    invitation_for: InvitationFor,
    *,
    worker: str,
    batch: int = 50,
    lease: timedelta = LEASE,
) -> SendReport:
    """One pass of a sender: claim due rows, send each once, record the outcome. A row
    claimed more than ``lease`` ago without an outcome is taken over (its sender died).

    A sender sends nothing after half its lease: a batch that stalls (a long Retry-After, a
    slow platform, a starved process) hands its unsent rows back, so that no other sender
    can take them over while this one might still send them."""
    now = clock.now()
    async with uows() as uow:
        claimed = await uow.deliveries.claim(now, now - lease, batch, worker)
        await uow.commit()
    report = SendReport()
    allowance = _Allowance(pacer, claimed, clock, now + lease / 2)
    answered = _Answered(uows, keys)
    # Sent invitations on a platform that can be asked afterwards (Slack) are recorded
    # together when the batch ends: one transaction instead of one per message. A crash
    # before that leaves them claimed, as it would leave the rest of the batch: after the
    # lease each is looked up on the platform before any resend. (Teams: see _send_one.)
    sent: list[tuple[int, MessageRef]] = []
    unsent: list[int] = []
    try:
        for index, row in enumerate(claimed):
            outcome = await _send_one(
                uows, messengers, clock, allowance, answered, invitation_for, row, sent
            )
            if outcome is None:  # half the lease is gone: this row and the rest go back
                unsent = [r.id for r in claimed[index:]]
                break
            report += outcome
            allowance.handled(row.workspace)
    finally:
        allowance.give_back()
        if sent or unsent:
            async with uows() as uow:
                if sent:
                    await uow.deliveries.finish_sent(sent, clock.now())
                if unsent:
                    await uow.deliveries.hand_back(unsent, worker)
                await uow.commit()
    if unsent:
        log.warning("sender stalled; batch handed back", extra={"rows": len(unsent)})
    return report + SendReport(handed_back=len(unsent))


class _Allowance:
    """The pacer's tokens a sender holds while it works through one claimed batch: taken
    in groups (as many as the batch still has rows for that workspace, up to the pacer's
    group), the unused ones given back at the end. No token is taken, and nothing is sent,
    after ``stop_at``."""

    def __init__(
        self, pacer: Pacer, rows: Sequence[Delivery], clock: Clock, stop_at: datetime
    ) -> None:
        self._pacer = pacer
        self._clock = clock
        self._stop_at = stop_at
        self._left = Counter(row.workspace for row in rows)  # rows not handled yet
        self._held: Counter[str] = Counter()

    def handled(self, workspace: str) -> None:
        self._left[workspace] -= 1

    async def spend(self, workspace: str) -> bool:
        """One token for one message now; False once the batch must stop."""
        if self._clock.now() >= self._stop_at:
            return False
        if self._held[workspace] < 1:
            want = max(1, self._left[workspace])
            until = self._stop_at.timestamp()
            self._held[workspace] = await self._pacer.take(workspace, want, until=until)
            if self._held[workspace] < 1 or self._clock.now() >= self._stop_at:
                return False  # (tokens taken just at the deadline are given back at the end)
        self._held[workspace] -= 1
        return True

    def pause(self, workspace: str, seconds: float) -> None:
        """Retry-After: the workspace waits, and the tokens held are forfeit."""
        self._pacer.pause(workspace, seconds)
        self._held[workspace] = 0

    def give_back(self) -> None:
        for workspace, tokens in self._held.items():
            self._pacer.give_back(workspace, tokens)
        self._held.clear()


class _Answered:
    """Whether a reminder's person has answered, for one batch: each round's tenant and key
    are read once per batch, not once per row (only the ledger look-up is per person)."""

    def __init__(self, uows: UnitOfWorkFactory, keys: KeyStore) -> None:
        self._uows = uows
        self._keys = keys
        self._rounds: dict[int, tuple[int, bytes] | None] = {}  # round -> (tenant, key)

    async def __call__(self, row: Delivery) -> bool:
        async with self._uows() as uow:
            if row.round_id not in self._rounds:
                self._rounds[row.round_id] = await self._round_key(uow, row.round_id)
            found = self._rounds[row.round_id]
            if found is None:
                return True  # no round, or its key is gone: the round is long over
            tenant_id, key = found
            return await uow.answers.has_claimed(
                row.round_id, pseudonym(key, tenant_id, row.member_id, row.round_id)
            )

    async def _round_key(self, uow: UnitOfWork, round_id: int) -> tuple[int, bytes] | None:
        found = await uow.rounds.get(round_id)
        if found is None:
            return None
        tenants = {t.id: t.slug for t in await uow.organisation.list_tenants()}
        key = self._keys.get(tenants[found.tenant_id], found.id)
        return None if key is None else (found.tenant_id, key)


async def _send_one(
    uows: UnitOfWorkFactory,
    messengers: Mapping[Platform, Messenger],
    clock: Clock,
    allowance: _Allowance,
    answered: _Answered,
    invitation_for: InvitationFor,
    row: Delivery,
    sent: list[tuple[int, MessageRef]],
) -> SendReport | None:
    """One row's outcome; None: not sent because the batch must stop (see send_due)."""
    is_reminder = row.kind != INVITATION
    known = {p.value for p in Platform}
    messenger = messengers.get(Platform(row.platform)) if row.platform in known else None
    invitation = await invitation_for(row)
    if invitation is None or (is_reminder and await answered(row)):
        # The round is closed, or (reminders) the person has answered: nothing to send. The
        # tally says "handled", the same word for both, so it tells nothing about anyone.
        async with uows() as uow:
            await uow.deliveries.delete(row.id)
            await uow.deliveries.tally(
                row.round_id, row.workspace, row.kind.split(":")[0], "handled"
            )
            await uow.commit()
        return SendReport(skipped=1)
    if messenger is None or not row.recipient:
        return await _record(uows, clock, row, DeliveryStatus.UNREACHABLE, None, "no_platform")
    to = Recipient(Platform(row.platform), row.workspace, row.recipient, row.locale)
    key = delivery_key(row.round_id, row.member_id, row.kind)
    if row.claimed_at is not None and row.attempts > 0 and isinstance(messenger, Recovering):
        # Claimed before by a sender that did not record an outcome: it may have sent.
        found = await messenger.already_delivered(to, key)
        if found is not None:
            await _record(uows, clock, row, DeliveryStatus.SENT, found, None)
            return SendReport(recovered=1)
    if not await allowance.spend(row.workspace):
        return None
    try:
        if is_reminder:
            message = await messenger.send_reminder(to, invitation)
        else:
            message = await messenger.send_invitation(to, invitation)
    except DeliveryError as exc:
        if exc.permanent:
            return await _record(uows, clock, row, DeliveryStatus.UNREACHABLE, None, exc.reason)
        if exc.retry_after:
            allowance.pause(row.workspace, exc.retry_after)
        if row.attempts + 1 >= MAX_ATTEMPTS:
            return await _record(uows, clock, row, DeliveryStatus.FAILED, None, exc.reason)
        delay = exc.retry_after or min(300.0, 2.0 ** (row.attempts + 1))
        async with uows() as uow:
            await uow.deliveries.retry_later(
                row.id, clock.now() + timedelta(seconds=delay), exc.reason
            )
            await uow.commit()
        return SendReport(retried=1)
    if is_reminder or not isinstance(messenger, Recovering):
        # A platform that cannot be asked after a crash (Teams) gets each send recorded at
        # once: a crash then repeats at most the message in flight, not the whole batch.
        return await _record(uows, clock, row, DeliveryStatus.SENT, message, None)
    sent.append((row.id, message))
    return SendReport(sent=1)


async def _record(
    uows: UnitOfWorkFactory,
    clock: Clock,
    row: Delivery,
    status: DeliveryStatus,
    message: MessageRef | None,
    error: str | None,
) -> SendReport:
    async with uows() as uow:
        if row.kind != INVITATION:
            # Handled reminders leave no per-person trace (see the module docstring).
            await uow.deliveries.delete(row.id)
            await uow.deliveries.tally(row.round_id, row.workspace, "reminder", status.value)
        else:
            await uow.deliveries.finish(row.id, status, clock.now(), message, error)
        await uow.commit()
    if status is not DeliveryStatus.SENT:
        log.warning("delivery not sent", extra={"status": status.value, "reason": error})
    return {
        DeliveryStatus.SENT: SendReport(sent=1),
        DeliveryStatus.FAILED: SendReport(failed=1),
        DeliveryStatus.UNREACHABLE: SendReport(unreachable=1),
    }.get(status, SendReport())


def _platform_of(member: Member, tenant: Tenant) -> tuple[str, str, str]:
    if member.slack_user_id:
        return Platform.SLACK.value, tenant.slack_team_id or "", member.slack_user_id
    if member.teams_aad_id:
        return Platform.TEAMS.value, tenant.teams_tenant_id or "", member.teams_aad_id
    return "none", "", ""


DueAt = Callable[[Member], datetime]


def _rows(
    org: Organisation, members: Sequence[Member], round_id: int, kind: str, due_at: DueAt
) -> list[NewDelivery]:
    rows = []
    for member in members:
        platform, workspace, recipient = _platform_of(member, org.tenant)
        rows.append(
            NewDelivery(
                round_id,
                member.id,
                kind,
                platform,
                workspace,
                recipient,
                member.locale,
                due_at(member),
            )
        )
    return rows


async def _round_members(
    uow: UnitOfWork, round_id: int
) -> tuple[Organisation, list[Member]] | None:
    found = await uow.rounds.get(round_id)
    if found is None:
        return None
    org = await uow.organisation.load(found.tenant_id)
    by_id = {m.id: m for m in org.members}
    return org, [by_id[entry.member_id] for entry in await uow.rounds.members(round_id)]


async def materialise(uows: UnitOfWorkFactory, round_id: int, kind: str, due_at: DueAt) -> int:
    """One row per member of the round's snapshot for ``kind``; idempotent (unique rows), so
    a double fire, a catch-up sweep or a second replica adds nothing. Reminder rows are
    deleted once handled, so a reminder kind is materialised once per round (a marker)."""
    async with uows() as uow:
        snapshot = await _round_members(uow, round_id)
        if snapshot is None:
            return 0
        if kind != INVITATION and await uow.deliveries.tallied(round_id, kind, MATERIALISED):
            return 0
        org, members = snapshot
        added = await uow.deliveries.add_many(_rows(org, members, round_id, kind, due_at))
        if kind != INVITATION:
            await uow.deliveries.tally(round_id, "", kind, MATERIALISED)
        await uow.commit()
    return added


async def materialise_round(
    uows: UnitOfWorkFactory, round_id: int, due_at: Mapping[str, DueAt]
) -> int:
    """All of a round's rows at once — ``due_at`` maps each kind ("invitation", "reminder:N")
    to its due time — in one transaction, and only the first time: when the invitation rows
    exist already, nothing is added. A reminder row is deleted once handled (see the module
    docstring), so re-adding rows on every sweep, as ``materialise`` would, sent a reminder
    again each sweep until the person answered."""
    async with uows() as uow:
        snapshot = await _round_members(uow, round_id)
        if snapshot is None:
            return 0
        org, members = snapshot
        added = await uow.deliveries.add_many(
            _rows(org, members, round_id, INVITATION, due_at[INVITATION])
        )
        if added:
            for kind in sorted(set(due_at) - {INVITATION}):
                added += await uow.deliveries.add_many(
                    _rows(org, members, round_id, kind, due_at[kind])
                )
        await uow.commit()
    return added


CACHE_SECONDS = 60


@dataclass
class _RoundView:
    """What invitations to one round need, read once per CACHE_SECONDS."""

    fetched: datetime
    round: Round
    zones: dict[int, str]  # member id -> time zone
    closes: dict[str, str] = field(default_factory=dict)  # time zone -> closing time, shown


def invitations_from(uows: UnitOfWorkFactory, clock: Clock) -> InvitationFor:
    """What a delivery row says, built at send time: None once the round no longer takes
    answers (a late invitation or reminder is dropped, not sent). The round, its members'
    time zones and its closing time in each zone are cached briefly: a fan-out to thousands
    must not reload or reformat them per message."""
    cache: dict[int, _RoundView] = {}

    async def invitation_for(row: Delivery) -> Invitation | None:
        now = clock.now()
        view = cache.get(row.round_id)
        if view is None or (now - view.fetched).total_seconds() > CACHE_SECONDS:
            async with uows() as uow:
                found = await uow.rounds.get(row.round_id)
                if found is None:
                    return None
                org = await uow.organisation.load(found.tenant_id)
            view = _RoundView(now, found, {m.id: m.timezone for m in org.members})
            cache[row.round_id] = view
        found = view.round
        if not found.accepts_answers(now):
            return None
        zone = view.zones.get(row.member_id, "UTC")
        closes = view.closes.get(zone)
        if closes is None:
            closes = found.closes_at.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")
            view.closes[zone] = closes
        key = delivery_key(row.round_id, row.member_id, row.kind)
        return Invitation(found.id, found.period, len(found.items), closes, key)

    return invitation_for

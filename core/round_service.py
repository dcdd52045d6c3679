"""Use cases of a round's life: open (snapshot, items, key), close (shuffle), release
(frozen, hashed), shred keys after the grace period. The CLI calls these now; the scheduler
will call the same functions."""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from core.anonymity.release import (
    CommentInput,
    MetricInput,
    Release,
    ReleaseInput,
    UnitNode,
    build_release,
)
from core.anonymity.storage_groups import answer_units
from core.anonymity.thresholds import Thresholds
from core.clock import Clock
from core.errors import NotFound, TempcheckError
from core.keys import KeyStatus, KeyStore
from core.organisation import Organisation, Unit
from core.ports import UnitOfWork, UnitOfWorkFactory
from core.question_sets import require_tenant
from core.rotation import plan_round, with_factors
from core.rounds import (
    NewAnswer,
    NewRound,
    Round,
    RoundStatus,
    SnapshotMember,
    SnapshotUnit,
    StoredRelease,
)

log = logging.getLogger(__name__)

DEFAULT_DURATION = timedelta(days=7)
DEFAULT_RELEASE_DELAY_HOURS = 24


@dataclass(frozen=True)
class OpenedRound:
    round: Round
    created: bool  # False: the unit already had a round for this period (idempotent)
    eligible: int


def period_of(now: datetime, timezone: str) -> str:
    """The ISO week in the organisation's time zone, e.g. ``2026-W48``."""
    year, week, _ = now.astimezone(ZoneInfo(timezone)).isocalendar()
    return f"{year}-W{week:02d}"


async def tenant_thresholds(uow: UnitOfWork, tenant_id: int) -> Thresholds:
    stored = await uow.organisation.thresholds(tenant_id)
    return Thresholds.from_dict(stored) if stored else Thresholds()


def _pick_unit(org: Organisation, unit_path: str | None) -> Unit:
    if unit_path is None:
        roots = [u for u in org.units if u.parent_id is None]
        if not roots:
            raise NotFound("round.no_units", tenant=org.tenant.slug)
        return roots[0]
    unit = org.unit_by_path().get(unit_path)
    if unit is None:
        raise NotFound("unit.not_found", unit=unit_path)
    return unit


def _covered(
    org: Organisation, unit: Unit, exclude: Collection[str]
) -> tuple[set[int], list[Unit]]:
    """The units a round of ``unit`` covers: its subtree minus the subtrees of ``exclude``
    (paths of units strictly below it, which have rounds of their own)."""
    subtree = set(org.subtree_ids(unit.id))
    by_path = org.unit_by_path()
    excluded: list[Unit] = []
    for path in sorted(set(exclude)):
        carved = by_path.get(path)
        if carved is None:
            raise NotFound("unit.not_found", unit=path)
        if carved.id == unit.id or carved.id not in subtree:
            raise TempcheckError("round.exclude_outside", unit=path, root=unit.path)
        excluded.append(carved)
    for carved in excluded:
        subtree -= org.subtree_ids(carved.id)
    return subtree, excluded


async def _overlapping(
    uow: UnitOfWork, org: Organisation, unit: Unit, covered: set[int]
) -> Round | None:
    """An open round that covers any of ``covered`` (a member is in one open round at most)."""
    # Only rounds of the unit's ancestors or of units inside its subtree can share a unit.
    by_id = org.unit_by_id()
    related = set(org.subtree_ids(unit.id))
    parent = unit.parent_id
    while parent is not None and parent not in related:
        related.add(parent)
        parent = by_id[parent].parent_id
    for candidate in await uow.rounds.open_rounds_for_units(related):
        if covered & {u.unit_id for u in await uow.rounds.units(candidate.id)}:
            return candidate
    return None


async def open_round(
    uows: UnitOfWorkFactory,
    keys: KeyStore,
    clock: Clock,
    *,
    tenant_slug: str,
    actor: str,
    unit_path: str | None = None,
    exclude: Collection[str] = (),
    period: str | None = None,
    set_key: str = "default",
    duration: timedelta = DEFAULT_DURATION,
    release_delay_hours: int = DEFAULT_RELEASE_DELAY_HOURS,
    timezone: str = "Europe/Oslo",
) -> OpenedRound:
    """Open ``unit_path``'s round for ``period`` (idempotent: an existing one is returned).

    The round asks every active member whose home unit is in the unit's subtree, minus the
    subtrees of ``exclude`` (units below it with a cadence of their own, which get rounds of
    their own). Refused while an open round covers any of the same units, and when fewer
    than ``k_eligible`` people would be asked."""
    now = clock.now()
    async with uows() as uow:
        tenant = await require_tenant(uow, tenant_slug)
        org = await uow.organisation.load(tenant.id)
        unit = _pick_unit(org, unit_path)
        period = period or period_of(now, timezone)
        subtree, excluded = _covered(org, unit, exclude)
        for existing in await uow.rounds.list(tenant.id):
            if existing.unit_id == unit.id and existing.period == period:
                members = await uow.rounds.members(existing.id)
                return OpenedRound(existing, False, len(members))
        # Windows never overlap: a member is in at most one open round at a time.
        overlapping = await _overlapping(uow, org, unit, subtree)
        if overlapping is not None:
            raise TempcheckError("round.overlap", round=overlapping.id, period=period)
        thresholds = await tenant_thresholds(uow, tenant.id)
        thresholds.validate()
        homes = {m.id: m.home_unit_id for m in org.active_members() if m.home_unit_id in subtree}
        if len(homes) < thresholds.k_eligible:
            # Answers that could never be shown must not be collected at all.
            raise TempcheckError(
                "round.too_few_eligible", eligible=len(homes), k=thresholds.k_eligible
            )
        parents = {
            u.id: (u.parent_id if u.id != unit.id else None) for u in org.units if u.id in subtree
        }
        stored_under = answer_units(parents, homes, thresholds.k_eligible)
        members = [SnapshotMember(m, homes[m], stored_under[m]) for m in sorted(homes)]
        stored = await uow.questions.latest(tenant.id, set_key)
        if stored is None:
            raise NotFound("question_set.not_stored", key=set_key, version="-")
        index = await uow.rounds.count_for_unit(unit.id)
        # Follow-up measurement: a completed measure's factors are asked again (issue 8).
        # (Imported here: core.measures reads releases through this module.)
        from core.measures import required_factors

        follow_up = await required_factors(uow, tenant.id, unit.id, now, covering=parents)
        planned = with_factors(
            stored.question_set, plan_round(stored.question_set, index), follow_up
        )
        units = [SnapshotUnit(u, p) for u, p in sorted(parents.items())]
        new = NewRound(
            tenant_id=tenant.id,
            unit_id=unit.id,
            period=period,
            plan_index=index,
            question_set_id=stored.id,
            thresholds=thresholds,
            opened_at=now,
            closes_at=now + duration,
            release_delay_hours=release_delay_hours,
        )
        created = await uow.rounds.add(
            new, [stored.item_ids[i] for i in planned.items], units, members
        )
        keys.create(tenant.slug, created.id)
        await uow.audit.record(
            tenant.id,
            now,
            actor,
            "round.open",
            {
                "round": created.id,
                "unit": unit.path,
                "period": period,
                "excluded": [u.path for u in excluded],
                "follow_up": sorted(follow_up),
                "eligible": len(members),
                "thresholds": thresholds.to_dict(),
            },
        )
        await uow.commit()
    log.info("round opened", extra={"round_id": created.id, "eligible": len(members)})
    return OpenedRound(created, True, len(members))


async def _require_round(uow: UnitOfWork, round_id: int) -> Round:
    found = await uow.rounds.get(round_id)
    if found is None:
        raise NotFound("round.not_found", round=round_id)
    return found


async def close_round(uows: UnitOfWorkFactory, clock: Clock, round_id: int, *, actor: str) -> Round:
    """Close a round: no more answers; rewrite its answer rows in random order."""
    async with uows() as uow:
        found = await _require_round(uow, round_id)
        if found.status is not RoundStatus.OPEN:
            return found
        now = clock.now()
        await uow.answers.shuffle(round_id)
        # Closed late (the scheduler was down)? It took no answers after ``closes_at``, so it
        # counts as closed then: release and key shredding keep their places in the calendar.
        closed_at = min(now, found.closes_at)
        await uow.rounds.set_status(round_id, RoundStatus.CLOSED, closed_at=closed_at)
        await uow.audit.record(found.tenant_id, now, actor, "round.close", {"round": round_id})
        await uow.commit()
        return await _require_round(uow, round_id)


async def close_due_rounds(uows: UnitOfWorkFactory, clock: Clock, *, actor: str) -> list[int]:
    async with uows() as uow:
        due = [
            r.id
            for t in await uow.organisation.list_tenants()
            for r in await uow.rounds.list(t.id)
            if r.status is RoundStatus.OPEN and r.closes_at <= clock.now()
        ]
    for round_id in due:
        await close_round(uows, clock, round_id, actor=actor)
    return due


async def release_input(uow: UnitOfWork, found: Round) -> ReleaseInput:
    units = await uow.rounds.units(found.id)
    unit_ids = {u.unit_id for u in units}
    eligible: dict[str, int] = {str(u.unit_id): 0 for u in units}
    for member in await uow.rounds.members(found.id):
        eligible[str(member.answer_unit_id)] += 1
    by_item: dict[int, list[NewAnswer]] = {item.item_row_id: [] for item in found.items}
    for answer in await uow.answers.answers(found.id):
        by_item.setdefault(answer.item_row_id, []).append(answer)
    respondents: dict[str, int] = {str(u.unit_id): 0 for u in units}
    if found.items:
        # Every submission writes one row per item (None for "prefer not to say"), so the
        # rows of the first item count the unit's respondents.
        for answer in by_item[found.items[0].item_row_id]:
            respondents[str(answer.unit_id)] += 1
    metrics = []
    for item in found.items:
        values: dict[str, list[int]] = {str(u.unit_id): [] for u in units}
        for answer in by_item[item.item_row_id]:
            if answer.value is not None:
                value = item.points + 1 - answer.value if item.reverse else answer.value
                values[str(answer.unit_id)].append(value)
        metrics.append(
            MetricInput(
                metric=item.factor,
                sensitive=item.sensitive,
                values={k: tuple(sorted(v)) for k, v in values.items()},
            )
        )
    comments = sorted(
        (
            CommentInput(str(c.unit_id), c.audience, c.text)
            for c in await uow.answers.comments(found.id)
        ),
        key=lambda c: (c.unit, c.audience, c.text),
    )
    return ReleaseInput(
        round_id=str(found.id),
        units=tuple(
            UnitNode(str(u.unit_id), str(u.parent_id) if u.parent_id in unit_ids else None)
            for u in units
        ),
        eligible=eligible,
        respondents=respondents,
        metrics=tuple(metrics),
        comments=tuple(comments),
        thresholds=found.thresholds,
    )


async def release_round(
    uows: UnitOfWorkFactory, clock: Clock, round_id: int, *, actor: str
) -> StoredRelease:
    """Freeze the round's release. Releasing again recomputes it and must match the hash."""
    now = clock.now()
    async with uows() as uow:
        found = await _require_round(uow, round_id)
        if found.status is RoundStatus.OPEN:
            raise TempcheckError("round.release_open", round=round_id)
        due = found.release_due
        if due is not None and now < due:
            raise TempcheckError("round.release_not_due", round=round_id, due=due.isoformat())
        release = build_release(await release_input(uow, found))
        stored = await uow.rounds.release(round_id)
        if stored is not None:
            if stored.hash != release.hash:
                raise TempcheckError("round.release_mismatch", round=round_id)
            return stored
        stored = StoredRelease(round_id, release.to_json(), release.hash, now)
        await uow.rounds.save_release(stored)
        await uow.rounds.set_status(round_id, RoundStatus.RELEASED, released_at=now)
        await uow.audit.record(
            found.tenant_id, now, actor, "round.release", {"round": round_id, "hash": release.hash}
        )
        await uow.commit()
        return stored


async def read_release(
    uows: UnitOfWorkFactory, clock: Clock, round_id: int, *, viewer: str, purpose: str
) -> Release:
    """The only way to read results: a frozen release, and the reading is audit-logged."""
    async with uows() as uow:
        found = await _require_round(uow, round_id)
        stored = await uow.rounds.release(round_id)
        if stored is None:
            raise TempcheckError("round.not_released", round=round_id)
        await uow.audit.record(
            found.tenant_id,
            clock.now(),
            viewer,
            "release.read",
            {"round": round_id, "purpose": purpose},
        )
        await uow.commit()
    return Release.from_json(stored.document)


async def shred_due_keys(
    uows: UnitOfWorkFactory, keys: KeyStore, clock: Clock, *, actor: str
) -> list[int]:
    """Destroy keys KEY_SHRED_GRACE after close and delete the ledger; keep only the count."""
    now = clock.now()
    shredded: list[int] = []
    async with uows() as uow:
        tenants = {t.id: t.slug for t in await uow.organisation.list_tenants()}
        candidates = [
            r
            for tenant_id in tenants
            for r in await uow.rounds.list(tenant_id)
            if r.keys_shredded_at is None and (due := r.shred_due()) is not None and due <= now
        ]
    for found in candidates:
        # The key goes first: if the database step fails, the ledger left behind is already
        # unlinkable, and the next sweep deletes it.
        keys.destroy(tenants[found.tenant_id], found.id)
        async with uows() as uow:
            count = await uow.answers.ledger_count(found.id)
            await uow.answers.delete_ledger(found.id)
            await uow.rounds.mark_shredded(found.id, now, count)
            await uow.audit.record(
                found.tenant_id, now, actor, "round.keys_shredded", {"round": found.id}
            )
            await uow.commit()
        shredded.append(found.id)
    return shredded


async def key_statuses(
    uows: UnitOfWorkFactory, keys: KeyStore, *, tenant_slug: str
) -> Sequence[tuple[Round, KeyStatus]]:
    async with uows() as uow:
        tenant = await require_tenant(uow, tenant_slug)
        rounds = await uow.rounds.list(tenant.id)
    return [(r, keys.status(tenant.slug, r.id)) for r in rounds]


async def list_rounds(uows: UnitOfWorkFactory, *, tenant_slug: str) -> Sequence[Round]:
    async with uows() as uow:
        tenant = await require_tenant(uow, tenant_slug)
        return await uow.rounds.list(tenant.id)


async def change_thresholds(
    uows: UnitOfWorkFactory,
    clock: Clock,
    *,
    tenant_slug: str,
    changes: dict[str, int],
    actor: str,
) -> Thresholds:
    """Raise thresholds for future rounds. Open rounds keep the values frozen at open."""
    async with uows() as uow:
        tenant = await require_tenant(uow, tenant_slug)
        current = await tenant_thresholds(uow, tenant.id)
        unknown = set(changes) - set(current.to_dict())
        if unknown:
            raise TempcheckError("thresholds.unknown", names=", ".join(sorted(unknown)))
        merged: dict[str, object] = {**current.to_dict(), **changes}
        if "k_resp" in changes and "k_eligible" not in changes:
            # k_eligible's floor is k_resp + 1: carry it along instead of refusing the raise.
            merged["k_eligible"] = max(current.k_eligible, changes["k_resp"] + 1)
        updated = Thresholds.from_dict(merged)
        updated.validate()
        current.check_change(updated)
        await uow.organisation.set_thresholds(tenant.id, updated.to_dict())
        await uow.audit.record(
            tenant.id,
            clock.now(),
            actor,
            "thresholds.change",
            {"old": current.to_dict(), "new": updated.to_dict()},
        )
        await uow.commit()
        return updated

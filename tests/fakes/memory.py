"""In-memory repositories and unit of work: the hand-written fake of core's storage ports.

The repository contract tests run the same assertions against this fake, SQLite and
PostgreSQL, so the fake cannot drift from the real thing.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from types import TracebackType
from typing import Self

from core.delivery import MATERIALISED, Delivery, DeliveryStatus, NewDelivery
from core.destinations import ChannelRef, Purpose
from core.followup import (
    Assessment,
    AssessmentFields,
    AssessmentStatus,
    Consultation,
    Evidence,
    Measure,
    MeasureFields,
    NewConsultation,
    NewEvidence,
)
from core.messenger import MessageRef
from core.organisation import Member, MemberFields, Organisation, RoleGrant, Tenant, Unit
from core.ports import (
    AuditEntry,
    ContactRequest,
    StoredChannel,
    StoredConversation,
    StoredQuestionSet,
)
from core.posts import NewPost, Post, PostStatus
from core.questions import QuestionSet
from core.rounds import (
    NewAnswer,
    NewComment,
    NewRound,
    Round,
    RoundItem,
    RoundStatus,
    SnapshotMember,
    SnapshotUnit,
    StoredRelease,
)
from core.wheel import NewWheelEntry, StoredWheelEntry


class IntegrityError(Exception):
    """What a unique constraint would raise in a real database."""


@dataclass
class MemoryState:
    tenants: dict[int, Tenant] = field(default_factory=dict)
    units: dict[int, Unit] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    grants: list[RoleGrant] = field(default_factory=list)
    sets: dict[int, StoredQuestionSet] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)
    thresholds: dict[int, dict[str, object]] = field(default_factory=dict)
    cadences: dict[int, dict[int, dict[str, object]]] = field(default_factory=dict)
    channels: dict[int, dict[tuple[int, Purpose], ChannelRef]] = field(default_factory=dict)
    contacts: dict[int, list[ContactRequest]] = field(default_factory=dict)
    rounds: dict[int, Round] = field(default_factory=dict)
    round_members: dict[int, list[SnapshotMember]] = field(default_factory=dict)
    round_units: dict[int, list[SnapshotUnit]] = field(default_factory=dict)
    releases: dict[int, StoredRelease] = field(default_factory=dict)
    answers: dict[int, list[NewAnswer]] = field(default_factory=dict)
    comments: dict[int, list[NewComment]] = field(default_factory=dict)
    ledger: dict[int, set[str]] = field(default_factory=dict)
    deliveries: dict[int, Delivery] = field(default_factory=dict)
    claimed_by: dict[int, str] = field(default_factory=dict)  # delivery id -> sender
    posts: dict[int, tuple[Post, datetime | None]] = field(default_factory=dict)
    tallies: dict[tuple[int, str, str, str], int] = field(default_factory=dict)
    conversations: dict[tuple[int, str], StoredConversation] = field(default_factory=dict)
    teams_channels: dict[tuple[int, str], StoredChannel] = field(default_factory=dict)
    wheel: dict[int, StoredWheelEntry] = field(default_factory=dict)
    evidence: dict[int, Evidence] = field(default_factory=dict)
    assessments: dict[int, Assessment] = field(default_factory=dict)
    consultations: list[Consultation] = field(default_factory=list)
    measures: dict[int, Measure] = field(default_factory=dict)
    reminders: set[tuple[int, date, int]] = field(default_factory=set)
    next_id: int = 1

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1


class MemoryOrganisationRepository:
    def __init__(self, state: MemoryState) -> None:
        self._s = state

    async def get_tenant(self, slug: str) -> Tenant | None:
        return next((t for t in self._s.tenants.values() if t.slug == slug), None)

    async def add_tenant(self, slug: str, name: str) -> Tenant:
        if await self.get_tenant(slug):
            raise IntegrityError(f"tenant {slug} exists")
        tenant = Tenant(self._s.new_id(), slug, name)
        self._s.tenants[tenant.id] = tenant
        return tenant

    async def list_tenants(self) -> Sequence[Tenant]:
        return sorted(self._s.tenants.values(), key=lambda t: t.slug)

    async def load(self, tenant_id: int) -> Organisation:
        tenant = self._s.tenants[tenant_id]
        units = sorted(
            (u for u in self._s.units.values() if u.tenant_id == tenant_id), key=lambda u: u.path
        )
        members = sorted(
            (m for m in self._s.members.values() if m.tenant_id == tenant_id), key=lambda m: m.email
        )
        ids = {m.id for m in members}
        grants = sorted(
            (g for g in self._s.grants if g.member_id in ids),
            key=lambda g: (g.member_id, g.role.value, g.unit_id or 0),
        )
        return Organisation(tenant, tuple(units), tuple(members), tuple(grants))

    async def add_unit(self, tenant_id: int, path: str, parent_id: int | None) -> Unit:
        if any(u.tenant_id == tenant_id and u.path == path for u in self._s.units.values()):
            raise IntegrityError(f"unit {path} exists")
        unit = Unit(self._s.new_id(), tenant_id, path, parent_id)
        self._s.units[unit.id] = unit
        return unit

    def _check_unique(self, tenant_id: int, fields: MemberFields, member_id: int | None) -> None:
        for other in self._s.members.values():
            if other.tenant_id != tenant_id or other.id == member_id:
                continue
            if (
                other.email == fields.email
                or (fields.slack_user_id and other.slack_user_id == fields.slack_user_id)
                or (fields.teams_aad_id and other.teams_aad_id == fields.teams_aad_id)
            ):
                raise IntegrityError(f"member {fields.email} clashes with {other.email}")

    async def add_member(self, tenant_id: int, fields: MemberFields) -> Member:
        self._check_unique(tenant_id, fields, None)
        member = Member(id=self._s.new_id(), tenant_id=tenant_id, **fields.__dict__)
        self._s.members[member.id] = member
        return member

    async def update_member(self, member_id: int, fields: MemberFields) -> Member:
        current = self._s.members[member_id]
        self._check_unique(current.tenant_id, fields, member_id)
        member = replace(current, **fields.__dict__)
        self._s.members[member_id] = member
        return member

    async def tenant_for_slack_team(self, team_id: str) -> Tenant | None:
        return next((t for t in self._s.tenants.values() if t.slack_team_id == team_id), None)

    async def link_slack_team(self, tenant_id: int, team_id: str) -> None:
        self._s.tenants[tenant_id] = replace(self._s.tenants[tenant_id], slack_team_id=team_id)

    async def member_by_slack_id(self, tenant_id: int, slack_user_id: str) -> Member | None:
        return next(
            (
                m
                for m in self._s.members.values()
                if m.tenant_id == tenant_id and m.slack_user_id == slack_user_id
            ),
            None,
        )

    async def members_by_slack_id(self, tenant_id: int) -> Mapping[str, Member]:
        return {
            m.slack_user_id: m
            for m in self._s.members.values()
            if m.tenant_id == tenant_id and m.slack_user_id
        }

    async def tenant_for_teams_tenant(self, teams_tenant_id: str) -> Tenant | None:
        wanted = teams_tenant_id.lower()
        return next((t for t in self._s.tenants.values() if t.teams_tenant_id == wanted), None)

    async def link_teams_tenant(self, tenant_id: int, teams_tenant_id: str) -> None:
        self._s.tenants[tenant_id] = replace(
            self._s.tenants[tenant_id], teams_tenant_id=teams_tenant_id.lower()
        )

    async def member_by_teams_id(self, tenant_id: int, aad_object_id: str) -> Member | None:
        wanted = aad_object_id.lower()
        return next(
            (
                m
                for m in self._s.members.values()
                if m.tenant_id == tenant_id and m.teams_aad_id == wanted
            ),
            None,
        )

    async def add_contact_request(self, tenant_id: int, member_id: int, at: datetime) -> int:
        request = ContactRequest(self._s.new_id(), member_id, at, "open")
        self._s.contacts.setdefault(tenant_id, []).append(request)
        return request.id

    async def contact_requests(self, tenant_id: int) -> Sequence[ContactRequest]:
        return list(self._s.contacts.get(tenant_id, []))

    async def thresholds(self, tenant_id: int) -> Mapping[str, object] | None:
        return self._s.thresholds.get(tenant_id)

    async def set_thresholds(self, tenant_id: int, values: Mapping[str, object]) -> None:
        self._s.thresholds[tenant_id] = dict(values)

    async def replace_grants(self, tenant_id: int, grants: Sequence[RoleGrant]) -> None:
        ids = {m.id for m in self._s.members.values() if m.tenant_id == tenant_id}
        self._s.grants = [g for g in self._s.grants if g.member_id not in ids] + list(grants)

    async def cadences(self, tenant_id: int) -> Mapping[int, Mapping[str, object]]:
        return copy.deepcopy(self._s.cadences.get(tenant_id, {}))

    async def set_cadence(
        self, tenant_id: int, unit_id: int, settings: Mapping[str, object] | None
    ) -> None:
        own = self._s.cadences.setdefault(tenant_id, {})
        if settings is None:
            own.pop(unit_id, None)
        else:
            own[unit_id] = copy.deepcopy(dict(settings))

    async def channels(self, tenant_id: int) -> Mapping[tuple[int, Purpose], ChannelRef]:
        return dict(self._s.channels.get(tenant_id, {}))

    async def set_channel(
        self, tenant_id: int, unit_id: int, purpose: Purpose, channel: ChannelRef | None
    ) -> None:
        own = self._s.channels.setdefault(tenant_id, {})
        if channel is None:
            own.pop((unit_id, purpose), None)
        else:
            own[(unit_id, purpose)] = channel


class MemoryQuestionSetRepository:
    def __init__(self, state: MemoryState) -> None:
        self._s = state

    def _of(self, tenant_id: int, key: str) -> list[StoredQuestionSet]:
        return sorted(
            (s for s in self._s.sets.values() if s.tenant_id == tenant_id and s.key == key),
            key=lambda s: s.version,
        )

    async def latest(self, tenant_id: int, key: str) -> StoredQuestionSet | None:
        versions = self._of(tenant_id, key)
        return versions[-1] if versions else None

    async def get(self, tenant_id: int, key: str, version: int) -> StoredQuestionSet | None:
        return next((s for s in self._of(tenant_id, key) if s.version == version), None)

    async def add_version(
        self, tenant_id: int, question_set: QuestionSet, content_hash: str, at: datetime
    ) -> StoredQuestionSet:
        latest = await self.latest(tenant_id, question_set.key)
        stored = StoredQuestionSet(
            id=self._s.new_id(),
            tenant_id=tenant_id,
            key=question_set.key,
            version=(latest.version if latest else 0) + 1,
            content_hash=content_hash,
            created_at=at,
            question_set=question_set,
            item_ids={item.id: self._s.new_id() for item in question_set.items},
        )
        self._s.sets[stored.id] = stored
        return stored

    async def by_id(self, set_id: int) -> StoredQuestionSet | None:
        return self._s.sets.get(set_id)

    async def list_versions(self, tenant_id: int) -> Sequence[StoredQuestionSet]:
        return sorted(
            (s for s in self._s.sets.values() if s.tenant_id == tenant_id),
            key=lambda s: (s.key, s.version),
        )


class MemoryRoundRepository:
    def __init__(self, state: MemoryState) -> None:
        self._s = state

    async def add(
        self,
        new: NewRound,
        items: Sequence[int],
        units: Sequence[SnapshotUnit],
        members: Sequence[SnapshotMember],
    ) -> Round:
        if any(
            r.unit_id == new.unit_id and r.period == new.period for r in self._s.rounds.values()
        ):
            raise IntegrityError("round exists for unit and period")
        stored = next(s for s in self._s.sets.values() if s.id == new.question_set_id)
        by_row = {row: key for key, row in stored.item_ids.items()}
        qs = stored.question_set
        round_items = tuple(
            RoundItem(
                item_row_id=row,
                item_key=by_row[row],
                factor=qs.item(by_row[row]).factor,
                sensitive=qs.item(by_row[row]).sensitive,
                reverse=qs.item(by_row[row]).reverse,
                points=qs.scale_of(qs.item(by_row[row])).points,
            )
            for row in items
        )
        created = Round(
            id=self._s.new_id(), status=RoundStatus.OPEN, items=round_items, **new.__dict__
        )
        self._s.rounds[created.id] = created
        self._s.round_units[created.id] = sorted(units, key=lambda u: u.unit_id)
        self._s.round_members[created.id] = sorted(members, key=lambda m: m.member_id)
        return created

    async def get(self, round_id: int) -> Round | None:
        return self._s.rounds.get(round_id)

    async def list(self, tenant_id: int) -> Sequence[Round]:
        return sorted(
            (r for r in self._s.rounds.values() if r.tenant_id == tenant_id), key=lambda r: r.id
        )

    async def count_for_unit(self, unit_id: int) -> int:
        return sum(1 for r in self._s.rounds.values() if r.unit_id == unit_id)

    async def open_rounds_for_units(self, unit_ids: Collection[int]) -> Sequence[Round]:
        return [
            r
            for r in self._s.rounds.values()
            if r.unit_id in unit_ids and r.status is RoundStatus.OPEN
        ]

    async def set_status(
        self,
        round_id: int,
        status: RoundStatus,
        *,
        closed_at: datetime | None = None,
        released_at: datetime | None = None,
    ) -> None:
        current = self._s.rounds[round_id]
        self._s.rounds[round_id] = replace(
            current,
            status=status,
            closed_at=closed_at or current.closed_at,
            released_at=released_at or current.released_at,
        )

    async def mark_shredded(self, round_id: int, at: datetime, respondents: int) -> None:
        self._s.rounds[round_id] = replace(
            self._s.rounds[round_id], keys_shredded_at=at, respondents=respondents
        )

    async def members(self, round_id: int) -> Sequence[SnapshotMember]:
        return list(self._s.round_members.get(round_id, []))

    async def member(self, round_id: int, member_id: int) -> SnapshotMember | None:
        return next(
            (m for m in self._s.round_members.get(round_id, []) if m.member_id == member_id),
            None,
        )

    async def units(self, round_id: int) -> Sequence[SnapshotUnit]:
        return list(self._s.round_units.get(round_id, []))

    async def save_release(self, release: StoredRelease) -> None:
        if release.round_id in self._s.releases:
            raise IntegrityError("release exists")
        self._s.releases[release.round_id] = release

    async def release(self, round_id: int) -> StoredRelease | None:
        return self._s.releases.get(round_id)


class MemoryAnswerRepository:
    def __init__(self, state: MemoryState) -> None:
        self._s = state

    async def claim(
        self, round_id: int, pseudonyms: Sequence[str], *, open_at: datetime
    ) -> set[str]:
        found = self._s.rounds.get(round_id)
        if found is None or not found.accepts_answers(open_at):
            return set()
        claimed = self._s.ledger.setdefault(round_id, set())
        fresh = set(pseudonyms) - claimed
        claimed.update(fresh)
        return fresh

    async def has_claimed(self, round_id: int, pseudonym: str) -> bool:
        return pseudonym in self._s.ledger.get(round_id, set())

    async def ledger_count(self, round_id: int) -> int:
        return len(self._s.ledger.get(round_id, set()))

    async def delete_ledger(self, round_id: int) -> None:
        self._s.ledger.pop(round_id, None)

    async def add_answers(self, round_id: int, answers: Sequence[NewAnswer]) -> None:
        self._s.answers.setdefault(round_id, []).extend(answers)

    async def add_comment(self, round_id: int, comment: NewComment) -> None:
        self._s.comments.setdefault(round_id, []).append(comment)

    async def answers(self, round_id: int) -> Sequence[NewAnswer]:
        return list(self._s.answers.get(round_id, []))

    async def comments(self, round_id: int) -> Sequence[NewComment]:
        return list(self._s.comments.get(round_id, []))

    async def shuffle(self, round_id: int) -> None:
        rng = random.SystemRandom()
        rng.shuffle(self._s.answers.get(round_id, []))
        rng.shuffle(self._s.comments.get(round_id, []))


class MemoryConversationRepository:
    def __init__(self, state: MemoryState) -> None:
        self._s = state

    async def save(
        self, tenant_id: int, aad_object_id: str, reference: Mapping[str, object], at: datetime
    ) -> bool:
        key = (tenant_id, aad_object_id.lower())
        current = self._s.conversations.get(key)
        if current is not None and dict(current.reference) == dict(reference):
            return False
        self._s.conversations[key] = StoredConversation(
            tenant_id, key[1], copy.deepcopy(dict(reference)), at
        )
        return True

    async def get(self, tenant_id: int, aad_object_id: str) -> StoredConversation | None:
        return self._s.conversations.get((tenant_id, aad_object_id.lower()))

    async def reachable(self, tenant_id: int) -> frozenset[str]:
        return frozenset(aad for (tenant, aad) in self._s.conversations if tenant == tenant_id)

    async def save_channel(self, channel: StoredChannel) -> bool:
        key = (channel.tenant_id, channel.channel_id)
        current = self._s.teams_channels.get(key)
        fresh = replace(
            channel,
            team_name=channel.team_name or (current.team_name if current else None),
            channel_name=channel.channel_name or (current.channel_name if current else None),
            reference=copy.deepcopy(dict(channel.reference)),
        )
        if current is not None and replace(current, updated_at=fresh.updated_at) == fresh:
            return False
        self._s.teams_channels[key] = fresh
        return True

    async def channel(self, tenant_id: int, channel_id: str) -> StoredChannel | None:
        return self._s.teams_channels.get((tenant_id, channel_id))

    async def channels(self, tenant_id: int) -> Sequence[StoredChannel]:
        found = [c for (t, _), c in self._s.teams_channels.items() if t == tenant_id]
        return sorted(found, key=lambda c: (c.team_name or "", c.channel_name or "", c.channel_id))

    async def forget_channel(self, tenant_id: int, channel_id: str) -> None:
        self._s.teams_channels.pop((tenant_id, channel_id), None)


class MemoryPostRepository:
    def __init__(self, state: MemoryState) -> None:
        self._s = state

    async def add_many(self, rows: Sequence[NewPost]) -> int:
        existing = {(p.round_id, p.unit_id, p.purpose, p.target) for p, _ in self._s.posts.values()}
        added = 0
        for row in rows:
            if (row.round_id, row.unit_id, row.purpose, row.target) in existing:
                continue
            post = Post(**row.__dict__, id=self._s.new_id(), status=PostStatus.PENDING, attempts=0)
            self._s.posts[post.id] = (post, None)
            existing.add((row.round_id, row.unit_id, row.purpose, row.target))
            added += 1
        return added

    async def claim(
        self, now: datetime, lease_expired_before: datetime, limit: int, worker: str
    ) -> Sequence[Post]:
        def due(post: Post, claimed_at: datetime | None) -> bool:
            if post.status is PostStatus.PENDING:
                return post.due_at <= now
            return (
                post.status is PostStatus.SENDING
                and claimed_at is not None
                and claimed_at < lease_expired_before
            )

        chosen = sorted(p.id for p, at in self._s.posts.values() if due(p, at))[:limit]
        claimed = []
        for post_id in chosen:
            post = self._s.posts[post_id][0]
            post = replace(post, status=PostStatus.SENDING, attempts=post.attempts + 1)
            self._s.posts[post_id] = (post, now)
            claimed.append(post)
        return claimed

    async def finish(
        self, post_id: int, status: PostStatus, message: MessageRef | None, error: str | None
    ) -> None:
        post, at = self._s.posts[post_id]
        self._s.posts[post_id] = (replace(post, status=status), at)

    async def retry_later(self, post_id: int, due_at: datetime, error: str) -> None:
        post, _ = self._s.posts[post_id]
        self._s.posts[post_id] = (replace(post, status=PostStatus.PENDING, due_at=due_at), None)

    async def counts(self) -> Mapping[tuple[str, str], int]:
        out: dict[tuple[str, str], int] = {}
        for post, _ in self._s.posts.values():
            key = (post.purpose.value, post.status.value)
            out[key] = out.get(key, 0) + 1
        return out


class MemoryDeliveryRepository:
    def __init__(self, state: MemoryState) -> None:
        self._s = state

    async def add_many(self, rows: Sequence[NewDelivery]) -> int:
        existing = {(d.round_id, d.member_id, d.kind) for d in self._s.deliveries.values()}
        added = 0
        for row in rows:
            if (row.round_id, row.member_id, row.kind) in existing:
                continue
            delivery = Delivery(
                **row.__dict__,
                id=self._s.new_id(),
                status=DeliveryStatus.PENDING,
                attempts=0,
                claimed_at=None,
            )
            self._s.deliveries[delivery.id] = delivery
            existing.add((row.round_id, row.member_id, row.kind))
            added += 1
        return added

    async def claim(
        self, now: datetime, lease_expired_before: datetime, limit: int, worker: str
    ) -> Sequence[Delivery]:
        def due(d: Delivery) -> bool:
            if d.status is DeliveryStatus.PENDING:
                return d.due_at <= now
            return (
                d.status is DeliveryStatus.SENDING
                and d.claimed_at is not None
                and d.claimed_at < lease_expired_before
            )

        chosen = sorted(
            (d for d in self._s.deliveries.values() if due(d)), key=lambda d: (d.due_at, d.id)
        )[:limit]
        for d in chosen:
            self._s.deliveries[d.id] = replace(
                d, status=DeliveryStatus.SENDING, claimed_at=now, attempts=d.attempts + 1
            )
            self._s.claimed_by[d.id] = worker
        return chosen

    async def hand_back(self, delivery_ids: Sequence[int], worker: str) -> int:
        back = 0
        for delivery_id in delivery_ids:
            d = self._s.deliveries.get(delivery_id)
            if d is None or d.status is not DeliveryStatus.SENDING:
                continue
            if self._s.claimed_by.get(delivery_id) != worker:
                continue
            self._s.deliveries[delivery_id] = replace(
                d, status=DeliveryStatus.PENDING, claimed_at=None, attempts=d.attempts - 1
            )
            del self._s.claimed_by[delivery_id]
            back += 1
        return back

    async def finish(
        self,
        delivery_id: int,
        status: DeliveryStatus,
        at: datetime,
        message: MessageRef | None,
        error: str | None,
    ) -> None:
        self._s.deliveries[delivery_id] = replace(self._s.deliveries[delivery_id], status=status)

    async def finish_sent(self, sent: Sequence[tuple[int, MessageRef]], at: datetime) -> None:
        for delivery_id, _ in sent:
            self._s.deliveries[delivery_id] = replace(
                self._s.deliveries[delivery_id], status=DeliveryStatus.SENT
            )

    async def retry_later(self, delivery_id: int, due_at: datetime, error: str) -> None:
        self._s.deliveries[delivery_id] = replace(
            self._s.deliveries[delivery_id],
            status=DeliveryStatus.PENDING,
            due_at=due_at,
            claimed_at=None,
        )

    async def delete(self, delivery_id: int) -> None:
        self._s.deliveries.pop(delivery_id, None)

    async def tally(self, round_id: int, workspace: str, kind: str, status: str) -> None:
        key = (round_id, workspace, kind, status)
        self._s.tallies[key] = self._s.tallies.get(key, 0) + 1

    async def counts(self, tenant_id: int | None = None) -> Mapping[tuple[str, str, str], int]:
        rounds = {
            r.id for r in self._s.rounds.values() if tenant_id is None or r.tenant_id == tenant_id
        }
        out: dict[tuple[str, str, str], int] = {}
        for d in self._s.deliveries.values():
            if d.round_id in rounds:
                key = (d.workspace, d.kind.split(":")[0], d.status.value)
                out[key] = out.get(key, 0) + 1
        for (round_id, workspace, kind, status), count in self._s.tallies.items():
            if round_id in rounds and status != MATERIALISED:
                out[(workspace, kind, status)] = out.get((workspace, kind, status), 0) + count
        return out

    async def tallied(self, round_id: int, kind: str, status: str) -> bool:
        return any((r, k, s) == (round_id, kind, status) for (r, _, k, s) in self._s.tallies)


class MemoryWheelRepository:
    def __init__(self, state: MemoryState) -> None:
        self._s = state

    async def add(self, entry: NewWheelEntry) -> StoredWheelEntry:
        stored = StoredWheelEntry(**entry.__dict__, id=self._s.new_id())
        self._s.wheel[stored.id] = stored
        return stored

    async def list(self, tenant_id: int, start: date, end: date) -> Sequence[StoredWheelEntry]:
        found = [
            e for e in self._s.wheel.values() if e.tenant_id == tenant_id and start <= e.day <= end
        ]
        return sorted(found, key=lambda e: (e.day, e.id))

    async def remove(self, tenant_id: int, entry_id: int) -> StoredWheelEntry | None:
        found = self._s.wheel.get(entry_id)
        if found is None or found.tenant_id != tenant_id:
            return None
        return self._s.wheel.pop(entry_id)


class MemoryAuditLog:
    def __init__(self, state: MemoryState) -> None:
        self._s = state

    async def record(
        self,
        tenant_id: int | None,
        at: datetime,
        actor: str,
        action: str,
        detail: Mapping[str, object],
    ) -> None:
        self._s.audit.append(
            AuditEntry(self._s.new_id(), tenant_id, at, actor, action, dict(detail))
        )

    async def entries(self, tenant_id: int | None) -> Sequence[AuditEntry]:
        return [e for e in self._s.audit if e.tenant_id == tenant_id]


class MemoryFollowupRepository:
    def __init__(self, state: MemoryState) -> None:
        self._s = state

    async def add_evidence(self, new: NewEvidence, at: datetime) -> Evidence:
        found = Evidence(**new.__dict__, id=self._s.new_id(), created_at=at)
        self._s.evidence[found.id] = found
        return found

    async def evidence(self, tenant_id: int) -> Sequence[Evidence]:
        return [e for e in self._s.evidence.values() if e.tenant_id == tenant_id]

    async def add_assessment(
        self, tenant_id: int, unit_id: int, factor: str, fields: AssessmentFields, at: datetime
    ) -> Assessment:
        found = Assessment(
            **fields.__dict__,
            id=self._s.new_id(),
            tenant_id=tenant_id,
            unit_id=unit_id,
            factor=factor,
            status=AssessmentStatus.DRAFT,
            created_at=at,
            updated_at=at,
        )
        self._s.assessments[found.id] = found
        return found

    async def update_assessment(
        self, assessment_id: int, fields: AssessmentFields, at: datetime
    ) -> Assessment:
        found = replace(self._s.assessments[assessment_id], **fields.__dict__, updated_at=at)
        self._s.assessments[assessment_id] = found
        return found

    async def complete_assessment(self, assessment_id: int, at: datetime) -> Assessment:
        found = replace(
            self._s.assessments[assessment_id],
            status=AssessmentStatus.COMPLETED,
            completed_at=at,
            updated_at=at,
        )
        self._s.assessments[assessment_id] = found
        return found

    async def get_assessment(self, assessment_id: int) -> Assessment | None:
        return self._s.assessments.get(assessment_id)

    async def assessments(self, tenant_id: int) -> Sequence[Assessment]:
        return [a for a in self._s.assessments.values() if a.tenant_id == tenant_id]

    async def add_consultation(self, new: NewConsultation, at: datetime) -> Consultation:
        found = Consultation(**new.__dict__, id=self._s.new_id(), recorded_at=at)
        self._s.consultations.append(found)
        return found

    async def consultations(self, tenant_id: int) -> Sequence[Consultation]:
        return [c for c in self._s.consultations if c.tenant_id == tenant_id]

    async def add_measure(
        self, tenant_id: int, fields: MeasureFields, created_by: str, at: datetime
    ) -> Measure:
        found = Measure(
            **fields.__dict__,
            id=self._s.new_id(),
            tenant_id=tenant_id,
            created_by=created_by,
            created_at=at,
            updated_at=at,
        )
        self._s.measures[found.id] = found
        return found

    async def update_measure(self, measure_id: int, fields: MeasureFields, at: datetime) -> Measure:
        found = replace(self._s.measures[measure_id], **fields.__dict__, updated_at=at)
        self._s.measures[measure_id] = found
        return found

    async def get_measure(self, measure_id: int) -> Measure | None:
        return self._s.measures.get(measure_id)

    async def measures(self, tenant_id: int) -> Sequence[Measure]:
        return [m for m in self._s.measures.values() if m.tenant_id == tenant_id]

    async def claim_reminder(self, measure_id: int, day: date, member_id: int) -> bool:
        key = (measure_id, day, member_id)
        if key in self._s.reminders:
            return False
        self._s.reminders.add(key)
        return True

    async def release_reminder(self, measure_id: int, day: date, member_id: int) -> None:
        self._s.reminders.discard((measure_id, day, member_id))


class MemoryUnitOfWork:
    """Works on a private copy of the state; commit publishes it, anything else discards it."""

    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    async def __aenter__(self) -> Self:
        self._state = copy.deepcopy(self._store.state)
        self.organisation = MemoryOrganisationRepository(self._state)
        self.questions = MemoryQuestionSetRepository(self._state)
        self.audit = MemoryAuditLog(self._state)
        self.rounds = MemoryRoundRepository(self._state)
        self.answers = MemoryAnswerRepository(self._state)
        self.deliveries = MemoryDeliveryRepository(self._state)
        self.posts = MemoryPostRepository(self._state)
        self.wheel = MemoryWheelRepository(self._state)
        self.conversations = MemoryConversationRepository(self._state)
        self.followup = MemoryFollowupRepository(self._state)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        del self._state

    async def commit(self) -> None:
        self._store.state = copy.deepcopy(self._state)

    async def rollback(self) -> None:
        self._state.__dict__.update(copy.deepcopy(self._store.state).__dict__)


class MemoryStore:
    """The fake database; calling it opens a unit of work (a UnitOfWorkFactory)."""

    def __init__(self) -> None:
        self.state = MemoryState()

    def __call__(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self)

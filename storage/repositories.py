"""SQLAlchemy implementations of core's repository ports."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import fields
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.destinations import ChannelRef, Purpose
from core.messenger import Platform
from core.organisation import Member, MemberFields, Organisation, Role, RoleGrant, Tenant, Unit
from core.ports import (
    AuditEntry,
    ContactRequest,
    StoredChannel,
    StoredConversation,
    StoredQuestionSet,
)
from core.questions import QuestionSet, dump_yaml, parse_question_set
from storage.models import (
    AuditRow,
    ContactRequestRow,
    MemberRow,
    QuestionItemRow,
    QuestionSetRow,
    RoleGrantRow,
    TeamsChannelRow,
    TeamsConversationRow,
    TenantRow,
    UnitCadenceRow,
    UnitChannelRow,
    UnitRow,
)


def aware(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything we store is UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _tenant(row: TenantRow) -> Tenant:
    return Tenant(row.id, row.slug, row.name, row.slack_team_id, row.teams_tenant_id)


def _unit(row: UnitRow) -> Unit:
    return Unit(row.id, row.tenant_id, row.path, row.parent_id)


_MEMBERS: Any = MemberRow.__table__
_MEMBER_BY_SLACK = select(_MEMBERS).where(
    _MEMBERS.c.tenant_id == bindparam("tenant_id"),
    _MEMBERS.c.slack_user_id == bindparam("slack_user_id"),
)

_MEMBERS_ON_SLACK = select(_MEMBERS).where(
    _MEMBERS.c.tenant_id == bindparam("tenant_id"), _MEMBERS.c.slack_user_id.is_not(None)
)


def _member(row: Any) -> Member:
    """From an ORM row or a Core row of the members table."""
    values = {f.name: getattr(row, f.name) for f in fields(MemberFields)}
    return Member(id=row.id, tenant_id=row.tenant_id, **values)


def _apply(row: MemberRow, values: MemberFields) -> None:
    for f in fields(MemberFields):
        setattr(row, f.name, getattr(values, f.name))


def parse_stored_set(row: QuestionSetRow) -> QuestionSet:
    return _parse_document(row.document, f"<stored {row.key} v{row.version}>")


@lru_cache(maxsize=64)
def _parse_document(document: str, label: str) -> QuestionSet:
    # A stored version never changes, and the parsed set is immutable: parse it once.
    return parse_question_set(document, label)


class SqlOrganisationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def get_tenant(self, slug: str) -> Tenant | None:
        row = await self._s.scalar(select(TenantRow).where(TenantRow.slug == slug))
        return _tenant(row) if row else None

    async def add_tenant(self, slug: str, name: str) -> Tenant:
        row = TenantRow(slug=slug, name=name)
        self._s.add(row)
        await self._s.flush()
        return _tenant(row)

    async def list_tenants(self) -> Sequence[Tenant]:
        rows = await self._s.scalars(select(TenantRow).order_by(TenantRow.slug))
        return [_tenant(r) for r in rows]

    async def load(self, tenant_id: int) -> Organisation:
        tenant_row = await self._s.get_one(TenantRow, tenant_id)
        units = await self._s.scalars(
            select(UnitRow).where(UnitRow.tenant_id == tenant_id).order_by(UnitRow.path)
        )
        members = await self._s.scalars(
            select(MemberRow).where(MemberRow.tenant_id == tenant_id).order_by(MemberRow.email)
        )
        grants = await self._s.scalars(
            select(RoleGrantRow)
            .join(MemberRow, MemberRow.id == RoleGrantRow.member_id)
            .where(MemberRow.tenant_id == tenant_id)
            .order_by(RoleGrantRow.member_id, RoleGrantRow.role, RoleGrantRow.unit_id)
        )
        return Organisation(
            tenant=_tenant(tenant_row),
            units=tuple(_unit(u) for u in units),
            members=tuple(_member(m) for m in members),
            grants=tuple(
                RoleGrant(
                    g.member_id,
                    Role(g.role),
                    g.unit_id,
                    aware(g.expires_at) if g.expires_at else None,
                )
                for g in grants
            ),
        )

    async def add_unit(self, tenant_id: int, path: str, parent_id: int | None) -> Unit:
        row = UnitRow(tenant_id=tenant_id, path=path, parent_id=parent_id)
        self._s.add(row)
        await self._s.flush()
        return _unit(row)

    async def add_member(self, tenant_id: int, fields: MemberFields) -> Member:
        row = MemberRow(tenant_id=tenant_id)
        _apply(row, fields)
        self._s.add(row)
        await self._s.flush()
        return _member(row)

    async def update_member(self, member_id: int, fields: MemberFields) -> Member:
        row = await self._s.get_one(MemberRow, member_id)
        _apply(row, fields)
        await self._s.flush()
        return _member(row)

    async def tenant_for_slack_team(self, team_id: str) -> Tenant | None:
        row = await self._s.scalar(select(TenantRow).where(TenantRow.slack_team_id == team_id))
        return _tenant(row) if row else None

    async def link_slack_team(self, tenant_id: int, team_id: str) -> None:
        row = await self._s.get_one(TenantRow, tenant_id)
        row.slack_team_id = team_id
        await self._s.flush()

    async def member_by_slack_id(self, tenant_id: int, slack_user_id: str) -> Member | None:
        # Runs for every Slack interaction: one prebuilt Core statement, no ORM objects.
        params = {"tenant_id": tenant_id, "slack_user_id": slack_user_id}
        row = (await self._s.execute(_MEMBER_BY_SLACK, params)).first()
        return _member(row) if row else None

    async def members_by_slack_id(self, tenant_id: int) -> Mapping[str, Member]:
        rows = await self._s.execute(_MEMBERS_ON_SLACK, {"tenant_id": tenant_id})
        return {row.slack_user_id: _member(row) for row in rows}

    async def tenant_for_teams_tenant(self, teams_tenant_id: str) -> Tenant | None:
        row = await self._s.scalar(
            select(TenantRow).where(TenantRow.teams_tenant_id == teams_tenant_id.lower())
        )
        return _tenant(row) if row else None

    async def link_teams_tenant(self, tenant_id: int, teams_tenant_id: str) -> None:
        row = await self._s.get_one(TenantRow, tenant_id)
        row.teams_tenant_id = teams_tenant_id.lower()
        await self._s.flush()

    async def member_by_teams_id(self, tenant_id: int, aad_object_id: str) -> Member | None:
        row = await self._s.scalar(
            select(MemberRow).where(
                MemberRow.tenant_id == tenant_id, MemberRow.teams_aad_id == aad_object_id.lower()
            )
        )
        return _member(row) if row else None

    async def add_contact_request(self, tenant_id: int, member_id: int, at: datetime) -> int:
        row = ContactRequestRow(
            tenant_id=tenant_id, member_id=member_id, created_at=at, status="open"
        )
        self._s.add(row)
        await self._s.flush()
        return row.id

    async def contact_requests(self, tenant_id: int) -> Sequence[ContactRequest]:
        rows = await self._s.scalars(
            select(ContactRequestRow)
            .where(ContactRequestRow.tenant_id == tenant_id)
            .order_by(ContactRequestRow.id)
        )
        return [ContactRequest(r.id, r.member_id, aware(r.created_at), r.status) for r in rows]

    async def thresholds(self, tenant_id: int) -> Mapping[str, object] | None:
        row = await self._s.get_one(TenantRow, tenant_id)
        return dict(row.thresholds) if row.thresholds is not None else None

    async def set_thresholds(self, tenant_id: int, values: Mapping[str, object]) -> None:
        row = await self._s.get_one(TenantRow, tenant_id)
        row.thresholds = dict(values)
        await self._s.flush()

    async def replace_grants(self, tenant_id: int, grants: Sequence[RoleGrant]) -> None:
        member_ids = select(MemberRow.id).where(MemberRow.tenant_id == tenant_id)
        await self._s.execute(delete(RoleGrantRow).where(RoleGrantRow.member_id.in_(member_ids)))
        self._s.add_all(
            RoleGrantRow(
                member_id=g.member_id, role=g.role.value, unit_id=g.unit_id, expires_at=g.expires_at
            )
            for g in grants
        )
        await self._s.flush()

    async def cadences(self, tenant_id: int) -> Mapping[int, Mapping[str, object]]:
        rows = await self._s.scalars(
            select(UnitCadenceRow).where(UnitCadenceRow.tenant_id == tenant_id)
        )
        return {r.unit_id: dict(r.settings) for r in rows}

    async def set_cadence(
        self, tenant_id: int, unit_id: int, settings: Mapping[str, object] | None
    ) -> None:
        row = await self._s.scalar(
            select(UnitCadenceRow).where(
                UnitCadenceRow.tenant_id == tenant_id, UnitCadenceRow.unit_id == unit_id
            )
        )
        if settings is None:
            if row is not None:
                await self._s.delete(row)
        elif row is None:
            self._s.add(
                UnitCadenceRow(tenant_id=tenant_id, unit_id=unit_id, settings=dict(settings))
            )
        else:
            row.settings = dict(settings)
        await self._s.flush()

    async def channels(self, tenant_id: int) -> Mapping[tuple[int, Purpose], ChannelRef]:
        rows = await self._s.scalars(
            select(UnitChannelRow).where(UnitChannelRow.tenant_id == tenant_id)
        )
        return {
            (r.unit_id, Purpose(r.purpose)): ChannelRef(Platform(r.platform), r.channel)
            for r in rows
        }

    async def set_channel(
        self, tenant_id: int, unit_id: int, purpose: Purpose, channel: ChannelRef | None
    ) -> None:
        await self._s.execute(
            delete(UnitChannelRow).where(
                UnitChannelRow.unit_id == unit_id, UnitChannelRow.purpose == purpose.value
            )
        )
        if channel is not None:
            self._s.add(
                UnitChannelRow(
                    tenant_id=tenant_id,
                    unit_id=unit_id,
                    purpose=purpose.value,
                    platform=channel.platform.value,
                    channel=channel.channel,
                )
            )
        await self._s.flush()


class SqlQuestionSetRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def _stored(self, row: QuestionSetRow) -> StoredQuestionSet:
        items = await self._s.execute(
            select(QuestionItemRow.item_key, QuestionItemRow.id).where(
                QuestionItemRow.set_id == row.id
            )
        )
        return StoredQuestionSet(
            id=row.id,
            tenant_id=row.tenant_id,
            key=row.key,
            version=row.version,
            content_hash=row.content_hash,
            created_at=aware(row.created_at),
            question_set=parse_stored_set(row),
            item_ids={key: item_id for key, item_id in items.all()},
        )

    async def latest(self, tenant_id: int, key: str) -> StoredQuestionSet | None:
        row = await self._s.scalar(
            select(QuestionSetRow)
            .where(QuestionSetRow.tenant_id == tenant_id, QuestionSetRow.key == key)
            .order_by(QuestionSetRow.version.desc())
            .limit(1)
        )
        return await self._stored(row) if row else None

    async def get(self, tenant_id: int, key: str, version: int) -> StoredQuestionSet | None:
        row = await self._s.scalar(
            select(QuestionSetRow).where(
                QuestionSetRow.tenant_id == tenant_id,
                QuestionSetRow.key == key,
                QuestionSetRow.version == version,
            )
        )
        return await self._stored(row) if row else None

    async def add_version(
        self, tenant_id: int, question_set: QuestionSet, content_hash: str, at: datetime
    ) -> StoredQuestionSet:
        current = await self._s.scalar(
            select(func.max(QuestionSetRow.version)).where(
                QuestionSetRow.tenant_id == tenant_id, QuestionSetRow.key == question_set.key
            )
        )
        row = QuestionSetRow(
            tenant_id=tenant_id,
            key=question_set.key,
            version=(current or 0) + 1,
            content_hash=content_hash,
            document=dump_yaml(question_set),
            created_at=at,
        )
        self._s.add(row)
        await self._s.flush()
        self._s.add_all(
            QuestionItemRow(
                set_id=row.id,
                item_key=item.id,
                factor=item.factor,
                anchor=item.anchor,
                sensitive=item.sensitive,
            )
            for item in question_set.items
        )
        await self._s.flush()
        return await self._stored(row)

    async def by_id(self, set_id: int) -> StoredQuestionSet | None:
        row = await self._s.get(QuestionSetRow, set_id)
        return await self._stored(row) if row else None

    async def list_versions(self, tenant_id: int) -> Sequence[StoredQuestionSet]:
        rows = await self._s.scalars(
            select(QuestionSetRow)
            .where(QuestionSetRow.tenant_id == tenant_id)
            .order_by(QuestionSetRow.key, QuestionSetRow.version)
        )
        return [await self._stored(r) for r in rows]


class SqlAuditLog:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def record(
        self,
        tenant_id: int | None,
        at: datetime,
        actor: str,
        action: str,
        detail: Mapping[str, object],
    ) -> None:
        self._s.add(
            AuditRow(tenant_id=tenant_id, at=at, actor=actor, action=action, detail=dict(detail))
        )
        await self._s.flush()

    async def entries(self, tenant_id: int | None) -> Sequence[AuditEntry]:
        rows = await self._s.scalars(
            select(AuditRow).where(AuditRow.tenant_id == tenant_id).order_by(AuditRow.id)
        )
        return [
            AuditEntry(r.id, r.tenant_id, aware(r.at), r.actor, r.action, dict(r.detail))
            for r in rows
        ]


class SqlConversationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def _row(self, tenant_id: int, aad_object_id: str) -> TeamsConversationRow | None:
        return await self._s.scalar(
            select(TeamsConversationRow).where(
                TeamsConversationRow.tenant_id == tenant_id,
                TeamsConversationRow.aad_object_id == aad_object_id.lower(),
            )
        )

    async def save(
        self, tenant_id: int, aad_object_id: str, reference: Mapping[str, object], at: datetime
    ) -> bool:
        row = await self._row(tenant_id, aad_object_id)
        if row is None:
            self._s.add(
                TeamsConversationRow(
                    tenant_id=tenant_id,
                    aad_object_id=aad_object_id.lower(),
                    reference=dict(reference),
                    updated_at=at,
                )
            )
        elif row.reference != dict(reference):
            row.reference = dict(reference)
            row.updated_at = at
        else:
            return False
        await self._s.flush()
        return True

    async def get(self, tenant_id: int, aad_object_id: str) -> StoredConversation | None:
        row = await self._row(tenant_id, aad_object_id)
        if row is None:
            return None
        return StoredConversation(
            row.tenant_id, row.aad_object_id, dict(row.reference), aware(row.updated_at)
        )

    async def reachable(self, tenant_id: int) -> frozenset[str]:
        rows = await self._s.scalars(
            select(TeamsConversationRow.aad_object_id).where(
                TeamsConversationRow.tenant_id == tenant_id
            )
        )
        return frozenset(rows)

    async def _channel_row(self, tenant_id: int, channel_id: str) -> TeamsChannelRow | None:
        return await self._s.scalar(
            select(TeamsChannelRow).where(
                TeamsChannelRow.tenant_id == tenant_id, TeamsChannelRow.channel_id == channel_id
            )
        )

    async def save_channel(self, channel: StoredChannel) -> bool:
        row = await self._channel_row(channel.tenant_id, channel.channel_id)
        if row is None:
            row = TeamsChannelRow(tenant_id=channel.tenant_id, channel_id=channel.channel_id)
            self._s.add(row)
        before = (row.team_id, row.team_name, row.channel_name, row.reference)
        row.team_id = channel.team_id
        row.team_name = channel.team_name or row.team_name
        row.channel_name = channel.channel_name or row.channel_name
        row.reference = dict(channel.reference)
        if (row.team_id, row.team_name, row.channel_name, row.reference) == before:
            return False
        row.updated_at = channel.updated_at
        await self._s.flush()
        return True

    async def channel(self, tenant_id: int, channel_id: str) -> StoredChannel | None:
        row = await self._channel_row(tenant_id, channel_id)
        return _stored_channel(row) if row is not None else None

    async def channels(self, tenant_id: int) -> Sequence[StoredChannel]:
        rows = await self._s.scalars(
            select(TeamsChannelRow).where(TeamsChannelRow.tenant_id == tenant_id)
        )
        found = [_stored_channel(r) for r in rows]
        return sorted(found, key=lambda c: (c.team_name or "", c.channel_name or "", c.channel_id))

    async def forget_channel(self, tenant_id: int, channel_id: str) -> None:
        await self._s.execute(
            delete(TeamsChannelRow).where(
                TeamsChannelRow.tenant_id == tenant_id, TeamsChannelRow.channel_id == channel_id
            )
        )


def _stored_channel(row: TeamsChannelRow) -> StoredChannel:
    return StoredChannel(
        row.tenant_id,
        row.channel_id,
        row.team_id,
        row.team_name,
        row.channel_name,
        dict(row.reference),
        aware(row.updated_at),
    )

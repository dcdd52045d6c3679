"""Ports the domain needs from storage. Small Protocols; storage/ and tests/fakes implement them."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Protocol, Self

if TYPE_CHECKING:
    from core.delivery import DeliveryRepository
    from core.destinations import ChannelRef, Purpose
    from core.followup import FollowupRepository
    from core.posts import PostRepository
    from core.wheel import WheelRepository

from core.organisation import Member, MemberFields, Organisation, RoleGrant, Tenant, Unit
from core.questions import QuestionSet
from core.rounds import (
    NewAnswer,
    NewComment,
    NewRound,
    Round,
    RoundStatus,
    SnapshotMember,
    SnapshotUnit,
    StoredRelease,
)


@dataclass(frozen=True)
class StoredQuestionSet:
    """One immutable version of a tenant's question set."""

    id: int
    tenant_id: int
    key: str
    version: int
    content_hash: str
    created_at: datetime
    question_set: QuestionSet
    item_ids: Mapping[str, int]  # item key -> stored item row id (answers point at these)


@dataclass(frozen=True)
class ContactRequest:
    id: int
    member_id: int
    created_at: datetime
    status: str


@dataclass(frozen=True)
class StoredConversation:
    """Where to reach a person on Teams: the platform's conversation reference (opaque JSON),
    per tenant and AAD object id. An address only; nothing about answers."""

    tenant_id: int
    aad_object_id: str
    reference: Mapping[str, object]
    updated_at: datetime


@dataclass(frozen=True)
class StoredChannel:
    """A Teams channel the app is installed in: its address (the conversation reference,
    opaque JSON) and the names an operator recognises it by."""

    tenant_id: int
    channel_id: str
    team_id: str
    team_name: str | None
    channel_name: str | None
    reference: Mapping[str, object]
    updated_at: datetime


@dataclass(frozen=True)
class AuditEntry:
    id: int
    tenant_id: int | None
    at: datetime
    actor: str
    action: str
    detail: Mapping[str, object]


class OrganisationRepository(Protocol):
    async def get_tenant(self, slug: str) -> Tenant | None: ...

    async def add_tenant(self, slug: str, name: str) -> Tenant: ...

    async def list_tenants(self) -> Sequence[Tenant]: ...

    async def load(self, tenant_id: int) -> Organisation: ...

    async def add_unit(self, tenant_id: int, path: str, parent_id: int | None) -> Unit: ...

    async def add_member(self, tenant_id: int, fields: MemberFields) -> Member: ...

    async def update_member(self, member_id: int, fields: MemberFields) -> Member: ...

    async def tenant_for_slack_team(self, team_id: str) -> Tenant | None: ...

    async def link_slack_team(self, tenant_id: int, team_id: str) -> None: ...

    async def member_by_slack_id(self, tenant_id: int, slack_user_id: str) -> Member | None: ...

    async def members_by_slack_id(self, tenant_id: int) -> Mapping[str, Member]:
        """Every member of the tenant linked to a Slack user (active or not), by user id."""
        ...

    async def tenant_for_teams_tenant(self, teams_tenant_id: str) -> Tenant | None: ...

    async def link_teams_tenant(self, tenant_id: int, teams_tenant_id: str) -> None: ...

    async def member_by_teams_id(self, tenant_id: int, aad_object_id: str) -> Member | None: ...

    async def add_contact_request(self, tenant_id: int, member_id: int, at: datetime) -> int:
        """An identified "please contact me" request; it references no round or answer."""
        ...

    async def contact_requests(self, tenant_id: int) -> Sequence[ContactRequest]: ...

    async def thresholds(self, tenant_id: int) -> Mapping[str, object] | None:
        """The tenant's thresholds for future rounds (None: the defaults)."""
        ...

    async def set_thresholds(self, tenant_id: int, values: Mapping[str, object]) -> None: ...

    async def replace_grants(self, tenant_id: int, grants: Sequence[RoleGrant]) -> None:
        """Make ``grants`` the tenant's complete set of role grants."""
        ...

    async def cadences(self, tenant_id: int) -> Mapping[int, Mapping[str, object]]:
        """Units' own cadence settings (``Cadence.to_dict``), by unit id; others inherit."""
        ...

    async def set_cadence(
        self, tenant_id: int, unit_id: int, settings: Mapping[str, object] | None
    ) -> None:
        """Store a unit's own cadence settings; None removes them (it inherits again)."""
        ...

    async def channels(self, tenant_id: int) -> Mapping[tuple[int, Purpose], ChannelRef]:
        """Configured result channels, by (unit id, purpose)."""
        ...

    async def set_channel(
        self, tenant_id: int, unit_id: int, purpose: Purpose, channel: ChannelRef | None
    ) -> None:
        """Set a unit's channel for ``purpose``; None removes it (the default applies)."""
        ...


class QuestionSetRepository(Protocol):
    async def latest(self, tenant_id: int, key: str) -> StoredQuestionSet | None: ...

    async def get(self, tenant_id: int, key: str, version: int) -> StoredQuestionSet | None: ...

    async def add_version(
        self, tenant_id: int, question_set: QuestionSet, content_hash: str, at: datetime
    ) -> StoredQuestionSet:
        """Store ``question_set`` as the next version of its key (1 for a new key)."""
        ...

    async def list_versions(self, tenant_id: int) -> Sequence[StoredQuestionSet]: ...

    async def by_id(self, set_id: int) -> StoredQuestionSet | None: ...


class RoundRepository(Protocol):
    async def add(
        self,
        new: NewRound,
        items: Sequence[int],
        units: Sequence[SnapshotUnit],
        members: Sequence[SnapshotMember],
    ) -> Round:
        """Store a round with its item rows, unit tree and membership snapshot."""
        ...

    async def get(self, round_id: int) -> Round | None: ...

    async def list(self, tenant_id: int) -> Sequence[Round]: ...

    async def count_for_unit(self, unit_id: int) -> int: ...

    async def open_rounds_for_units(self, unit_ids: Collection[int]) -> Sequence[Round]: ...

    async def set_status(
        self,
        round_id: int,
        status: RoundStatus,
        *,
        closed_at: datetime | None = None,
        released_at: datetime | None = None,
    ) -> None: ...

    async def mark_shredded(self, round_id: int, at: datetime, respondents: int) -> None: ...

    async def members(self, round_id: int) -> Sequence[SnapshotMember]: ...

    async def member(self, round_id: int, member_id: int) -> SnapshotMember | None:
        """One member's snapshot entry (None: not asked in this round)."""
        ...

    async def units(self, round_id: int) -> Sequence[SnapshotUnit]: ...

    async def save_release(self, release: StoredRelease) -> None: ...

    async def release(self, round_id: int) -> StoredRelease | None: ...


class AnswerRepository(Protocol):
    async def claim(
        self, round_id: int, pseudonyms: Sequence[str], *, open_at: datetime
    ) -> set[str]:
        """Record that these pseudonyms answered; returns those that had not before (a
        pseudonym given twice is claimed once).

        Only while the stored round accepts answers at ``open_at`` (status open, before
        closes_at), checked in the same step as the claim, so that a caller holding an
        older copy of the round cannot store a late answer; nothing is claimed otherwise.
        """
        ...

    async def has_claimed(self, round_id: int, pseudonym: str) -> bool: ...

    async def ledger_count(self, round_id: int) -> int: ...

    async def delete_ledger(self, round_id: int) -> None: ...

    async def add_answers(self, round_id: int, answers: Sequence[NewAnswer]) -> None: ...

    async def add_comment(self, round_id: int, comment: NewComment) -> None: ...

    async def answers(self, round_id: int) -> Sequence[NewAnswer]: ...

    async def comments(self, round_id: int) -> Sequence[NewComment]: ...

    async def shuffle(self, round_id: int) -> None:
        """Rewrite the round's answer and comment rows under new random ids, in random
        order, destroying the physical insert order (privacy rule 11)."""
        ...


class ConversationRepository(Protocol):
    """Teams conversation references, one per tenant and AAD object id."""

    async def save(
        self, tenant_id: int, aad_object_id: str, reference: Mapping[str, object], at: datetime
    ) -> bool:
        """Store or refresh the reference; True when it was new or changed."""
        ...

    async def get(self, tenant_id: int, aad_object_id: str) -> StoredConversation | None: ...

    async def reachable(self, tenant_id: int) -> frozenset[str]:
        """The AAD object ids of the tenant that have a stored reference."""
        ...

    async def save_channel(self, channel: StoredChannel) -> bool:
        """Store or refresh a team channel (a name not given keeps the stored one); True
        when it was new or changed."""
        ...

    async def channel(self, tenant_id: int, channel_id: str) -> StoredChannel | None: ...

    async def channels(self, tenant_id: int) -> Sequence[StoredChannel]:
        """The tenant's known team channels, by team and channel name."""
        ...

    async def forget_channel(self, tenant_id: int, channel_id: str) -> None: ...


class AuditLog(Protocol):
    async def record(
        self,
        tenant_id: int | None,
        at: datetime,
        actor: str,
        action: str,
        detail: Mapping[str, object],
    ) -> None: ...

    async def entries(self, tenant_id: int | None) -> Sequence[AuditEntry]: ...


class UnitOfWork(Protocol):
    """One transaction. Leaving the block without ``commit()`` rolls everything back."""

    @property
    def organisation(self) -> OrganisationRepository: ...

    @property
    def questions(self) -> QuestionSetRepository: ...

    @property
    def audit(self) -> AuditLog: ...

    @property
    def rounds(self) -> RoundRepository: ...

    @property
    def answers(self) -> AnswerRepository: ...

    @property
    def conversations(self) -> ConversationRepository: ...

    @property
    def deliveries(self) -> DeliveryRepository: ...

    @property
    def posts(self) -> PostRepository: ...

    @property
    def wheel(self) -> WheelRepository: ...

    @property
    def followup(self) -> FollowupRepository: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...

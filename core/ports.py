"""Ports the domain needs from storage. Small Protocols; storage/ and tests/fakes implement them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from core.organisation import Member, MemberFields, Organisation, RoleGrant, Tenant, Unit
from core.questions import QuestionSet


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

    async def replace_grants(self, tenant_id: int, grants: Sequence[RoleGrant]) -> None:
        """Make ``grants`` the tenant's complete set of role grants."""
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

"""Use cases for a tenant's question sets: versioned import, lookup, listing.

A set is never edited in place: importing changed content creates the next version, and
answers point at the stored item rows of the version that was asked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.clock import Clock
from core.errors import NotFound
from core.organisation import Organisation, Tenant, Unit
from core.ports import StoredQuestionSet, UnitOfWork, UnitOfWorkFactory
from core.questions import QuestionSet, content_hash


@dataclass(frozen=True)
class QuestionImportResult:
    key: str
    version: int
    created: bool
    content_hash: str


async def require_tenant(uow: UnitOfWork, slug: str) -> Tenant:
    tenant = await uow.organisation.get_tenant(slug)
    if tenant is None:
        raise NotFound("tenant.not_found", tenant=slug)
    return tenant


def require_unit(org: Organisation, path: str) -> Unit:
    unit = org.unit_by_path().get(path)
    if unit is None:
        raise NotFound("unit.not_found", unit=path)
    return unit


async def import_question_set(
    uows: UnitOfWorkFactory,
    clock: Clock,
    question_set: QuestionSet,
    *,
    tenant_slug: str,
    actor: str,
) -> QuestionImportResult:
    digest = content_hash(question_set)
    async with uows() as uow:
        tenant = await require_tenant(uow, tenant_slug)
        latest = await uow.questions.latest(tenant.id, question_set.key)
        if latest is not None and latest.content_hash == digest:
            return QuestionImportResult(question_set.key, latest.version, False, digest)
        stored = await uow.questions.add_version(tenant.id, question_set, digest, clock.now())
        await uow.audit.record(
            tenant.id,
            clock.now(),
            actor,
            "questions.import",
            {
                "set": stored.key,
                "version": stored.version,
                "hash": digest,
                "items": len(question_set.items),
                "previous_version": latest.version if latest else None,
                "previous_hash": latest.content_hash if latest else None,
            },
        )
        await uow.commit()
        return QuestionImportResult(stored.key, stored.version, True, digest)


async def stored_question_set(
    uows: UnitOfWorkFactory, *, tenant_slug: str, key: str, version: int | None = None
) -> StoredQuestionSet:
    async with uows() as uow:
        tenant = await require_tenant(uow, tenant_slug)
        if version is None:
            stored = await uow.questions.latest(tenant.id, key)
        else:
            stored = await uow.questions.get(tenant.id, key, version)
        if stored is None:
            raise NotFound("question_set.not_stored", key=key, version=version or "-")
        return stored


async def list_question_sets(
    uows: UnitOfWorkFactory, *, tenant_slug: str
) -> Sequence[StoredQuestionSet]:
    async with uows() as uow:
        tenant = await require_tenant(uow, tenant_slug)
        return await uow.questions.list_versions(tenant.id)

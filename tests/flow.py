"""Helpers that drive the real services the way the CLI and scheduler do (no mocks)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest

from core.clock import FixedClock
from core.errors import TempcheckError
from core.keys import KeyStore
from core.org_import import import_roster
from core.organisation import Member, Organisation
from core.ports import UnitOfWorkFactory
from core.question_sets import import_question_set
from core.questions import load_default_bank
from core.roster import parse_roster
from core.round_service import OpenedRound, open_round
from core.rounds import Round
from core.submission import Submission, SubmissionResult, submit
from storage.keys import FileKeyStore

TENANT = "acme"


def roster_csv(units: dict[str, int]) -> str:
    """``{"Acme/Ops": 7}`` → a roster with 7 people whose home unit is Acme/Ops."""
    lines = ["email,name,unit,slack_user_id"]
    n = 0
    for path, count in units.items():
        for _ in range(count):
            n += 1
            lines.append(f"p{n}@acme.no,Person Nummer{n},{path},UPERSON{n:04d}")
    return "\n".join(lines) + "\n"


async def setup_org(uows: UnitOfWorkFactory, clock: FixedClock, units: dict[str, int]) -> None:
    await import_roster(
        uows, clock, parse_roster(roster_csv(units), "org.csv"), tenant_slug=TENANT, actor="t"
    )
    await import_question_set(uows, clock, load_default_bank(), tenant_slug=TENANT, actor="t")


async def organisation(uows: UnitOfWorkFactory) -> Organisation:
    async with uows() as uow:
        tenant = await uow.organisation.get_tenant(TENANT)
        assert tenant is not None
        return await uow.organisation.load(tenant.id)


def key_store(tmp_path: Path) -> KeyStore:
    return FileKeyStore(tmp_path / "keys")


async def open_for(
    uows: UnitOfWorkFactory,
    keys: KeyStore,
    clock: FixedClock,
    period: str,
    unit: str | None = None,
) -> OpenedRound:
    return await open_round(
        uows,
        keys,
        clock,
        tenant_slug=TENANT,
        actor="t",
        unit_path=unit,
        period=period,
        duration=timedelta(days=5),
        release_delay_hours=24,
    )


def answers_for(found: Round, value: int | None = 4, sensitive: int = 1) -> dict[str, int | None]:
    return {i.item_key: (sensitive if i.sensitive else value) for i in found.items}


async def answer_all(
    uows: UnitOfWorkFactory,
    keys: KeyStore,
    clock: FixedClock,
    found: Round,
    members: Sequence[Member],
    value: int | None = 4,
) -> list[SubmissionResult]:
    return [
        await submit(uows, keys, clock, Submission(found.id, m.id, answers_for(found, value)))
        for m in members
    ]


def advance(clock: FixedClock, **delta: float) -> None:
    clock.set(clock.now() + timedelta(**delta))


@contextmanager
def raises_key(key: str) -> Iterator[None]:
    """Expect a TempcheckError with this catalogue key (the message itself is translated)."""
    with pytest.raises(TempcheckError) as caught:
        yield
    assert caught.value.key == key, caught.value.key

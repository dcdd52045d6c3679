"""Rounds, submissions and the ledger on the fake, SQLite and PostgreSQL (privacy.md tests
T10, T14, T16, T24, T25, T29, T31 and the submission side of T22)."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

import pytest

from core.anonymity.thresholds import Thresholds
from core.clock import FixedClock
from core.errors import TempcheckError
from core.ledger import pseudonym
from core.org_import import import_roster
from core.ports import UnitOfWorkFactory
from core.questions import load_default_bank
from core.roster import parse_roster
from core.rotation import plan_round
from core.round_service import (
    change_thresholds,
    close_round,
    read_release,
    release_round,
)
from core.rounds import RoundStatus
from core.submission import Submission, SubmissionOutcome, has_answered, submit
from tests.flow import (
    TENANT,
    advance,
    answer_all,
    answers_for,
    key_store,
    open_for,
    organisation,
    raises_key,
    roster_csv,
    setup_org,
)


async def test_T10_nothing_before_close_late_answer_rejected_hash_stable(
    uows: UnitOfWorkFactory, clock: FixedClock, tmp_path: Path
) -> None:
    keys = key_store(tmp_path)
    await setup_org(uows, clock, {"Acme/Ops": 8})
    opened = await open_for(uows, keys, clock, "2026-W48")
    members = (await organisation(uows)).active_members()
    await answer_all(uows, keys, clock, opened.round, members[:6])
    with pytest.raises(TempcheckError) as caught:
        await read_release(uows, clock, opened.round.id, viewer="hr", purpose="peek")
    assert caught.value.key == "round.not_released"
    with pytest.raises(TempcheckError) as caught:
        await release_round(uows, clock, opened.round.id, actor="t")
    assert caught.value.key == "round.release_open"
    await close_round(uows, clock, opened.round.id, actor="t")
    late = Submission(opened.round.id, members[7].id, answers_for(opened.round))
    with pytest.raises(TempcheckError) as caught:
        await submit(uows, keys, clock, late)
    assert caught.value.key == "submission.round_closed"
    assert "could not be registered" in caught.value.render("en")
    with pytest.raises(TempcheckError) as caught:
        await release_round(uows, clock, opened.round.id, actor="t")
    assert caught.value.key == "round.release_not_due"
    advance(clock, hours=24)
    first = await release_round(uows, clock, opened.round.id, actor="t")
    advance(clock, days=3)
    again = await release_round(uows, clock, opened.round.id, actor="t")
    assert again.hash == first.hash and again.document == first.document
    release = await read_release(uows, clock, opened.round.id, viewer="hr", purpose="digest")
    assert release.hash == first.hash
    async with uows() as uow:
        entries = await uow.audit.entries((await organisation(uows)).tenant.id)
    reads = [e for e in entries if e.action == "release.read"]
    assert [(e.actor, e.detail["purpose"]) for e in reads] == [("hr", "digest")]


async def test_answers_after_closing_time_are_rejected_even_before_close_runs(
    uows: UnitOfWorkFactory, clock: FixedClock, tmp_path: Path
) -> None:
    keys = key_store(tmp_path)
    await setup_org(uows, clock, {"Acme/Ops": 6})
    opened = await open_for(uows, keys, clock, "2026-W48")
    advance(clock, days=5)
    member = (await organisation(uows)).active_members()[0]
    with raises_key("submission.round_closed"):
        await submit(
            uows, keys, clock, Submission(opened.round.id, member.id, answers_for(opened.round))
        )


async def test_T25_second_submission_is_idempotent_next_round_accepted(
    uows: UnitOfWorkFactory, clock: FixedClock, tmp_path: Path
) -> None:
    keys = key_store(tmp_path)
    await setup_org(uows, clock, {"Acme/Ops": 6})
    first = (await open_for(uows, keys, clock, "2026-W48")).round
    member = (await organisation(uows)).active_members()[0]
    one = await submit(uows, keys, clock, Submission(first.id, member.id, answers_for(first, 5)))
    two = await submit(uows, keys, clock, Submission(first.id, member.id, answers_for(first, 1)))
    assert (one.outcome, two.outcome) == (
        SubmissionOutcome.ACCEPTED,
        SubmissionOutcome.ALREADY_ANSWERED,
    )
    async with uows() as uow:
        stored = await uow.answers.answers(first.id)
        assert await uow.answers.ledger_count(first.id) == 1
    assert len(stored) == len(first.items)
    assert all(
        a.value in (5, 1)
        and (a.value == 5 or a.item_row_id in {i.item_row_id for i in first.items if i.sensitive})
        for a in stored
    )
    assert await has_answered(uows, keys, first.id, member.id)
    await close_round(uows, clock, first.id, actor="t")
    second = (await open_for(uows, keys, clock, "2026-W49")).round
    again = await submit(uows, keys, clock, Submission(second.id, member.id, answers_for(second)))
    assert again.outcome is SubmissionOutcome.ACCEPTED


async def test_T24_ledger_is_keyed_and_differs_per_round(
    uows: UnitOfWorkFactory, clock: FixedClock, tmp_path: Path
) -> None:
    keys = key_store(tmp_path)
    await setup_org(uows, clock, {"Acme/Ops": 6})
    r1 = (await open_for(uows, keys, clock, "2026-W48")).round
    member = (await organisation(uows)).active_members()[0]
    await submit(uows, keys, clock, Submission(r1.id, member.id, answers_for(r1)))
    await close_round(uows, clock, r1.id, actor="t")
    r2 = (await open_for(uows, keys, clock, "2026-W49")).round
    await submit(uows, keys, clock, Submission(r2.id, member.id, answers_for(r2)))
    k1, k2 = keys.get(TENANT, r1.id), keys.get(TENANT, r2.id)
    assert k1 is not None and k2 is not None and k1 != k2
    p1 = pseudonym(k1, member.tenant_id, member.id, r1.id)
    p2 = pseudonym(k2, member.tenant_id, member.id, r2.id)
    assert p1 != p2
    async with uows() as uow:
        assert await uow.answers.has_claimed(r1.id, p1)
        assert await uow.answers.has_claimed(r2.id, p2)
    # Not an unkeyed hash of anything an attacker could enumerate from the roster.
    for text in (
        f"{member.tenant_id}\x1f{member.id}\x1f{r1.id}",
        member.email,
        member.slack_user_id or "",
        f"{member.tenant_id}{member.id}{r1.id}",
    ):
        assert hashlib.sha256(text.encode()).hexdigest() != p1
    key_file = tmp_path / "keys" / TENANT / f"round-{r1.id}.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


async def test_T29_five_eligible_people_no_round_and_the_admin_is_told_why(
    uows: UnitOfWorkFactory, clock: FixedClock, tmp_path: Path
) -> None:
    keys = key_store(tmp_path)
    await setup_org(uows, clock, {"Acme": 2, "Acme/Ops": 3})
    with pytest.raises(TempcheckError) as caught:
        await open_for(uows, keys, clock, "2026-W48")
    assert caught.value.key == "round.too_few_eligible"
    assert "only 5 people would be asked; at least 6" in caught.value.render("en")
    assert "bare 5 personer" in caught.value.render("nb")
    async with uows() as uow:
        assert await uow.rounds.list((await organisation(uows)).tenant.id) == []


async def test_T31_every_item_of_a_round_is_offered_to_all_seven(
    uows: UnitOfWorkFactory, clock: FixedClock, tmp_path: Path
) -> None:
    keys = key_store(tmp_path)
    await setup_org(uows, clock, {"Acme/Lab": 7})
    members = (await organisation(uows)).active_members()
    bank = load_default_bank()
    for week in range(48, 52):
        found = (await open_for(uows, keys, clock, f"2026-W{week}", unit="Acme/Lab")).round
        assert tuple(i.item_key for i in found.items) == plan_round(bank, week - 48).items
        partial = dict(list(answers_for(found).items())[:-1])
        with raises_key("submission.items_mismatch"):
            await submit(uows, keys, clock, Submission(found.id, members[0].id, partial))
        results = await answer_all(uows, keys, clock, found, members, value=None)
        assert all(r.outcome is SubmissionOutcome.ACCEPTED for r in results)
        async with uows() as uow:
            snapshot = await uow.rounds.members(found.id)
            rows = await uow.answers.answers(found.id)
        assert len(snapshot) == 7
        for item in found.items:  # each item: one row (value or "prefer not") per member
            assert sum(1 for a in rows if a.item_row_id == item.item_row_id) == 7
        await close_round(uows, clock, found.id, actor="t")
        advance(clock, days=7)


async def test_T14_a_unit_split_after_round_one_does_not_recut_round_one(
    uows: UnitOfWorkFactory, clock: FixedClock, tmp_path: Path
) -> None:
    keys = key_store(tmp_path)
    await setup_org(uows, clock, {"Acme/Ops": 12})
    r1 = (await open_for(uows, keys, clock, "2026-W48")).round
    members = (await organisation(uows)).active_members()
    await answer_all(uows, keys, clock, r1, members)
    await close_round(uows, clock, r1.id, actor="t")
    split = roster_csv({"Acme/Ops/North": 6, "Acme/Ops/South": 6})
    await import_roster(uows, clock, parse_roster(split, "org.csv"), tenant_slug=TENANT, actor="t")
    advance(clock, days=2)
    org = await organisation(uows)
    ids = {u.path: str(u.id) for u in org.units}
    release1 = await read_release_after(uows, clock, r1.id)
    units1 = {c.unit for c in release1.cells}
    assert ids["Acme/Ops"] in units1
    assert ids["Acme/Ops/North"] not in units1 and ids["Acme/Ops/South"] not in units1
    r2 = (await open_for(uows, keys, clock, "2026-W49")).round
    async with uows() as uow:
        snapshot_units = {str(u.unit_id) for u in await uow.rounds.units(r2.id)}
        homes = {m.home_unit_id for m in await uow.rounds.members(r2.id)}
    assert {ids["Acme/Ops/North"], ids["Acme/Ops/South"]} <= snapshot_units
    assert {str(h) for h in homes} == {ids["Acme/Ops/North"], ids["Acme/Ops/South"]}


async def read_release_after(uows: UnitOfWorkFactory, clock: FixedClock, round_id: int):  # type: ignore[no-untyped-def]
    await release_round(uows, clock, round_id, actor="t")
    return await read_release(uows, clock, round_id, viewer="t", purpose="test")


async def test_T16_thresholds_frozen_at_open_only_raised_and_audited(
    uows: UnitOfWorkFactory, clock: FixedClock, tmp_path: Path
) -> None:
    keys = key_store(tmp_path)
    await setup_org(uows, clock, {"Acme/Ops": 8})
    opened = (await open_for(uows, keys, clock, "2026-W48")).round
    with pytest.raises(TempcheckError) as caught:
        await change_thresholds(uows, clock, tenant_slug=TENANT, changes={"k_resp": 4}, actor="hr")
    assert caught.value.key in ("anonymity.below_floor", "anonymity.lowering_rejected")
    raised = await change_thresholds(
        uows, clock, tenant_slug=TENANT, changes={"k_resp": 6}, actor="hr"
    )
    assert raised.k_resp == 6
    with pytest.raises(TempcheckError) as caught:
        await change_thresholds(uows, clock, tenant_slug=TENANT, changes={"k_resp": 5}, actor="hr")
    assert caught.value.key == "anonymity.lowering_rejected"
    async with uows() as uow:
        still = await uow.rounds.get(opened.id)
        entries = await uow.audit.entries(opened.tenant_id)
    assert still is not None and still.thresholds == Thresholds()  # frozen at open
    change = [e for e in entries if e.action == "thresholds.change"]
    assert len(change) == 1 and change[0].actor == "hr"
    await close_round(uows, clock, opened.id, actor="t")
    nxt = (await open_for(uows, keys, clock, "2026-W49")).round
    assert nxt.thresholds.k_resp == 6 and nxt.status is RoundStatus.OPEN


async def test_T22_a_yes_shows_help_to_the_respondent_and_notifies_nobody(
    uows: UnitOfWorkFactory, clock: FixedClock, tmp_path: Path
) -> None:
    keys = key_store(tmp_path)
    await setup_org(uows, clock, {"Acme/Ops": 8})
    found = (await open_for(uows, keys, clock, "2026-W48")).round
    assert any(i.sensitive for i in found.items)
    members = (await organisation(uows)).active_members()
    async with uows() as uow:
        before = len(await uow.audit.entries(found.tenant_id))
    yes = await submit(
        uows, keys, clock, Submission(found.id, members[0].id, answers_for(found, 3, sensitive=2))
    )
    no = await submit(
        uows, keys, clock, Submission(found.id, members[1].id, answers_for(found, 3, sensitive=1))
    )
    assert yes.show_help and not no.show_help
    async with uows() as uow:
        assert len(await uow.audit.entries(found.tenant_id)) == before


async def test_overlapping_rounds_are_refused_and_reopening_is_idempotent(
    uows: UnitOfWorkFactory, clock: FixedClock, tmp_path: Path
) -> None:
    keys = key_store(tmp_path)
    await setup_org(uows, clock, {"Acme/Ops": 8})
    first = await open_for(uows, keys, clock, "2026-W48")
    again = await open_for(uows, keys, clock, "2026-W48")
    assert again.round.id == first.round.id and not again.created
    with raises_key("round.overlap"):
        await open_for(uows, keys, clock, "2026-W48", unit="Acme/Ops")


async def test_bad_submissions_store_nothing(
    uows: UnitOfWorkFactory, clock: FixedClock, tmp_path: Path
) -> None:
    keys = key_store(tmp_path)
    await setup_org(uows, clock, {"Acme/Ops": 8})
    found = (await open_for(uows, keys, clock, "2026-W48")).round
    member = (await organisation(uows)).active_members()[0]
    scored = next(i.item_key for i in found.items if not i.sensitive)
    bad = [
        ({**answers_for(found), scored: 6}, None, "submission.invalid_value"),
        ({**answers_for(found), scored: True}, None, "submission.invalid_value"),
        ({**answers_for(found), "nope": 3}, None, "submission.items_mismatch"),
        (answers_for(found), "everyone", "submission.invalid_audience"),
    ]
    for answers, audience, key in bad:
        with pytest.raises(TempcheckError) as caught:
            await submit(
                uows, keys, clock, Submission(found.id, member.id, answers, "hi", audience)
            )
        assert caught.value.key == key
    with raises_key("submission.not_in_round"):
        await submit(uows, keys, clock, Submission(found.id, 99999, answers_for(found)))
    async with uows() as uow:
        assert await uow.answers.answers(found.id) == []
        assert await uow.answers.ledger_count(found.id) == 0
    ok = await submit(
        uows, keys, clock, Submission(found.id, member.id, answers_for(found), "Fint her", "leader")
    )
    assert ok.outcome is SubmissionOutcome.ACCEPTED

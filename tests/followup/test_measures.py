"""Measures: the survey rule in both languages, suggestions, updates, overdue reminders,
follow-up measurement and the before/after view."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from core.cadence_service import PlannedPulse, plan_unit
from core.followup import MeasureLevel, MeasureStatus
from core.measures import (
    CONSULT_ACTION,
    MeasureChange,
    MeasureInput,
    Verdict,
    compare,
    create_measure,
    is_measurement,
    measure_effect,
    remind_overdue,
    required_factors,
    suggestions,
    update_measure,
)
from core.messenger import DeliveryError, Platform
from core.questions import load_default_bank
from core.rotation import plan_round
from core.round_service import close_round
from tests.digest.conftest import release_one
from tests.digest.test_result_posts import RecordingPoster
from tests.flow import advance, key_store, open_for, raises_key
from tests.followup.conftest import Roles

NOT_MEASURES = [
    "Run a survey",
    "Run a new survey on workload",
    "Send out a questionnaire to the team",
    "Conduct a follow-up survey in May",
    "Re-measure workload next quarter",
    "Pulse the team again",
    "Map the workload in the team",
    "Ny undersøkelse",
    "Gjennomføre ny medarbeiderundersøkelse",
    "Kartlegging",
    "Kartlegge arbeidsmengden i teamet",
    "Ny spørreundersøkelse om trivsel",
    "Send ut spørreskjema til alle ansatte",
    "Pulsmåling hver uke",
    "Måle arbeidsmengden igjen",
]
MEASURES = [
    "Hold a short weekly priority meeting where the leader helps drop tasks",
    "Hold a weekly priority meeting and re-measure in May",
    "Agree which decisions each person can make on their own",
    "Survey results are discussed; then reduce parallel requests to one entry point",
    "Innfør et kort, fast prioriteringsmøte hver uke",
    "Sett tydelige mål for teamet",
    "Avklar roller og ansvar, og kartlegg etterpå om det hjalp",
    "Ny maling på pauserommet og fast lunsjpause",
    "Gjør teamets oppgaver synlige på en felles tavle",
]


@pytest.mark.parametrize("text", NOT_MEASURES)
def test_a_survey_is_not_a_measure(text: str) -> None:
    assert is_measurement(text)


@pytest.mark.parametrize("text", MEASURES)
def test_a_change_to_work_is_a_measure(text: str) -> None:
    assert not is_measurement(text)


def test_every_bank_suggestion_passes_the_rule() -> None:
    for factor in ("workload", "leadership", "role_clarity", "psychological_safety"):
        for locale in ("nb", "en"):
            found = suggestions(factor, locale)
            assert len(found) >= 3 and found[0].primary
            assert not [s.text for s in found if is_measurement(s.text)]
    assert suggestions("workload", "nb")[0].text != suggestions("workload", "en")[0].text
    with raises_key("followup.error.unknown_factor"):
        suggestions("happiness", "en")


def _input(roles: Roles, **changes: object) -> MeasureInput:
    base = MeasureInput(
        title="Weekly priority meeting",
        factors=("workload",),
        unit_path="Acme/Ops",
        due_on=roles.clock.now().date() + timedelta(days=14),
        level="group",
        participants=(roles.email["employee"],),
        root_cause="Too many parallel requests",
        expected_effect="Fewer late evenings",
    )
    return MeasureInput(**{**base.__dict__, **changes})


async def _create(roles: Roles, who: str = "leader", **changes: object) -> int:
    found = await create_measure(
        roles.uows, roles.clock, tenant_slug=roles.tenant, as_email=roles.email[who],
        data=_input(roles, **changes),
    )  # fmt: skip
    return found.id


async def _update(
    roles: Roles, measure: int, who: str = "leader", **changes: object
) -> MeasureStatus:
    found = await update_measure(
        roles.uows, roles.clock, tenant_slug=roles.tenant, as_email=roles.email[who],
        measure_id=measure, change=MeasureChange(**changes),  # type: ignore[arg-type]
    )  # fmt: skip
    return found.status


async def test_create_and_update_measures(roles: Roles) -> None:
    with raises_key("followup.error.survey_is_not_a_measure"):
        await _create(roles, title="Ny undersøkelse om arbeidsmengde")
    with raises_key("followup.error.survey_is_not_a_measure"):
        await _create(roles, title="Run a survey")
    with raises_key("access.denied"):
        await _create(roles, who="verneombud")
    with raises_key("access.denied"):
        await _create(roles, unit_path="Acme/Sales")
    with raises_key("followup.error.unknown_level"):
        await _create(roles, level="cosmic")
    with raises_key("followup.error.due_before_start"):
        await _create(roles, due_on=date(2020, 1, 1))
    measure = await _create(roles, level="leadership")
    async with roles.uows() as uow:
        stored = await uow.followup.get_measure(measure)
    assert stored is not None and stored.level is MeasureLevel.LEADERSHIP
    assert stored.owner_id == roles.ids["leader"] and stored.participants == (
        roles.ids["employee"],
    )
    assert await _update(roles, measure, status="in progress") is MeasureStatus.IN_PROGRESS
    with raises_key("followup.error.survey_is_not_a_measure"):
        await _update(roles, measure, title="Kartlegging")
    assert await _update(roles, measure, who="hr", status="done") is MeasureStatus.DONE
    with raises_key("followup.error.measure_closed"):
        await _update(roles, measure, status="planned")
    async with roles.uows() as uow:
        done = await uow.followup.get_measure(measure)
        audit = [
            e
            for e in await uow.audit.entries(roles.org.tenant.id)
            if e.action.startswith("measure.")
        ]
    assert done is not None and done.completed_on == roles.clock.now().date()
    assert [e.action for e in audit] == ["measure.create", "measure.update", "measure.update"]
    assert audit[2].detail["changes"] == {
        "status": {"before": "in_progress", "after": "done"},
        "completed_on": {"before": None, "after": roles.clock.now().date().isoformat()},
    }


async def test_overdue_reminders_reach_owner_and_verneombud_once_a_day(roles: Roles) -> None:
    late = await _create(roles, due_on=roles.clock.now().date() + timedelta(days=3))
    await _create(roles, due_on=roles.clock.now().date() + timedelta(days=30))  # not late
    poster = RecordingPoster()
    posters = {Platform.SLACK: poster}
    report = await remind_overdue(roles.uows, posters, roles.clock)
    assert report.sent == 0 and poster.posts == []
    advance(roles.clock, days=4)
    report = await remind_overdue(roles.uows, posters, roles.clock)
    assert report.sent == 2
    by_person = {to.person.ref: m for to, m in poster.posts if to.person}
    owner = next(m for m in roles.org.members if m.id == roles.ids["leader"])
    safety = next(m for m in roles.org.members if m.id == roles.ids["verneombud"])
    assert owner.slack_user_id and safety.slack_user_id
    assert set(by_person) == {owner.slack_user_id, safety.slack_user_id}
    assert f"#{late}" in by_person[owner.slack_user_id].text
    assert by_person[owner.slack_user_id].actions == ()
    assert [a.action_id for a in by_person[safety.slack_user_id].actions] == [CONSULT_ACTION]
    assert (await remind_overdue(roles.uows, posters, roles.clock)).sent == 0  # same day
    assert len(poster.posts) == 2
    advance(roles.clock, days=1)
    poster.failures.append(DeliveryError("rate_limited", permanent=False))
    report = await remind_overdue(roles.uows, posters, roles.clock)
    assert report.sent == 1 and report.unreachable == 1
    assert (await remind_overdue(roles.uows, posters, roles.clock)).sent == 1  # the retry
    assert (await remind_overdue(roles.uows, posters, roles.clock)).sent == 0
    await _update(roles, late, status="cancelled")
    advance(roles.clock, days=1)
    assert (await remind_overdue(roles.uows, posters, roles.clock)).sent == 0


async def test_follow_up_rounds_include_the_factor(roles: Roles, tmp_path: Path) -> None:
    keys = key_store(tmp_path)
    ops, sales, tenant = roles.unit("Acme/Ops"), roles.unit("Acme/Sales"), roles.org.tenant.id

    async def required(unit: int) -> frozenset[str]:
        async with roles.uows() as uow:
            return await required_factors(uow, tenant, unit, roles.clock.now())

    measure = await _create(roles, factors=("workload", "role_clarity"))
    follow_up = roles.clock.now().date() + timedelta(days=20)
    org_wide = await _create(
        roles, who="hr", unit_path="Acme", factors=("recognition",), follow_up_on=follow_up
    )
    assert await required(ops) == frozenset()  # planned: nothing yet
    advance(roles.clock, days=7)
    await _update(roles, measure, status="done")
    assert await required(ops) == {"workload", "role_clarity"}
    assert await required(sales) == frozenset()
    advance(roles.clock, days=14)  # the org-wide measure's follow-up date has passed
    assert await required(sales) == {"recognition"}
    asked: list[set[str]] = []
    extra: list[set[str]] = []  # what the follow-up added to the plain rotation
    bank = load_default_bank()
    for week in range(52, 52 + 8):
        period = f"2026-W{week}" if week <= 52 else f"2027-W{week - 52:02d}"
        opened = await open_for(roles.uows, keys, roles.clock, period)
        asked.append({item.factor for item in opened.round.items})
        plain = plan_round(bank, opened.round.plan_index).items
        extra.append(asked[-1] - {bank.item(i).factor for i in plain})
        advance(roles.clock, days=6)
        await close_round(roles.uows, roles.clock, opened.round.id, actor="t")
        advance(roles.clock, days=1)
        if not await required(ops) and not await required(sales):
            break
    # The rounds of the whole organisation (one set of items for everyone) asked each
    # follow-up factor twice, fitting them into the places rotating items would take.
    for factor in ("workload", "role_clarity", "recognition"):
        assert sum(factor in a for a in asked) >= 2, (factor, asked)
    assert all(len(a) <= 5 for a in asked)
    assert extra[0] and extra[0] <= {"workload", "role_clarity", "recognition"}
    assert await required(ops) == frozenset()  # asked twice since: done
    assert org_wide


async def test_effect_before_and_after(roles: Roles, tmp_path: Path) -> None:
    keys = key_store(tmp_path)
    before = await release_one(roles.uows, roles.clock, keys, "2026-W48", value=2)
    async with roles.uows() as uow:
        stored = await uow.rounds.release(before.id)
    assert stored is not None
    from core.anonymity.record import Release

    asked = {c.metric for c in Release.from_json(stored.document).cells if not c.sensitive}
    advance(roles.clock, days=1)
    measure = await _create(roles, factors=tuple(sorted(asked)))

    async def effect() -> dict[str, Verdict]:
        found = await measure_effect(
            roles.uows, roles.clock, tenant_slug=roles.tenant, as_email=roles.email["leader"],
            measure_id=measure,
        )  # fmt: skip
        assert found.unit == "Acme/Ops"
        return {f.factor: f.verdict for f in found.factors}

    assert set((await effect()).values()) == {Verdict.NOT_YET}
    await _update(roles, measure, status="done")
    advance(roles.clock, days=1)
    after = await release_one(roles.uows, roles.clock, keys, "2026-W50", value=4)
    async with roles.uows() as uow:
        stored = await uow.rounds.release(after.id)
    assert stored is not None
    again = {
        c.metric
        for c in Release.from_json(stored.document).cells
        if c.unit == str(roles.unit("Acme/Ops"))
    }
    found_effect = await measure_effect(
        roles.uows, roles.clock, tenant_slug=roles.tenant, as_email=roles.email["leader"],
        measure_id=measure,
    )  # fmt: skip
    assert found_effect.factors
    verdicts = await effect()
    assert asked & again, "rotation asks some factor again (its anchor recurs)"
    assert {f for f, v in verdicts.items() if v is Verdict.IMPROVED} == asked & again
    assert {f for f, v in verdicts.items() if v is Verdict.NOT_YET} == asked - again
    with raises_key("access.denied"):
        await measure_effect(
            roles.uows, roles.clock, tenant_slug=roles.tenant, as_email=roles.email["sales_vo"],
            measure_id=measure,
        )  # fmt: skip


def test_compare_says_too_small_to_tell() -> None:
    assert (
        compare("w", ("50", ("40", "60"), True), ("55", ("45", "65"), True)).verdict
        is Verdict.UNCLEAR
    )
    assert (
        compare("w", ("40", ("35", "45"), True), ("70", ("65", "75"), True)).verdict
        is Verdict.IMPROVED
    )
    assert (
        compare("w", ("70", ("65", "75"), True), ("40", ("35", "45"), True)).verdict
        is Verdict.WORSENED
    )
    assert compare("w", (None, None, True), ("70", ("65", "75"), True)).verdict is Verdict.WITHHELD
    assert compare("w", ("50", ("40", "60"), True), (None, None, True)).verdict is Verdict.WITHHELD
    assert compare("w", ("50", ("40", "60"), True), (None, None, False)).verdict is Verdict.NOT_YET
    # a score at the end of the scale is a bound: it still tells a change towards that end
    assert (
        compare("w", ("25", ("20", "30"), True), ("≥ 90", ("85", "100"), True)).verdict
        is Verdict.IMPROVED
    )
    assert (
        compare("w", ("≥ 90", ("85", "100"), True), ("85", ("80", "90"), True)).verdict
        is Verdict.UNCLEAR
    )
    found = compare("w", ("40", ("35", "45"), True), ("70", ("65", "75"), True))
    assert found.change == 30 and found.uncertainty is not None and 0 < found.uncertainty < 30


async def test_the_plan_preview_shows_follow_up_factors_as_the_rounds_will_ask_them(
    roles: Roles, tmp_path: Path
) -> None:
    """plan show agrees with the rounds the sweep then opens: a completed measure's factors
    appear (marked) in the next rounds until asked twice, and the rotation after it."""
    keys = key_store(tmp_path)
    measure = await _create(roles, factors=("workload", "role_clarity"))
    await _update(roles, measure, status="done")

    async def preview() -> tuple[str, list[PlannedPulse]]:
        today = roles.clock.now().date()
        plan = await plan_unit(
            roles.uows, tenant_slug=roles.tenant, unit_path="Acme/Ops", from_day=today,
            weeks=6, timezone="UTC",
        )  # fmt: skip
        return plan.root.unit.path, [p for p in plan.pulses if p.plan is not None]

    bank = load_default_bank()
    root, planned = await preview()  # Ops's people are asked by the rounds of its root
    assert planned[0].follow_up, planned[0]
    assert planned[0].follow_up <= {"workload", "role_clarity"}
    marked = [p.follow_up for p in planned]
    seen = {f: sum(f in m for m in marked) for f in ("workload", "role_clarity")}
    assert all(count >= 1 for count in seen.values()), marked
    # Open the planned rounds as the sweep would: each asks exactly what the preview said.
    for pulse in planned[:4]:
        assert pulse.plan is not None
        roles.clock.set(pulse.times.opens_at)
        opened = await open_for(roles.uows, keys, roles.clock, pulse.period, unit=root)
        assert tuple(i.item_key for i in opened.round.items) == pulse.plan.items, pulse.period
        factors = {bank.item(i).factor for i in pulse.plan.items}
        assert pulse.follow_up <= factors
        roles.clock.set(pulse.times.closes_at)
        await close_round(roles.uows, roles.clock, opened.round.id, actor="t")
    assert not [p for p in (await preview())[1] if p.follow_up]  # asked twice each: done

"""Follow-up in Teams, end to end through the real server and SDK against the fake Bot
Connector: the digest card's "Start a measure" answers with a form card whose submission
creates the measure (a survey refused) and asks the verneombud, whose "Record consultation"
card records their statement."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.clock import FixedClock
from core.destinations import Purpose
from core.digest_service import START_MEASURE_ACTION, renderer
from core.followup import ConsultationSubject, Position
from core.measures import CONSULT_ACTION
from core.org_import import import_roster
from core.organisation import Role, RoleGrant
from core.posts import Post, PostStatus, member_target
from core.question_sets import import_question_set
from core.questions import load_default_bank
from core.roster import parse_roster
from tests.digest.conftest import release_one
from tests.flow import TENANT, organisation
from tests.teams.harness import TEAMS_TENANT, Harness, running, teams_roster


def _action(card: dict[str, Any], action: str) -> dict[str, Any]:
    return next(a["data"] for a in card.get("actions", []) if a["data"]["tempcheck"] == action)


def _last_card(h: Harness, before: int) -> dict[str, Any]:
    cards = [card for call in h.replies_since(before) for card in call.cards()]
    assert cards, "no card was sent"
    return cards[-1]


async def test_start_a_measure_from_the_digest_card_and_consult(
    tmp_path: Path, db_url: str, clock: FixedClock
) -> None:
    async with running(tmp_path, db_url, clock) as h:
        c = h.container
        roster = parse_roster(teams_roster({"Acme": 2, "Acme/Ops": 9, "Acme/Sales": 8}), "o.csv")
        await import_roster(c.uows, clock, roster, tenant_slug=TENANT, actor="t")
        await import_question_set(c.uows, clock, load_default_bank(), tenant_slug=TENANT, actor="t")
        org = await organisation(c.uows)
        ops = org.unit_by_path()["Acme/Ops"].id
        leader, vo = [m for m in org.members if m.home_unit_id == ops][:2]
        async with c.uows() as uow:
            await uow.organisation.link_teams_tenant(org.tenant.id, TEAMS_TENANT)
            await uow.organisation.replace_grants(
                org.tenant.id,
                [RoleGrant(leader.id, Role.LEADER, ops), RoleGrant(vo.id, Role.VERNEOMBUD, ops)],
            )
            await uow.commit()
        for member in (leader, vo):
            assert (await h.install(member)).status in (200, 201, 202)
        released = await release_one(c.uows, clock, c.keys, "2026-W48")
        post = Post(released.id, ops, Purpose.MANAGERS, member_target(leader.id), clock.now(),
                    id=1, status=PostStatus.SENDING, attempts=0)  # fmt: skip
        rendered = await renderer(c.uows, clock, lambda d: None)(post)
        assert rendered is not None
        before = len(h.connector.calls)
        await h.deps.messenger.post_result(*rendered)
        start = _action(_last_card(h, before), START_MEASURE_ACTION)
        assert start["value"].startswith(f"{ops}:")
        before = len(h.connector.calls)
        await h.submit(leader, {**start, "value": f"{ops}:workload"})
        form = _last_card(h, before)
        inputs = {e["id"]: e for e in form["body"] if "id" in e}
        assert inputs["factor"]["value"] == "workload" and len(inputs["suggestion"]["choices"]) >= 3
        data = _action(form, "followup_measure_submit")
        fields = {"factor": "workload", "due": "2027-01-15", "suggestion": ""}
        before = len(h.connector.calls)
        await h.submit(leader, {**data, **fields, "title": "Run a new survey"})
        assert "survey" in h.replies_since(before)[-1].text
        before = len(h.connector.calls)
        await h.submit(leader, {**data, **fields, "title": "", "suggestion": "0"})
        async with c.uows() as uow:
            (measure,) = await uow.followup.measures(org.tenant.id)
        assert measure.owner_id == leader.id and measure.due_on.isoformat() == "2027-01-15"
        to_vo = [
            call
            for call in h.replies_since(before)
            if (vo.teams_aad_id or "-") in call.conversation
        ]
        consult = _action(to_vo[-1].cards()[-1], CONSULT_ACTION)
        assert consult["value"] == f"measure_plan:{measure.id}"
        before = len(h.connector.calls)
        await h.submit(vo, consult)
        answer = _action(_last_card(h, before), "followup_consult_submit")
        await h.submit(leader, {**answer, "position": "agree", "comment": ""})  # refused
        await h.submit(vo, {**answer, "position": "agree", "comment": "Good plan"})
        async with c.uows() as uow:
            (entry,) = await uow.followup.consultations(org.tenant.id)
        assert (entry.subject, entry.subject_id, entry.member_id, entry.position) == (
            ConsultationSubject.MEASURE_PLAN, measure.id, vo.id, Position.AGREE,
        )  # fmt: skip

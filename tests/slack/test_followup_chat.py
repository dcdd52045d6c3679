"""Follow-up in Slack, end to end through the real Bolt app with signed requests: the digest's
"Start a measure" button opens a modal; its submission creates the measure (a survey is
refused on the modal) and asks the verneombud, whose button records a consultation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from core.clock import FixedClock
from core.destinations import Purpose
from core.digest_service import START_MEASURE_ACTION, renderer
from core.followup import ConsultationSubject, Position
from core.measures import CONSULT_ACTION
from core.organisation import Member, Role, RoleGrant
from core.posts import Post, PostStatus, member_target
from tests.digest.conftest import release_one
from tests.flow import organisation, setup_org
from tests.slack.harness import TEAM, Harness, running


def _click(member: Member, action_id: str, value: str) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "user": {"id": member.slack_user_id, "team_id": TEAM},
        "team": {"id": TEAM},
        "api_app_id": "A0",
        "trigger_id": "trigger-f",
        "container": {"type": "message", "channel_id": "D1", "message_ts": "1.1"},
        "actions": [{"action_id": action_id, "block_id": "followup", "type": "button",
                     "value": value, "action_ts": "1"}],
    }  # fmt: skip


def _submit(member: Member, view: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "user": {"id": member.slack_user_id, "team_id": TEAM},
        "team": {"id": TEAM},
        "api_app_id": "A0",
        "view": {
            "id": "V9",
            "type": "modal",
            "callback_id": view["callback_id"],
            "private_metadata": view["private_metadata"],
            "state": {"values": values},
        },
    }


async def _opened(h: Harness, member: Member, action_id: str, value: str) -> dict[str, Any]:
    before = len(h.api.calls_to("views.open"))
    assert (await h.interactive(_click(member, action_id, value))).status == 200
    await h.api.wait_for("views.open", count=before + 1)
    view = h.api.calls_to("views.open")[-1].params["view"]
    opened: dict[str, Any] = json.loads(view) if isinstance(view, str) else view
    return opened


def _button(post: Any, action_id: str) -> dict[str, Any]:
    blocks = post.params["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    buttons = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    return next(e for e in buttons if e["action_id"] == action_id)


async def test_start_a_measure_from_the_digest_and_consult(
    tmp_path: Path, db_url: str, clock: FixedClock
) -> None:
    async with running(tmp_path, db_url, clock) as h:
        c = h.container
        await setup_org(c.uows, clock, {"Acme": 2, "Acme/Ops": 9, "Acme/Sales": 8})
        org = await organisation(c.uows)
        ops = org.unit_by_path()["Acme/Ops"].id
        staff = [m for m in org.members if m.home_unit_id == ops]
        leader, vo = staff[0], staff[1]
        async with c.uows() as uow:
            await uow.organisation.link_slack_team(org.tenant.id, TEAM)
            await uow.organisation.replace_grants(
                org.tenant.id,
                [RoleGrant(leader.id, Role.LEADER, ops), RoleGrant(vo.id, Role.VERNEOMBUD, ops)],
            )
            await uow.commit()
        released = await release_one(c.uows, clock, c.keys, "2026-W48")
        target = member_target(leader.id)
        post = Post(released.id, ops, Purpose.MANAGERS, target, clock.now(),
                    id=1, status=PostStatus.SENDING, attempts=0)  # fmt: skip
        rendered = await renderer(c.uows, clock, lambda d: None)(post)
        assert rendered is not None
        await h.deps.messenger.post_result(*rendered)
        button = _button(h.api.calls_to("chat.postMessage")[-1], START_MEASURE_ACTION)
        assert button["value"].startswith(f"{ops}:")
        # the leader clicks: the modal, factor preselected when the digest flagged one
        view = await _opened(h, leader, START_MEASURE_ACTION, f"{ops}:workload")
        assert view["callback_id"] == "followup_measure"
        blocks = {b["block_id"]: b for b in view["blocks"]}
        assert blocks["factor"]["element"]["initial_option"]["value"] == "workload"
        assert len(blocks["suggestion"]["element"]["options"]) >= 3
        values = {
            "factor": {"value": {"selected_option": {"value": "workload"}}},
            "title": {"value": {"value": "Ny medarbeiderundersøkelse"}},
            "due": {"value": {"selected_date": "2027-01-15"}},
        }
        refused = await h.interactive(_submit(leader, view, values))
        body = await refused.json()
        assert body["response_action"] == "errors" and "ikke et tiltak" in body["errors"]["title"]
        values["title"] = {"value": {"value": None}}
        values["suggestion"] = {"value": {"selected_option": {"value": "0"}}}
        before = len(h.api.calls_to("chat.postMessage"))
        accepted = await (await h.interactive(_submit(leader, view, values))).json()
        assert accepted["response_action"] == "update"
        async with c.uows() as uow:
            (measure,) = await uow.followup.measures(org.tenant.id)
        assert measure.factors == ("workload",) and measure.owner_id == leader.id
        assert measure.due_on.isoformat() == "2027-01-15" and measure.title
        # the verneombud is asked, with a button that records the consultation
        await h.api.wait_for("chat.postMessage", count=before + 1)
        asked = h.api.calls_to("chat.postMessage")[-1]
        assert asked.params["channel"] == vo.slack_user_id
        consult = _button(asked, CONSULT_ACTION)
        assert consult["value"] == f"measure_plan:{measure.id}"
        modal = await _opened(h, vo, CONSULT_ACTION, consult["value"])
        answer = {
            "position": {"value": {"selected_option": {"value": "disagree"}}},
            "comment": {"value": {"value": None}},
        }
        needs_reason = await (await h.interactive(_submit(vo, modal, answer))).json()
        assert needs_reason["response_action"] == "errors"
        answer["comment"] = {"value": {"value": "Needs more staff first"}}
        done = await (await h.interactive(_submit(vo, modal, answer))).json()
        assert done["response_action"] == "update"
        async with c.uows() as uow:
            (entry,) = await uow.followup.consultations(org.tenant.id)
        assert (entry.subject, entry.subject_id, entry.member_id, entry.position) == (
            ConsultationSubject.MEASURE_PLAN, measure.id, vo.id, Position.DISAGREE,
        )  # fmt: skip
        # the leader cannot record the verneombud's statement
        denied = await (await h.interactive(_submit(leader, modal, answer))).json()
        assert denied["response_action"] == "errors"

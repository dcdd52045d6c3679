"""Answering in Slack, end to end: signed requests into the real server and Bolt, a fake
Slack Web API on loopback, real storage. Includes T21, T22, T26 and T27 at the Slack level."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from bot.logs import configure_logging
from core.clock import FixedClock
from core.organisation import Member
from core.rounds import Round
from tests.flow import advance, open_for, organisation, setup_org
from tests.slack.harness import Harness, button_payload, running, submission_payload

pytestmark = pytest.mark.usefixtures("clock")


async def started(h: Harness, units: dict[str, int] | None = None) -> tuple[Round, list[Member]]:
    c = h.container
    await setup_org(c.uows, h.clock, units or {"Acme/Ops": 7})
    found = (await open_for(c.uows, c.keys, h.clock, "2026-W48")).round
    members = list((await organisation(c.uows)).active_members())
    return found, members


async def open_modal(h: Harness, member: Member, found: Round) -> tuple[Any, dict[str, Any]]:
    message = await h.invite(member, found)
    before = len(h.api.calls_to("views.open"))
    response = await h.interactive(button_payload(member, found.id, message))
    assert response.status == 200
    await h.api.wait_for("views.open", count=before + 1)
    opened = h.api.calls_to("views.open")[-1]
    view = opened.params["view"]
    return message, json.loads(view) if isinstance(view, str) else view


def choices_for(view: dict[str, Any], value: str = "4", sensitive: str = "1") -> dict[str, str]:
    out = {}
    for block in view["blocks"]:
        if block.get("block_id", "").startswith("item:"):
            values = [o["value"] for o in block["element"]["options"]]
            out[block["block_id"]] = (
                sensitive if values[:2] == ["1", "2"] and len(values) == 3 else value
            )
    return out


async def stored_answers(h: Harness, found: Round) -> list[Any]:
    async with h.container.uows() as uow:
        return list(await uow.answers.answers(found.id))


async def test_full_flow_invitation_button_modal_submit_update(
    tmp_path: Path, db_url: str, clock: FixedClock
) -> None:
    async with running(tmp_path, db_url, clock) as h:
        found, members = await started(h)
        member = members[0]
        message, view = await open_modal(h, member, found)
        post = h.api.calls_to("chat.postMessage")[-1]
        assert post.params["channel"] == member.slack_user_id  # user id as channel, no open
        assert view["callback_id"] == "tempcheck_pulse"
        assert len([b for b in view["blocks"] if b.get("block_id", "").startswith("item:")]) == len(
            found.items
        )
        response = await h.interactive(submission_payload(member, view, choices_for(view)))
        assert response.status == 200
        body = await response.json()
        assert body["response_action"] == "update"
        assert "Besvart" in json.dumps(body["view"], ensure_ascii=False)
        assert len(await stored_answers(h, found)) == len(found.items)
        await h.api.wait_for("chat.update")
        update = h.api.calls_to("chat.update")[-1]
        assert (update.params["channel"], update.params["ts"]) == (message.channel, message.id)


async def test_double_submit_and_slack_retries_store_once(
    tmp_path: Path, db_url: str, clock: FixedClock
) -> None:
    async with running(tmp_path, db_url, clock) as h:
        found, members = await started(h)
        member = members[1]
        _, view = await open_modal(h, member, found)
        payload = submission_payload(member, view, choices_for(view, "2"))
        first = await h.interactive(payload)
        retry = await h.interactive(
            payload, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
        )
        again = await h.interactive(payload)
        assert {first.status, retry.status, again.status} == {200}
        assert len(await stored_answers(h, found)) == len(found.items)
        assert "allerede svart" in json.dumps(await again.json(), ensure_ascii=False)
        # Pressing the button again now says so instead of opening the form.
        message = await h.invite(member, found)
        await h.interactive(button_payload(member, found.id, message))
        await h.api.wait_for("views.open", count=2)
        last = h.api.calls_to("views.open")[-1].params["view"]
        assert "allerede svart" in json.dumps(last, ensure_ascii=False)


@pytest.mark.parametrize("age", [0, 6 * 60])
async def test_bad_signature_and_old_timestamp_are_refused(
    tmp_path: Path, db_url: str, clock: FixedClock, age: int
) -> None:
    async with running(tmp_path, db_url, clock) as h:
        found, members = await started(h)
        _, view = await open_modal(h, members[0], found)
        payload = submission_payload(members[0], view, choices_for(view))
        secret = "wrong-secret" if age == 0 else "test-signing-secret"
        response = await h.interactive(payload, secret=secret, age=age)
        assert response.status == 401
        assert await stored_answers(h, found) == []


async def test_late_answer_gets_a_clear_message_and_nothing_is_stored(
    tmp_path: Path, db_url: str, clock: FixedClock
) -> None:
    async with running(tmp_path, db_url, clock) as h:
        found, members = await started(h)
        _, view = await open_modal(h, members[0], found)
        advance(h.clock, days=6)
        response = await h.interactive(submission_payload(members[0], view, choices_for(view)))
        text = json.dumps(await response.json(), ensure_ascii=False)
        assert "lukket" in text
        assert await stored_answers(h, found) == []


async def test_T21_comment_with_a_name_warns_first_and_keeps_the_text(
    tmp_path: Path, db_url: str, clock: FixedClock
) -> None:
    async with running(tmp_path, db_url, clock) as h:
        found, members = await started(h)
        member = members[0]
        _, view = await open_modal(h, member, found)
        other = members[1].name.split()[-1]
        comment = f"Snakk med {other} om vaktlista, ring 912 34 567"
        first = await h.interactive(
            submission_payload(member, view, choices_for(view), comment, "leader")
        )
        warned = await first.json()
        assert warned["response_action"] == "errors"
        assert "et navn" in warned["errors"]["comment"]
        assert "et telefonnummer" in warned["errors"]["comment"]
        assert await stored_answers(h, found) == []
        second = await h.interactive(
            submission_payload(member, view, choices_for(view), comment, "leader", confirm=True)
        )
        assert (await second.json())["response_action"] == "update"
        async with h.container.uows() as uow:
            (stored,) = await uow.answers.comments(found.id)
        assert stored.text == comment and stored.audience == "leader"


async def test_T22_yes_shows_help_in_the_modal_only_and_notifies_nobody(
    tmp_path: Path, db_url: str, clock: FixedClock
) -> None:
    async with running(tmp_path, db_url, clock) as h:
        found, members = await started(h)
        member = members[0]
        _, view = await open_modal(h, member, found)
        calls_before = len(h.api.calls)
        response = await h.interactive(
            submission_payload(member, view, choices_for(view, "3", sensitive="2"))
        )
        thanks = json.dumps(await response.json(), ensure_ascii=False)
        assert "Arbeidstilsynet" in thanks and "tempcheck_contact_me" in thanks
        await h.api.wait_for("chat.update")
        new_calls = h.api.calls[calls_before:]
        assert [c.method for c in new_calls] == ["chat.update"]  # nobody else is told
        assert "Arbeidstilsynet" not in json.dumps(new_calls[0].params, ensure_ascii=False)
        contact = {
            "type": "block_actions",
            "user": {"id": member.slack_user_id, "team_id": "T0TEMPCHECK"},
            "team": {"id": "T0TEMPCHECK"},
            "trigger_id": "t2",
            "view": {"id": "V9"},
            "actions": [
                {
                    "action_id": "tempcheck_contact_me",
                    "block_id": "contact",
                    "type": "button",
                    "value": "contact",
                    "action_ts": "2",
                }
            ],
        }
        assert (await h.interactive(contact)).status == 200
        await h.api.wait_for("views.update")
        async with h.container.uows() as uow:
            (request,) = await uow.organisation.contact_requests(member.tenant_id)
        assert request.member_id == member.id


async def test_T26_T27_no_value_in_chat_calls_or_logs(
    tmp_path: Path, db_url: str, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    configure_logging("DEBUG")
    caplog.set_level(logging.DEBUG)
    async with running(tmp_path, db_url, clock) as h:
        found, members = await started(h)
        secret_comment = "Hemmelig kommentar om turnus"
        for i, member in enumerate(members):
            _, view = await open_modal(h, member, found)
            await h.interactive(
                submission_payload(
                    member,
                    view,
                    choices_for(view, str(1 + i % 5), "2" if i == 0 else "1"),
                    secret_comment,
                    "leader",
                    confirm=True,
                )
            )
            await h.api.wait_for("chat.update", count=i + 1)
        for call in h.api.calls:
            if call.method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
                text = json.dumps(call.params, ensure_ascii=False)
                assert secret_comment not in text
                assert "selected_option" not in text and "item:" not in text
        identities = [str(v) for m in members for v in (m.email, m.slack_user_id, m.name)]
        for record in caplog.records:
            line = f"{record.getMessage()} {record.__dict__}"
            assert not any(identity in line for identity in identities), record.getMessage()
            assert secret_comment not in line and "payload" not in line


async def test_malformed_and_oversized_payloads_get_a_clean_4xx_or_error_view(
    tmp_path: Path, db_url: str, clock: FixedClock
) -> None:
    async with running(tmp_path, db_url, clock) as h:
        found, members = await started(h)
        member = members[0]
        _, view = await open_modal(h, member, found)
        broken = submission_payload(member, view, {"item:nope": "x"})
        broken["view"]["private_metadata"] = "{not json"
        response = await h.interactive(broken)
        assert response.status == 200
        assert "kunne ikke leses" in json.dumps(await response.json(), ensure_ascii=False)
        garbage = await h.signed("payload=%7Bnot-json", "application/x-www-form-urlencoded")
        assert 400 <= garbage.status < 500 or garbage.status == 404
        huge = await h.signed("payload=" + "x" * (600 * 1024), "application/x-www-form-urlencoded")
        assert huge.status == 413
        assert await stored_answers(h, found) == []


async def test_free_text_dm_is_not_stored_and_points_to_the_form(
    tmp_path: Path, db_url: str, clock: FixedClock
) -> None:
    async with running(tmp_path, db_url, clock) as h:
        found, members = await started(h)
        member = members[0]
        await h.event(
            {
                "type": "message",
                "channel_type": "im",
                "channel": "D1",
                "user": member.slack_user_id,
                "text": "Sjefen er slem",
                "ts": "1.1",
            }
        )
        await h.api.wait_for("chat.postMessage")
        reply = h.api.calls_to("chat.postMessage")[-1]
        assert "kommentarfeltet" in json.dumps(reply.params, ensure_ascii=False)
        async with h.container.uows() as uow:
            assert list(await uow.answers.comments(found.id)) == []


async def test_commands_and_app_home(tmp_path: Path, db_url: str, clock: FixedClock) -> None:
    async with running(tmp_path, db_url, clock) as h:
        _, members = await started(h)
        member = members[0]
        for text, expected in (
            ("help", "/tempcheck privacy"),
            ("privacy", "minst 5"),
            ("help-contacts", "Arbeidstilsynet"),
            ("status", "resultatområde"),
            ("dance", "Ukjent"),
        ):
            response = await h.command(member.slack_user_id or "", text)
            assert response.status == 200
            assert expected in json.dumps(await response.json(), ensure_ascii=False), text
        await h.event(
            {
                "type": "app_home_opened",
                "user": member.slack_user_id,
                "tab": "home",
                "channel": "D1",
            }
        )
        await h.api.wait_for("views.publish")
        home = json.dumps(h.api.calls_to("views.publish")[-1].params, ensure_ascii=False)
        assert "En pulsmåling er åpen for deg" in home

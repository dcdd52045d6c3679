"""Answering in Teams, end to end: activities POSTed into the real server and the Agents
SDK's CloudAdapter (anonymous mode, loopback), replies and proactive sends received by a
fake Bot Connector on loopback, real storage (SQLite and PostgreSQL). Includes T21, T22,
T26 and T27 at the Teams level."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from bot.logs import configure_logging
from core.clock import FixedClock
from core.organisation import Member
from core.rounds import Round
from tests.flow import advance
from tests.teams.harness import Harness, pulse_card, running, value_for

pytestmark = pytest.mark.usefixtures("clock")


async def stored_answers(h: Harness, found: Round) -> list[Any]:
    async with h.container.uows() as uow:
        return list(await uow.answers.answers(found.id))


async def invited(h: Harness, member: Member, found: Round) -> tuple[Any, dict[str, Any]]:
    assert (await h.install(member)).status == 202
    message = await h.invite(member, found)
    return message, pulse_card(h.connector.calls_to("send")[-1])


async def test_conversation_update_stores_the_reference_and_refreshes_it(
    tmp_path: Path, db_url: str, clock: FixedClock
) -> None:
    async with running(tmp_path, db_url, clock) as h:
        _, members = await h.started()
        member = members[0]
        assert (await h.install(member)).status == 202
        async with h.container.uows() as uow:
            first = await uow.conversations.get(member.tenant_id, member.teams_aad_id or "")
        assert first is not None
        assert first.reference["serviceUrl"] == h.connector.service_url
        assert first.reference["conversation"]["id"] == f"a:{member.teams_aad_id}"  # type: ignore[index]
        assert "activityId" not in first.reference and "requestId" not in first.reference
        # The welcome went to the fake connector, into the person's chat.
        (welcome,) = h.connector.calls
        assert welcome.conversation == f"a:{member.teams_aad_id}"
        assert "tempcheck" in welcome.text
        # Teams moved the conversation to another service URL: the next message refreshes it.
        moved = h.activity(member, "message", text="hei")
        moved["serviceUrl"] = "http://127.0.0.1:1/moved/"
        await h.post(moved)
        async with h.container.uows() as uow:
            second = await uow.conversations.get(member.tenant_id, member.teams_aad_id or "")
        assert second is not None and second.reference["serviceUrl"] == "http://127.0.0.1:1/moved/"


async def test_full_flow_proactive_card_submit_and_replacement_without_values(
    tmp_path: Path, db_url: str, clock: FixedClock
) -> None:
    async with running(tmp_path, db_url, clock) as h:
        found, members = await h.started()
        member = members[0]
        message, card = await invited(h, member, found)
        sent = h.connector.calls_to("send")[-1]
        assert sent.conversation == f"a:{member.teams_aad_id}"  # proactive, into the 1:1 chat
        assert card["version"] == "1.5"
        items = [
            b for b in card["body"] if b["type"] == "Input.ChoiceSet" and b["id"] != "audience"
        ]
        assert len(items) == len(found.items)
        for element in items:
            values = [c["value"] for c in element["choices"]]
            assert values[-1] == "none" and values[:2] == ["1", "2"]
        assert any(b.get("type") == "Input.Text" and b.get("isMultiline") for b in card["body"])
        assert card["actions"][0]["data"] == {"tempcheck": "submit", "round": found.id}
        response = await h.submit(member, value_for(card), message)
        assert response.status == 202
        assert len(await stored_answers(h, found)) == len(found.items)
        (update,) = h.connector.calls_to("update")
        assert (update.conversation, update.activity_id) == (message.channel, message.id)
        assert "Besvart" in update.text
        assert "Input." not in update.text and "item:" not in update.text


async def test_double_submit_is_stored_once(tmp_path: Path, db_url: str, clock: FixedClock) -> None:
    async with running(tmp_path, db_url, clock) as h:
        found, members = await h.started()
        member = members[1]
        message, card = await invited(h, member, found)
        for _ in range(3):
            assert (await h.submit(member, value_for(card, "2"), message)).status == 202
        assert len(await stored_answers(h, found)) == len(found.items)
        updates = h.connector.calls_to("update")
        assert len(updates) == 3
        assert "allerede svart" in updates[-1].text


async def test_late_answer_gets_a_clear_message_and_nothing_is_stored(
    tmp_path: Path, db_url: str, clock: FixedClock
) -> None:
    async with running(tmp_path, db_url, clock) as h:
        found, members = await h.started()
        message, card = await invited(h, members[0], found)
        advance(h.clock, days=6)
        await h.submit(members[0], value_for(card), message)
        reply = h.connector.calls_to("reply")[-1]
        assert "lukket" in reply.text
        assert h.connector.calls_to("update") == []
        assert await stored_answers(h, found) == []


@pytest.mark.parametrize(
    "broken",
    [
        {"tempcheck": "submit", "round": "not-a-number"},
        {"tempcheck": "submit", "round": True},
        {"tempcheck": "dance"},
        {"something": "else"},
        "just a string",
    ],
)
async def test_malformed_values_get_a_clear_reply_and_nothing_is_stored(
    tmp_path: Path, db_url: str, clock: FixedClock, broken: Any
) -> None:
    async with running(tmp_path, db_url, clock) as h:
        found, members = await h.started()
        message, _ = await invited(h, members[0], found)
        assert (await h.submit(members[0], broken, message)).status == 202
        reply = h.connector.calls_to("reply")[-1]
        assert "kunne ikke leses" in reply.text
        assert h.connector.calls_to("update") == []
        assert await stored_answers(h, found) == []


async def test_unknown_item_missing_choice_and_out_of_range_store_nothing(
    tmp_path: Path, db_url: str, clock: FixedClock
) -> None:
    async with running(tmp_path, db_url, clock) as h:
        found, members = await h.started()
        member = members[0]
        message, card = await invited(h, member, found)
        extra = {**value_for(card), "item:invented": "3"}
        await h.submit(member, extra, message)
        assert "kunne ikke leses" in h.connector.calls_to("reply")[-1].text
        missing = value_for(card)
        missing.pop(next(k for k in missing if k.startswith("item:")))
        await h.submit(member, missing, message)
        assert "alle spørsmålene" in h.connector.calls_to("reply")[-1].text
        await h.submit(member, value_for(card, "9"), message)
        assert "Ingenting ble registrert" in h.connector.calls_to("reply")[-1].text
        assert h.connector.calls_to("update") == []
        assert await stored_answers(h, found) == []


async def test_T21_comment_with_a_name_warns_first_and_keeps_the_text(
    tmp_path: Path, db_url: str, clock: FixedClock
) -> None:
    async with running(tmp_path, db_url, clock) as h:
        found, members = await h.started()
        member = members[0]
        message, card = await invited(h, member, found)
        other = members[1].name.split()[-1]
        comment = f"Snakk med {other} om vaktlista, ring 912 34 567"
        await h.submit(member, value_for(card, comment=comment, audience="leader"), message)
        warning = h.connector.calls_to("reply")[-1]
        assert "et navn" in warning.text and "et telefonnummer" in warning.text
        assert comment not in warning.text and other not in warning.text
        assert h.connector.calls_to("update") == []  # the card keeps what was typed
        assert await stored_answers(h, found) == []
        await h.submit(
            member, value_for(card, comment=comment, audience="leader", confirm=True), message
        )
        async with h.container.uows() as uow:
            (stored,) = await uow.answers.comments(found.id)
        assert stored.text == comment and stored.audience == "leader"
        assert len(await stored_answers(h, found)) == len(found.items)


async def test_T22_yes_shows_help_in_the_replacement_card_only_and_notifies_nobody(
    tmp_path: Path, db_url: str, clock: FixedClock
) -> None:
    async with running(tmp_path, db_url, clock) as h:
        found, members = await h.started()
        assert any(i.sensitive for i in found.items)
        member = members[0]
        message, card = await invited(h, member, found)
        before = len(h.connector.calls)
        await h.submit(member, value_for(card, "3", sensitive="2"), message)
        new_calls = h.replies_since(before)
        assert [c.method for c in new_calls] == ["update"]  # nobody else is told
        (update,) = new_calls
        assert update.conversation == f"a:{member.teams_aad_id}"
        assert "Arbeidstilsynet" in update.text
        (thanks,) = update.cards()
        assert thanks["actions"][0]["data"] == {"tempcheck": "contact"}
        assert "Input." not in update.text
        # "I want to be contacted": an identified request, the help card updated.
        await h.submit(member, {"tempcheck": "contact"}, message)
        async with h.container.uows() as uow:
            (request,) = await uow.organisation.contact_requests(member.tenant_id)
        assert request.member_id == member.id
        assert "registrert med navnet ditt" in h.connector.calls_to("update")[-1].text
        # Someone who answered "no" sees no help at all.
        other = members[1]
        message2, card2 = await invited(h, other, found)
        await h.submit(other, value_for(card2, "3", sensitive="1"), message2)
        assert "Arbeidstilsynet" not in h.connector.calls_to("update")[-1].text


async def test_T26_T27_no_value_in_connector_calls_or_logs(
    tmp_path: Path, db_url: str, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    configure_logging("DEBUG")
    caplog.set_level(logging.DEBUG)
    async with running(tmp_path, db_url, clock) as h:
        found, members = await h.started()
        secret_comment = "Hemmelig kommentar om turnus"
        for i, member in enumerate(members):
            message, card = await invited(h, member, found)
            value = value_for(
                card, str(1 + i % 5), "2" if i == 0 else "1", secret_comment, "leader", True
            )
            assert (await h.submit(member, value, message)).status == 202
        assert len(await stored_answers(h, found)) == len(found.items) * len(members)
        for call in h.connector.calls:
            assert secret_comment not in call.text
            assert '"item:' not in call.text or call.method == "send"
            if call.method != "send":
                assert "Input." not in call.text and "selected" not in call.text
            for card in call.cards():
                for element in card["body"]:
                    # The pulse card offers choices; it never preselects one.
                    assert element.get("type") != "Input.ChoiceSet" or (
                        element["id"] == "audience" or "value" not in element
                    )
        identities = [
            str(v) for m in members for v in (m.email, m.teams_aad_id, m.name) if v is not None
        ]
        for record in caplog.records:
            line = f"{record.getMessage()} {record.__dict__}"
            assert not any(identity in line for identity in identities), record.getMessage()
            assert secret_comment not in line and "payload" not in line.lower()
            assert '"item:' not in line


async def test_free_text_is_not_stored_and_points_to_the_comment_field(
    tmp_path: Path, db_url: str, clock: FixedClock
) -> None:
    async with running(tmp_path, db_url, clock) as h:
        found, members = await h.started()
        await h.say(members[0], "Sjefen er slem")
        reply = h.connector.calls_to("reply")[-1]
        assert "kommentarfeltet" in reply.text and "Sjefen" not in reply.text
        async with h.container.uows() as uow:
            assert list(await uow.answers.comments(found.id)) == []


async def test_commands(tmp_path: Path, db_url: str, clock: FixedClock) -> None:
    async with running(tmp_path, db_url, clock) as h:
        _, members = await h.started()
        member = members[0]
        for text, expected in (
            ("help", "privacy"),
            ("privacy", "minst 5"),
            ("help-contacts", "Arbeidstilsynet"),
            ("status", "resultatområde"),
        ):
            await h.say(member, text)
            reply = h.connector.calls_to("reply")[-1]
            assert expected in reply.text, text
        # Someone not on the roster can still ask for help, and is told who to ask.
        stranger = "11111111-2222-4333-8444-555555555555"
        await h.post(h.activity(stranger, "message", text="help"))
        assert "privacy" in h.connector.calls_to("reply")[-1].text
        await h.post(h.activity(stranger, "message", value={"tempcheck": "submit", "round": 1}))
        assert "teams_aad_id" in h.connector.calls_to("reply")[-1].text

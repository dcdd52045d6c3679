"""People matched to Teams by e-mail (product.md, area 1): someone the roster knows by e-mail
but not by Entra object id installs the app; tempcheck asks Teams for their member record
(the fake Bot Connector on 127.0.0.1) and links them, audit-logged. No match, a member already
linked to another id, and Teams not answering leave everything as it was."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from core.clock import FixedClock
from core.organisation import Member
from tests.flow import organisation
from tests.teams.harness import Harness, running

NEWCOMER = "11111111-2222-3333-4444-555555555555"


async def unlink(h: Harness, member: Member) -> None:
    async with h.container.uows() as uow:
        await uow.organisation.update_member(member.id, replace(member.fields(), teams_aad_id=None))
        await uow.commit()


async def teams_id_of(h: Harness, member_id: int) -> str | None:
    found = next(m for m in (await organisation(h.container.uows)).members if m.id == member_id)
    return found.teams_aad_id


async def test_an_unknown_person_is_linked_by_the_e_mail_teams_gives(
    tmp_path: Path, sqlite_migrated_url: str, clock: FixedClock
) -> None:
    async with running(tmp_path, sqlite_migrated_url, clock) as h:
        _, members = await h.started()
        person = members[0]
        await unlink(h, person)
        h.connector.members[f"29:{NEWCOMER}"] = {
            "id": f"29:{NEWCOMER}",
            "aadObjectId": NEWCOMER,
            "email": person.email.upper(),  # matched like the roster: case-insensitive
            "userPrincipalName": "someone.else@acme.no",
        }
        assert (await h.install(NEWCOMER)).status in (200, 201, 202)
        assert await teams_id_of(h, person.id) == NEWCOMER
        assert len(h.connector.calls_to("member")) == 1
        welcome = h.connector.calls[-1]
        assert "tempcheck" in welcome.text  # greeted as the member they now are
        async with h.container.uows() as uow:
            audit = await uow.audit.entries(person.tenant_id)
        linked = [e for e in audit if e.action == "teams.link_member"]
        assert [e.detail for e in linked] == [{"member": person.id}]
        await h.say(replace(person, teams_aad_id=NEWCOMER), "help")  # known now: no lookup
        assert len(h.connector.calls_to("member")) == 1


async def test_no_match_is_asked_again_only_after_an_hour_and_nothing_is_overwritten(
    tmp_path: Path, sqlite_migrated_url: str, clock: FixedClock
) -> None:
    async with running(tmp_path, sqlite_migrated_url, clock) as h:
        _, members = await h.started()
        tick = [0.0]
        h.deps.directory.monotonic = lambda: tick[0]
        stranger = "99999999-2222-3333-4444-555555555555"
        h.connector.members[f"29:{stranger}"] = {"id": f"29:{stranger}", "email": "x@other.no"}
        await h.install(stranger)
        await h.install(stranger)
        assert len(h.connector.calls_to("member")) == 1  # remembered as unmatched
        tick[0] += 3600
        await h.install(stranger)
        assert len(h.connector.calls_to("member")) == 2
        # Teams names the e-mail of a member already linked to another id: left alone.
        linked = members[1]
        h.connector.members[f"29:{NEWCOMER}"] = {"id": f"29:{NEWCOMER}", "email": linked.email}
        await h.install(NEWCOMER)
        assert await teams_id_of(h, linked.id) == linked.teams_aad_id != NEWCOMER
        # Teams does not answer (404 here): nothing linked, no error for the person.
        lost = "77777777-2222-3333-4444-555555555555"
        assert (await h.install(lost)).status in (200, 201, 202)
        org = await organisation(h.container.uows)
        assert all(m.teams_aad_id not in (stranger, lost, NEWCOMER) for m in org.members)

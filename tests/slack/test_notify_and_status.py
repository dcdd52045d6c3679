"""Invitations through Slack with failures counted; leaders' /tempcheck status reads the
release engine only."""

from __future__ import annotations

import json
from pathlib import Path

from bot.slack.notify import notify_round
from core.clock import FixedClock
from core.org_import import import_roster
from core.question_sets import import_question_set
from core.questions import load_default_bank
from core.roster import parse_roster
from core.round_service import close_round, release_round
from core.submission import Submission, submit
from tests.flow import TENANT, advance, answers_for, open_for, organisation, setup_org
from tests.slack.harness import running


async def test_notify_counts_sent_unreachable_and_unmatched(
    tmp_path: Path, db_url: str, clock: FixedClock
) -> None:
    async with running(tmp_path, db_url, clock) as h:
        c = h.container
        await setup_org(c.uows, clock, {"Acme/Ops": 7})
        found = (await open_for(c.uows, c.keys, clock, "2026-W48")).round
        h.api.fail_next("chat.postMessage", error="user_not_found")
        h.api.rate_limit_next("chat.postMessage", retry_after=0)
        report = await notify_round(c, found)
        assert (report.sent, report.unreachable, report.failed, report.no_platform) == (6, 1, 0, 0)
        posted = [p.params["channel"] for p in h.api.calls_to("chat.postMessage")]
        assert len(posted) == 8  # 7 members + one retry after the 429
        assert all(channel.startswith("UPERSON") for channel in posted)


async def test_leader_status_shows_released_cells_of_their_scope_only(
    tmp_path: Path, db_url: str, clock: FixedClock
) -> None:
    async with running(tmp_path, db_url, clock) as h:
        c = h.container
        roster = (
            "email,name,unit,leader_of,slack_user_id\n"
            + "".join(f"o{i}@acme.no,Ops {i},Acme/Ops,,UOPS{i:04d}\n" for i in range(11))
            + "".join(f"s{i}@acme.no,Sales {i},Acme/Sales,,USAL{i:04d}\n" for i in range(11))
            + "lead@acme.no,Lea Leder,Acme/Ops,Acme/Ops,ULEAD0001\n"
        )
        await import_roster(
            c.uows, clock, parse_roster(roster, "org.csv"), tenant_slug=TENANT, actor="t"
        )
        await import_question_set(c.uows, clock, load_default_bank(), tenant_slug=TENANT, actor="t")
        found = (await open_for(c.uows, c.keys, clock, "2026-W48")).round
        members = (await organisation(c.uows)).active_members()
        for i, m in enumerate(members):
            await submit(
                c.uows, c.keys, clock, Submission(found.id, m.id, answers_for(found, 1 + i % 5))
            )
        advance(clock, days=6)
        await close_round(c.uows, clock, found.id, actor="t")
        advance(clock, days=1)
        await release_round(c.uows, clock, found.id, actor="t")
        response = await h.command("ULEAD0001", "status")
        text = json.dumps(await response.json(), ensure_ascii=False)
        assert "Acme/Ops" in text and "Acme/Sales" not in text
        assert "2026-W48" in text and "svar 10-19" in text
        worker = await h.command("UOPS0001", "status")
        assert "resultatområde" in json.dumps(await worker.json(), ensure_ascii=False)
        async with c.uows() as uow:
            reads = [
                e for e in await uow.audit.entries(found.tenant_id) if e.action == "release.read"
            ]
        assert reads and reads[-1].detail["purpose"] == "slack status"

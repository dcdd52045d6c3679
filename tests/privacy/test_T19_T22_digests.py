"""T19 and T22 at the level of digests: a comment from a unit of 8 is not in that unit's
digest and appears, unlabelled, only in the parent's (n >= 10); one "yes" to bullying in a
unit of 8 appears in no digest at all (the Slack and Teams flow tests check that nobody is
notified)."""

from __future__ import annotations

from pathlib import Path

from core.clock import FixedClock
from core.digest import chat_text, markdown
from core.digest_service import week_digests
from core.ports import UnitOfWorkFactory
from core.round_service import close_round, release_round
from core.submission import Submission, submit
from tests.flow import advance, answers_for, key_store, open_for, organisation, setup_org

COMMENT = "Vi trenger en fast planleggingsdag hver uke."


async def test_comment_and_sensitive_yes_from_a_unit_of_8(
    uows: UnitOfWorkFactory, clock: FixedClock, tmp_path: Path
) -> None:
    await setup_org(uows, clock, {"Acme/Ops": 8, "Acme/Sales": 9})
    keys = key_store(tmp_path)
    opened = await open_for(uows, keys, clock, "2026-W45")
    org = await organisation(uows)
    ops = org.unit_by_path()["Acme/Ops"].id
    first_in_ops = True
    for member in org.active_members():
        answers = dict(answers_for(opened.round, 4, sensitive=1))  # 1: no
        comment = audience = None
        if member.home_unit_id == ops and first_in_ops:
            first_in_ops = False
            answers = dict(answers_for(opened.round, 2, sensitive=2))  # 2: the one "yes"
            comment, audience = COMMENT, "leader"
        await submit(
            uows, keys, clock, Submission(opened.round.id, member.id, answers, comment, audience)
        )
    advance(clock, days=6)
    await close_round(uows, clock, opened.round.id, actor="t")
    advance(clock, days=1)
    await release_round(uows, clock, opened.round.id, actor="t")
    digests = {d.unit: d for d in await week_digests(uows, clock, opened.round.id)}
    assert COMMENT not in markdown(digests["Acme/Ops"])  # n = 8 < 10
    assert digests["Acme"].comments == (COMMENT,)  # the parent: n = 17 >= 10, unlabelled
    assert "Acme/Ops" not in "".join(digests["Acme"].comments)
    for digest in digests.values():  # no sensitive item in any digest, in any form
        text = markdown(digest) + chat_text(digest)
        for word in ("Mobbing", "mobbing", "trakassering", "< 3"):
            assert word not in text

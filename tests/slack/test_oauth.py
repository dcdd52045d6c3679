"""Multi-workspace OAuth: install page, callback against the fake oauth.v2.access, the
installation stored in our Alembic-managed tables, and messages sent with its token."""

from __future__ import annotations

import re
from pathlib import Path

from core.clock import FixedClock
from tests.flow import open_for, organisation, setup_org
from tests.slack.harness import TEAM, running


async def test_install_callback_stores_the_bot_and_messenger_uses_it(
    tmp_path: Path, db_url: str, clock: FixedClock
) -> None:
    async with running(tmp_path, db_url, clock, oauth=True) as h:
        page = await h.client.get("/slack/install", allow_redirects=False)
        assert page.status in (200, 302)
        location = page.headers.get("Location") or await page.text()
        state = re.search(r"state=([\w-]+)", location)
        assert state is not None
        cookie = page.headers.get("Set-Cookie", "").split(";")[0]
        done = await h.client.get(
            f"/slack/oauth_redirect?code=code-1&state={state.group(1)}",
            headers={"Cookie": cookie},
        )
        assert done.status == 200, await done.text()
        assert h.api.calls_to("oauth.v2.access")
        c = h.container
        await setup_org(c.uows, clock, {"Acme/Ops": 6})
        found = (await open_for(c.uows, c.keys, clock, "2026-W48")).round
        member = (await organisation(c.uows)).active_members()[0]
        await h.invite(member, found)
        post = h.api.calls_to("chat.postMessage")[-1]
        assert post.headers["Authorization"] == f"Bearer {h.api.oauth_bot_token}"
        assert h.api.team_id == TEAM


async def test_unknown_workspace_is_reported_not_retried(
    tmp_path: Path, db_url: str, clock: FixedClock
) -> None:
    async with running(tmp_path, db_url, clock, oauth=True) as h:
        c = h.container
        await setup_org(c.uows, clock, {"Acme/Ops": 6})
        found = (await open_for(c.uows, c.keys, clock, "2026-W48")).round
        member = (await organisation(c.uows)).active_members()[0]
        try:
            await h.invite(member, found)
        except Exception as exc:  # noqa: BLE001 - asserting on the type below
            assert type(exc).__name__ == "DeliveryError" and getattr(exc, "permanent", False)
        else:
            raise AssertionError("an uninstalled workspace must not be messaged")
        assert h.api.calls_to("chat.postMessage") == []

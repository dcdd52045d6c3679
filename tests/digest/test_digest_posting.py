"""After a release, digests reach the leaders' DMs and a configured channel through the real
SlackMessenger and the fake Slack Web API (loopback): text, chart, the member view applied,
the reads audit-logged, and nothing below a threshold in any message or chart."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.charts import digest_chart
from bot.slack.blocks import SlackBlocks
from bot.slack.messenger import SlackMessenger, slack_client
from core.destinations import ChannelRef, Purpose
from core.digest_service import renderer
from core.messenger import Platform
from core.posts import PostReport, materialise_posts, post_due
from tests.digest.conftest import Released
from tests.fakes.slack_api import FakeSlackApi

WORKSPACE = "T0TEMPCHECK"


@pytest.fixture
async def api() -> AsyncIterator[FakeSlackApi]:
    async with FakeSlackApi() as running:
        yield running


async def _no_sleep(_: float) -> None:
    return None


def messenger(api: FakeSlackApi) -> SlackMessenger:
    client = slack_client("xoxb-test", base_url=api.base_url)

    async def clients(workspace: str) -> AsyncWebClient:
        assert workspace == WORKSPACE
        return client

    return SlackMessenger(
        clients,
        SlackBlocks(public_url="https://tempcheck.example", help_text={}),
        sleep=_no_sleep,
        rng=random.Random(1),
    )


async def test_digests_and_summary_are_posted_once_with_charts(
    released: Released, api: FakeSlackApi
) -> None:
    uows, clock, org = released.uows, released.clock, released.org
    units = org.unit_by_path()
    async with uows() as uow:
        await uow.organisation.link_slack_team(org.tenant.id, WORKSPACE)
        await uow.organisation.set_channel(
            org.tenant.id, units["Acme/Ops"].id, Purpose.TEAM, ChannelRef(Platform.SLACK, "C0TEAM")
        )
        await uow.commit()
    await materialise_posts(uows, released.round.id, clock.now())
    render = renderer(uows, clock, digest_chart)
    report = await post_due(uows, {Platform.SLACK: messenger(api)}, clock, render, worker="w")
    # Digests: Acme and Sales to Acme's leader, Ops to its leader; Ops' team summary.
    assert report == PostReport(sent=4)
    posts = api.calls_to("chat.postMessage")
    leaders = {m.slack_user_id for m in org.members if m.id in {g.member_id for g in org.grants}}
    assert {p.params["channel"] for p in posts} == leaders | {"C0TEAM"}
    texts = [str(p.params["text"]) for p in posts]
    assert any("Acme/Ops" in text and "Skårer denne runden" in text for text in texts)
    assert any("Dette hørte vi, Acme/Ops" in text for text in texts)
    # Every digest that could show something carries a chart; the summary does not.
    # Sales' 8 answer together with the root's 2 (answer units of at least 6), so Sales alone
    # shows nothing: its digest says why and points to the parent, without a chart.
    assert any("Acme/Sales" in text and "Se resultatene for Acme" in text for text in texts)
    assert len(api.uploads) == 2
    for upload in api.uploads.values():
        assert upload.data[:8] == b"\x89PNG\r\n\x1a\n"
    # Posting again changes nothing.
    again = await post_due(uows, {Platform.SLACK: messenger(api)}, clock, render, worker="w")
    assert again == PostReport() and len(api.calls_to("chat.postMessage")) == 4
    async with uows() as uow:
        actions = [e.action for e in await uow.audit.entries(org.tenant.id)]
    assert actions.count("digest.read") == 4

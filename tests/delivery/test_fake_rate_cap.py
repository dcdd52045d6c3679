"""The fake Slack's workspace cap (used by the crash tests and bench/fanout.py) behaves like
Slack's: calls over the rate are answered 429 with an integer Retry-After, and are not
stored as messages; other methods are not capped."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.slack_api import FakeSlackApi


class ManualTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_cap_answers_429_with_retry_after_and_refills_at_the_rate() -> None:
    clock = ManualTime()
    async with FakeSlackApi(rate_cap=2, rate_burst=2, monotonic=clock) as api:
        client = AsyncWebClient(token="xoxb-t", base_url=api.base_url, retry_handlers=[])
        for user in ("U1", "U2"):
            await client.chat_postMessage(channel=user, text="hi")
        with pytest.raises(SlackApiError) as raised:
            await client.chat_postMessage(channel="U3", text="hi")
        assert raised.value.response.status_code == 429
        assert raised.value.response.headers["Retry-After"] == "1"
        assert api.over_cap == 1 and len(api.messages) == 2
        # Other methods are not capped.
        await client.conversations_open(users="U3")
        clock.now += 0.5  # half a second at 2/s: one token back
        await client.chat_postMessage(channel="U3", text="hi")
        with pytest.raises(SlackApiError):
            await client.chat_postMessage(channel="U4", text="hi")
        assert api.over_cap == 2 and len(api.messages) == 3


async def test_slow_refill_asks_for_a_longer_wait_and_no_cap_by_default() -> None:
    clock = ManualTime()
    async with FakeSlackApi(rate_cap=0.25, rate_burst=1, monotonic=clock) as api:
        client = AsyncWebClient(token="xoxb-t", base_url=api.base_url, retry_handlers=[])
        await client.chat_postMessage(channel="U1", text="hi")
        with pytest.raises(SlackApiError) as raised:
            await client.chat_postMessage(channel="U2", text="hi")
        assert raised.value.response.headers["Retry-After"] == "4"
    async with FakeSlackApi() as api:
        client = AsyncWebClient(token="xoxb-t", base_url=api.base_url, retry_handlers=[])
        for n in range(20):
            await client.chat_postMessage(channel=f"U{n}", text="hi")
        assert api.over_cap == 0 and len(api.messages) == 20

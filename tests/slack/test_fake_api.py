"""The fake Slack Web API behaves like Slack where tempcheck depends on it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.slack_api import UPLOAD, FakeSlackApi


@pytest.fixture
async def api() -> AsyncIterator[FakeSlackApi]:
    async with FakeSlackApi() as running:
        yield running


@pytest.fixture
def client(api: FakeSlackApi) -> AsyncWebClient:
    return AsyncWebClient(token="xoxb-test", base_url=api.base_url, retry_handlers=[])


async def test_listens_on_loopback_only(api: FakeSlackApi) -> None:
    assert api.base_url.startswith("http://127.0.0.1:")
    assert api.base_url.endswith("/api/")


async def test_post_message_to_a_user_answers_with_the_dm_channel(
    api: FakeSlackApi, client: AsyncWebClient
) -> None:
    first = await client.chat_postMessage(channel="U123", text="hi", blocks=[{"type": "divider"}])
    second = await client.chat_postMessage(channel="U123", text="again")
    assert first["channel"] == "D" + "U123"
    assert first["ts"] != second["ts"]
    (call, _) = api.calls_to("chat.postMessage")
    assert call.params["channel"] == "U123"
    assert call.params["blocks"] == [{"type": "divider"}]
    assert call.headers["Authorization"] == "Bearer xoxb-test"
    await client.chat_update(channel=first["channel"], ts=first["ts"], text="thanks", blocks=[])
    assert api.messages[("DU123", first["ts"])]["text"] == "thanks"


async def test_update_of_an_unknown_message_fails(client: AsyncWebClient) -> None:
    with pytest.raises(SlackApiError) as caught:
        await client.chat_update(channel="DU1", ts="1.000001", text="x")
    assert caught.value.response["error"] == "message_not_found"


async def test_form_and_json_bodies_and_query_parameters_are_recorded(
    api: FakeSlackApi, client: AsyncWebClient
) -> None:
    api.users_by_email["a@acme.no"] = "UA"
    found = await client.users_lookupByEmail(email="a@acme.no")  # GET with a query string
    assert found["user"]["id"] == "UA"
    await client.api_call("chat.postEphemeral", data={"channel": "C1", "user": "UA", "text": "x"})
    await client.views_open(trigger_id="t1", view={"type": "modal", "blocks": []})
    assert api.calls_to("users.lookupByEmail")[0].params == {"email": "a@acme.no"}
    assert api.calls_to("chat.postEphemeral")[0].params["user"] == "UA"
    assert api.calls_to("views.open")[0].params["trigger_id"] == "t1"
    info = await client.users_info(user="UA")
    assert info["user"]["profile"]["email"] == "a@acme.no"
    opened = await client.conversations_open(users="UA")
    assert opened["channel"]["id"] == "DUA"
    auth = await client.auth_test()
    assert (auth["team_id"], auth["bot_id"]) == (api.team_id, api.bot_id)


async def test_unknown_email_user_and_method(api: FakeSlackApi, client: AsyncWebClient) -> None:
    with pytest.raises(SlackApiError) as caught:
        await client.users_lookupByEmail(email="nobody@acme.no")
    assert caught.value.response["error"] == "users_not_found"
    with pytest.raises(SlackApiError) as caught:
        await client.users_info(user="UNOBODY")
    assert caught.value.response["error"] == "user_not_found"
    with pytest.raises(SlackApiError) as caught:
        await client.api_call("reactions.add", json={"name": "x"})
    assert caught.value.response["error"] == "unknown_method"
    assert api.methods()[-1] == "reactions.add"


async def test_calls_without_a_token_are_refused(api: FakeSlackApi) -> None:
    anonymous = AsyncWebClient(base_url=api.base_url, retry_handlers=[])
    with pytest.raises(SlackApiError) as caught:
        await anonymous.chat_postMessage(channel="U1", text="x")
    assert caught.value.response["error"] == "not_authed"


async def test_fail_next_fails_exactly_the_given_number_of_times(
    api: FakeSlackApi, client: AsyncWebClient
) -> None:
    api.fail_next("chat.postMessage", error="account_inactive", times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as caught:
            await client.chat_postMessage(channel="U1", text="x")
        assert caught.value.response["error"] == "account_inactive"
    assert (await client.chat_postMessage(channel="U1", text="x"))["ok"]
    assert len(api.calls_to("chat.postMessage")) == 3


async def test_rate_limit_answers_429_with_retry_after(
    api: FakeSlackApi, client: AsyncWebClient
) -> None:
    api.rate_limit_next("chat.postMessage", retry_after=7)
    with pytest.raises(SlackApiError) as caught:
        await client.chat_postMessage(channel="U1", text="x")
    response = caught.value.response
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert response["error"] == "ratelimited"
    assert (await client.chat_postMessage(channel="U1", text="x"))["ok"]


async def test_server_error_and_disconnect(api: FakeSlackApi, client: AsyncWebClient) -> None:
    api.server_error_next("chat.update", status=502)
    with pytest.raises(SlackApiError) as caught:
        await client.chat_update(channel="D1", ts="1", text="x")
    assert caught.value.response.status_code == 502
    api.disconnect_next("auth.test")
    with pytest.raises(aiohttp.ClientError):
        await client.auth_test()
    assert (await client.auth_test())["ok"]


async def test_files_upload_v2_round_trip(api: FakeSlackApi, client: AsyncWebClient) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
    result = await client.files_upload_v2(channel="C0DIGEST", file=png, filename="digest.png")
    assert result["file"]["name"] == "digest.png"
    assert api.methods() == ["files.getUploadURLExternal", UPLOAD, "files.completeUploadExternal"]
    (upload,) = api.uploads.values()
    assert upload.data == png
    assert upload.shared_to == ["C0DIGEST"]
    assert api.calls_to(UPLOAD)[0].params["length"] == len(png)


@pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")
async def test_oauth_v2_access_returns_a_bot_installation(
    api: FakeSlackApi, client: AsyncWebClient
) -> None:
    anonymous = AsyncWebClient(base_url=api.base_url, retry_handlers=[])
    found = await anonymous.oauth_v2_access(client_id="1.2", client_secret="s", code="abc")
    assert found["access_token"].startswith("xoxb-")
    assert found["team"]["id"] == api.team_id
    assert api.calls_to("oauth.v2.access")[0].headers["Authorization"].startswith("Basic ")
    with pytest.raises(SlackApiError) as caught:
        await anonymous.oauth_v2_access(client_id="1.2", client_secret="s")
    assert caught.value.response["error"] == "invalid_code"

"""/api/messages refuses unauthenticated requests unless anonymous mode is on, and
anonymous mode is refused unless the server listens on loopback."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import build_container
from bot.server import build_web_app
from bot.settings import load_settings
from bot.teams.app import build_teams
from core.clock import FixedClock
from core.errors import ConfigError
from tests.teams.harness import running

JWT_SETTINGS = {
    "teams_app_id": "00000000-0000-0000-0000-00000000a11d",
    "teams_app_password": "not-a-real-secret",
    "teams_tenant_id": "72f988bf-86f1-41af-91ab-2d7cd011db47",
}
ACTIVITY = {
    "type": "message",
    "id": "1",
    "channelId": "msteams",
    "serviceUrl": "http://127.0.0.1:9/",
    "from": {"id": "29:x", "aadObjectId": "00000000-0000-4000-8000-000000000001"},
    "recipient": {"id": "28:bot"},
    "conversation": {"id": "a:x", "conversationType": "personal"},
    "text": "help",
}


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer garbage", "Bearer a.b.c", "Basic dXNlcjpwdw==", "Bearer"],
)
async def test_jwt_mode_refuses_missing_or_bad_tokens(
    tmp_path: Path, sqlite_migrated_url: str, authorization: str | None
) -> None:
    settings = load_settings(
        database_url=sqlite_migrated_url, key_store_path=tmp_path / "keys", **JWT_SETTINGS
    )
    container = build_container(settings)
    routes, middlewares, _ = build_teams(container)
    app = build_web_app(container, None, routes, middlewares)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        headers = {"Authorization": authorization} if authorization else {}
        response = await client.post("/api/messages", json=ACTIVITY, headers=headers)
        assert response.status == 401
        async with container.uows() as uow:
            assert await uow.organisation.list_tenants() == []


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.0.0.5", "tempcheck.example.org"])
def test_anonymous_mode_is_refused_off_loopback(
    tmp_path: Path, sqlite_migrated_url: str, host: str
) -> None:
    settings = load_settings(
        database_url=sqlite_migrated_url,
        key_store_path=tmp_path / "keys",
        teams_allow_anonymous=True,
        host="127.0.0.1",
    )
    container = build_container(settings)
    with pytest.raises(ConfigError) as caught:
        build_teams(container, host)
    text = caught.value.render("en")
    assert "TEMPCHECK_TEAMS_ALLOW_ANONYMOUS" in text and host in text


def test_jwt_mode_needs_its_settings(tmp_path: Path, sqlite_migrated_url: str) -> None:
    settings = load_settings(
        database_url=sqlite_migrated_url,
        key_store_path=tmp_path / "keys",
        teams_app_id="only-the-id",
    )
    with pytest.raises(ConfigError) as caught:
        build_teams(build_container(settings))
    text = caught.value.render("en")
    assert "TEMPCHECK_TEAMS_APP_PASSWORD" in text and "TEMPCHECK_TEAMS_TENANT_ID" in text


async def test_anonymous_mode_on_loopback_is_logged_loudly(
    tmp_path: Path, sqlite_migrated_url: str, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with running(tmp_path, sqlite_migrated_url, clock) as h:
        stranger = "11111111-2222-4333-8444-555555555555"
        assert (await h.post(h.activity(stranger, "message", text="help"))).status == 202
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert any("ANONYMOUS" in r.getMessage() for r in warnings)


async def test_malformed_activities_are_a_clean_400(
    tmp_path: Path, sqlite_migrated_url: str, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    async with running(tmp_path, sqlite_migrated_url, clock) as h:
        bad_json = await h.client.post(
            "/api/messages", data=b"{not json", headers={"Content-Type": "application/json"}
        )
        assert bad_json.status == 400
        secret = "Hemmelig innhold"
        wrong_shape = await h.post({"type": "message", "conversation": "nope", "text": secret})
        assert 400 <= wrong_shape.status < 500
        huge = await h.post({**ACTIVITY, "text": "x" * (600 * 1024)})
        assert huge.status == 413
        assert h.connector.calls == []
    assert not any(secret in f"{r.getMessage()} {r.__dict__}" for r in caplog.records)

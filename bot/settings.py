"""One Settings object, built once in the composition root and passed down.

Every setting comes from the environment (prefix ``TEMPCHECK_``) or a ``.env`` file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from core.errors import ConfigError

ENV_PREFIX = "TEMPCHECK_"
_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+psycopg",
    "postgres": "postgresql+psycopg",
    "postgresql+psycopg": "postgresql+psycopg",
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    #: SQLite file (embedded default) or PostgreSQL (production, several replicas).
    database_url: str = "sqlite+aiosqlite:///tempcheck.db"
    #: PostgreSQL connections per process: at least the requests expected in flight.
    db_pool_size: int = Field(default=32, ge=1)
    default_locale: Literal["nb", "en"] = "nb"
    default_timezone: str = "Europe/Oslo"
    #: Directory of per-round ledger keys; kept outside the database (privacy.md rule 11).
    key_store_path: Path = Path("tempcheck-keys")
    #: Tenant the CLI works on when --tenant is not given.
    tenant: str = "default"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    # --- serving -------------------------------------------------------------------
    host: str = "127.0.0.1"
    port: int = Field(default=3978, ge=1, le=65535)
    #: Public base URL (https://tempcheck.example.org): OAuth redirects and privacy links.
    public_url: str = "http://127.0.0.1:3978"

    # --- Slack ---------------------------------------------------------------------
    #: Single-workspace mode: a bot token (xoxb-…) and the app's signing secret.
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    #: Socket Mode for local use (xapp-…): no public URL needed.
    slack_app_token: str | None = None
    #: Multi-workspace OAuth (Slack's "Distribute App").
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    #: Web API base URL; tests and benchmarks point it at a fake on 127.0.0.1.
    slack_api_url: str = "https://slack.com/api/"
    #: Help shown privately after a "yes" on a screening question (YAML; see docs/slack.md).
    help_file: Path | None = None

    # --- Microsoft Teams (Microsoft 365 Agents SDK) ------------------------------------
    #: The bot's Entra ID app registration: JWT validation of /api/messages and outbound auth.
    teams_app_id: str | None = None
    teams_app_password: str | None = None
    teams_tenant_id: str | None = None
    #: Local use only (Agents Playground): no JWT. Refused unless serving on loopback.
    teams_allow_anonymous: bool = False

    # --- scheduler and delivery (tempcheck serve) --------------------------------------
    #: ``on``: this replica sweeps when it holds the leader lock, and sends; ``send-only``:
    #: it sends but never sweeps; ``off``: neither (a replica that only serves requests).
    scheduler: Literal["on", "off", "send-only"] = "on"
    #: Seconds between sweeps (open, materialise, close, release, shred) and between send
    #: passes. The sweep is idempotent: a short interval costs queries, not messages.
    sweep_seconds: float = 60.0
    send_seconds: float = 2.0
    #: Messages per second per workspace, *per replica* (with R replicas sending, set it to the
    #: platform's workspace limit / R), and the burst the token bucket allows.
    delivery_rate: float = 10.0
    delivery_burst: int = 10
    #: A delivery claimed by a sender that did not record an outcome is taken over after this
    #: many seconds (then the platform is asked whether it arrived before sending again).
    delivery_lease_seconds: float = 120.0

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError as exc:
            raise ValueError(f"not a database URL ({exc})") from None
        driver = _DRIVERS.get(url.drivername)
        if driver is None:
            raise ValueError(
                f"unsupported database '{url.drivername}'; use sqlite+aiosqlite:///FILE "
                "or postgresql+psycopg://USER@HOST/DB"
            )
        if driver == "sqlite+aiosqlite" and url.database in (None, "", ":memory:"):
            raise ValueError("SQLite needs a file path (an in-memory database loses everything)")
        return url.set(drivername=driver).render_as_string(hide_password=False)

    @field_validator("default_timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone '{value}'; use an IANA name such as Europe/Oslo"
            ) from None
        return value

    @field_validator("slack_api_url", "public_url")
    @classmethod
    def _url(cls, value: str, info: ValidationInfo) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"'{value}' is not an http(s) URL")
        return value.rstrip("/") + "/" if info.field_name == "slack_api_url" else value.rstrip("/")

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("xoxb-"):
            raise ValueError("a Slack bot token starts with xoxb-")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("xapp-"):
            raise ValueError("a Slack app-level token (Socket Mode) starts with xapp-")
        return value

    @property
    def slack_mode(self) -> Literal["off", "single", "oauth", "socket"]:
        if self.slack_app_token and self.slack_bot_token:
            return "socket"
        if self.slack_client_id and self.slack_client_secret and self.slack_signing_secret:
            return "oauth"
        if self.slack_bot_token and self.slack_signing_secret:
            return "single"
        return "off"

    @field_validator("sweep_seconds", "send_seconds", "delivery_rate", "delivery_lease_seconds")
    @classmethod
    def _positive(cls, value: float, info: ValidationInfo) -> float:
        limits = {"sweep_seconds": 86_400.0, "send_seconds": 3_600.0, "delivery_rate": 10_000.0}
        top = limits.get(info.field_name or "", 86_400.0)
        if not 0 < value <= top:
            raise ValueError(f"must be greater than 0 and at most {top:g}")
        return value

    @field_validator("delivery_burst")
    @classmethod
    def _burst(cls, value: int) -> int:
        if not 1 <= value <= 10_000:
            raise ValueError("must be between 1 and 10000")
        return value

    @model_validator(mode="after")
    def _lease_outlasts_a_batch(self) -> Self:
        # A sender works through a claimed batch at the paced rate; a lease shorter than that
        # would let another sender take rows over while they are still being sent.
        floor = 4 * self.send_batch / self.delivery_rate
        if self.delivery_lease_seconds < floor:
            raise ValueError(
                f"TEMPCHECK_DELIVERY_LEASE_SECONDS ({self.delivery_lease_seconds:g}) must be at "
                f"least {floor:g} s at TEMPCHECK_DELIVERY_RATE={self.delivery_rate:g} "
                f"(4 × a batch of {self.send_batch} messages)"
            )
        return self

    @property
    def send_batch(self) -> int:
        """Rows a sender claims at a time: about half a second of sending, 1 … 50."""
        return max(1, min(50, int(self.delivery_rate / 2)))

    @field_validator("default_locale", "log_level", "scheduler", mode="before")
    @classmethod
    def _strip(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value


def load_settings(**overrides: object) -> Settings:
    """Build Settings; a wrong value raises ConfigError naming the setting and the reason."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        reasons = []
        for error in exc.errors():
            message = str(error["msg"]).removeprefix("Value error, ")
            if not error["loc"]:  # a rule over several settings names them itself
                reasons.append(message)
                continue
            field = str(error["loc"][0])
            reasons.append(f"{ENV_PREFIX}{field.upper()}: {message}")
        raise ConfigError("config.invalid", reasons="\n  ".join(reasons)) from None

"""Settings fail clearly; every message exists in bokmål and English with the same fields."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import load_settings
from core.errors import ConfigError
from core.i18n import LOCALES, catalogue, normalise_locale, placeholders


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name in ("DATABASE_URL", "DEFAULT_LOCALE", "DEFAULT_TIMEZONE", "TENANT", "LOG_LEVEL"):
        monkeypatch.delenv(f"TEMPCHECK_{name}", raising=False)


def test_defaults() -> None:
    s = load_settings()
    assert s.database_url == "sqlite+aiosqlite:///tempcheck.db"
    assert (s.default_locale, s.default_timezone) == ("nb", "Europe/Oslo")
    assert s.key_store_path == Path("tempcheck-keys")


def test_env_file_and_driver_normalisation(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "TEMPCHECK_DATABASE_URL=postgresql://u@127.0.0.1/db\nTEMPCHECK_DEFAULT_LOCALE=en\n"
    )
    s = load_settings()
    assert s.database_url == "postgresql+psycopg://u@127.0.0.1/db"
    assert s.default_locale == "en"


@pytest.mark.parametrize(
    ("env", "value", "expected"),
    [
        ("DEFAULT_TIMEZONE", "Europe/Osl", "TEMPCHECK_DEFAULT_TIMEZONE: unknown time zone"),
        ("DATABASE_URL", "mysql://x/y", "TEMPCHECK_DATABASE_URL: unsupported database 'mysql'"),
        ("DATABASE_URL", "sqlite+aiosqlite://", "TEMPCHECK_DATABASE_URL: SQLite needs a file"),
        ("DATABASE_URL", "::nonsense", "TEMPCHECK_DATABASE_URL: not a database URL"),
        ("DEFAULT_LOCALE", "de", "TEMPCHECK_DEFAULT_LOCALE:"),
        ("LOG_LEVEL", "LOUD", "TEMPCHECK_LOG_LEVEL:"),
    ],
)
def test_wrong_setting_names_setting_and_reason(
    monkeypatch: pytest.MonkeyPatch, env: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(f"TEMPCHECK_{env}", value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert expected in caught.value.render("en")
    assert "ugyldig konfigurasjon" in caught.value.render("nb")


def test_catalogues_have_the_same_keys_and_placeholders() -> None:
    nb, en = catalogue("nb"), catalogue("en")
    assert set(nb) == set(en)
    mismatched = [k for k in en if placeholders(en[k]) != placeholders(nb[k])]
    assert mismatched == []
    assert all(v.strip() for c in (nb, en) for v in c.values())
    assert LOCALES == ("nb", "en")


@pytest.mark.parametrize(
    ("raw", "locale"),
    [("nb", "nb"), ("no", "nb"), ("nb_NO", "nb"), ("en-GB", "en"), ("EN", "en"), ("de", None)],
)
def test_locale_spellings(raw: str, locale: str | None) -> None:
    assert normalise_locale(raw) == locale

"""The help shown privately after a "yes" on a screening question (privacy rule 10).

Default: the catalogue's general contacts (verneombud, varsling, BHT, union, Arbeidstilsynet,
emergency numbers). An organisation sets its own with ``TEMPCHECK_HELP_FILE``: a YAML file
``{nb: "...", en: "..."}`` in Slack mrkdwn, e.g. with the verneombud's name and number.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from core.errors import ConfigError
from core.i18n import LOCALES, t


def load_help(path: Path | None) -> dict[str, str]:
    if path is None:
        return {locale: t("help.default", locale) for locale in LOCALES}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError("config.invalid", reasons=f"TEMPCHECK_HELP_FILE: {exc}") from None
    if not isinstance(data, dict) or any(
        not isinstance(data.get(locale), str) or not data[locale].strip() for locale in LOCALES
    ):
        raise ConfigError(
            "config.invalid",
            reasons=f"TEMPCHECK_HELP_FILE: {path} must map each of {', '.join(LOCALES)} to text",
        )
    return {locale: str(data[locale]) for locale in LOCALES}

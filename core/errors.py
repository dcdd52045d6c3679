"""One error hierarchy for the domain. Adapters translate these for the person."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from core.i18n import DEFAULT_LOCALE, t


class TempcheckError(Exception):
    """Base of every expected error. Carries a catalogue key and parameters."""

    def __init__(self, key: str, /, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params: dict[str, object] = dict(params)

    def render(self, locale: str = DEFAULT_LOCALE) -> str:
        return t(self.key, locale, **self.params)

    def __str__(self) -> str:
        return self.render("en")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one line of an input file."""

    file: str
    line: int
    key: str
    params: Mapping[str, object] = field(default_factory=dict)

    def render(self, locale: str = DEFAULT_LOCALE) -> str:
        where = f"{self.file}:{self.line}" if self.line > 0 else self.file
        return f"{where}: {t(self.key, locale, **self.params)}"


class InputFileError(TempcheckError):
    """An input file (roster CSV, question set YAML) is invalid; nothing was written."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("error.input_file", count=len(problems))
        self.problems = tuple(sorted(problems, key=lambda p: (p.file, p.line, p.key)))

    def render(self, locale: str = DEFAULT_LOCALE) -> str:
        head = t(self.key, locale, count=len(self.problems))
        return "\n".join([head, *(p.render(locale) for p in self.problems)])


class NotFound(TempcheckError):
    """A named thing (tenant, unit, question set) does not exist."""


class ConfigError(TempcheckError):
    """A setting is invalid; names the setting and the reason."""

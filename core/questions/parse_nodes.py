"""Reading composed YAML nodes while collecting every problem with its line number.

The parser works on ``yaml.compose`` nodes rather than loaded Python values for two reasons:
each node knows its line, and scalars keep their source text, so ``en: Yes`` or
``version: 2026.10`` mean the text the person wrote, not a boolean or a float.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

import yaml

from core.errors import Problem
from core.questions.model import FrozenMap

NULL_TAG = "tag:yaml.org,2002:null"
BOOL_TAG = "tag:yaml.org,2002:bool"
INT_TAG = "tag:yaml.org,2002:int"
_TRUE = frozenset({"true", "yes", "on"})
_ALLOWED_CONTROL = frozenset("\n\t")
ID_PATTERN: Final = re.compile(r"[a-z][a-z0-9_.-]*")


def line_of(node: yaml.Node) -> int:
    """1-based line where ``node`` starts."""
    return node.start_mark.line + 1


def joined(values: Sequence[str]) -> str:
    return ", ".join(values) if values else "—"


@dataclass(frozen=True)
class Field:
    """A value found under a key: the key's line and the value's node."""

    line: int
    node: yaml.Node


@dataclass
class Reader:
    """Typed access to nodes; every failed check adds a ``Problem`` and returns ``None``."""

    filename: str
    problems: list[Problem] = field(default_factory=list)

    def problem(self, line: int, message: str, /, **params: object) -> None:
        """Record ``questions.<message>`` at ``line``; params are what the text names."""
        self.problems.append(Problem(self.filename, line, f"questions.{message}", params))

    def mapping(
        self,
        node: yaml.Node,
        path: str,
        *,
        required: Sequence[str] = (),
        optional: Sequence[str] = (),
        line: int | None = None,
    ) -> dict[str, Field] | None:
        """Check a mapping's keys; ``line`` is where a missing key is reported.

        An empty ``path`` means the top of the file, which has messages of its own.
        """
        if not isinstance(node, yaml.MappingNode):
            self.problem(line_of(node), "expected_mapping", path=path)
            return None
        prefix = "" if path else "top_"
        allowed = (*required, *optional)
        found: dict[str, Field] = {}
        suggested: set[str] = set()
        for key_node, value_node in node.value:
            name = self.key_name(key_node, path)
            if name is None:
                continue
            if name in found:
                self.problem(
                    line_of(key_node),
                    f"{prefix}duplicate_key",
                    path=path,
                    key=name,
                    first_line=found[name].line,
                )
            elif name not in allowed:
                suggested.update(self.unknown_key(line_of(key_node), path, name, allowed))
            else:
                found[name] = Field(line_of(key_node), value_node)
        report_at = line if line is not None else line_of(node)
        for name in required:
            # "licence" missing after "license: …" was flagged as a typo is the same mistake.
            if name not in found and name not in suggested:
                self.problem(report_at, f"{prefix}missing_key", path=path, key=name)
        return found

    @staticmethod
    def peek_id(node: yaml.Node) -> str | None:
        """The ``id`` of a mapping, if well-formed, to name it in messages about its keys."""
        if not isinstance(node, yaml.MappingNode):
            return None
        for key_node, value_node in node.value:
            if (
                isinstance(key_node, yaml.ScalarNode)
                and key_node.value == "id"
                and isinstance(value_node, yaml.ScalarNode)
                and ID_PATTERN.fullmatch(str(value_node.value))
            ):
                return str(value_node.value)
        return None

    def key_name(self, key_node: yaml.Node, path: str) -> str | None:
        if isinstance(key_node, yaml.ScalarNode) and key_node.tag != NULL_TAG:
            return str(key_node.value)
        self.problem(line_of(key_node), "bad_key", path=path)
        return None

    def unknown_key(self, line: int, path: str, name: str, allowed: Sequence[str]) -> list[str]:
        """Name the key and, for a likely typo (``ancor``), the key that was probably meant.

        Returns the suggestion, if any.
        """
        prefix = "" if path else "top_"
        close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
        if close:
            self.problem(
                line, f"{prefix}unknown_key_suggest", path=path, key=name, suggestion=close[0]
            )
        else:
            self.problem(line, f"{prefix}unknown_key", path=path, key=name, allowed=joined(allowed))
        return close

    def sequence(self, node: yaml.Node, path: str) -> list[yaml.Node] | None:
        if not isinstance(node, yaml.SequenceNode):
            self.problem(line_of(node), "expected_list", path=path)
            return None
        return list(node.value)

    def text(self, node: yaml.Node, path: str) -> str | None:
        """A non-empty, stripped piece of text."""
        if not isinstance(node, yaml.ScalarNode):
            self.problem(line_of(node), "expected_text", path=path)
            return None
        value = "" if node.tag == NULL_TAG else str(node.value).strip()
        if not value:
            self.problem(line_of(node), "empty_value", path=path)
            return None
        return self.printable(node, path, value)

    def printable(self, node: yaml.Node, path: str, value: str) -> str | None:
        """Reject control characters: invisible to the writer, and not stable through YAML."""
        for char in value:
            if char not in _ALLOWED_CONTROL and unicodedata.category(char) == "Cc":
                self.problem(line_of(node), "control_character", path=path, code=f"{ord(char):04X}")
                return None
        return value

    def boolean(self, node: yaml.Node, path: str) -> bool | None:
        if isinstance(node, yaml.ScalarNode) and node.tag == BOOL_TAG:
            return str(node.value).lower() in _TRUE
        self.problem(line_of(node), "expected_bool", path=path, value=self.shown(node))
        return None

    def integer(self, node: yaml.Node, path: str) -> int | None:
        if isinstance(node, yaml.ScalarNode) and node.tag == INT_TAG:
            try:
                return int(str(node.value).replace("_", ""), 10)
            except ValueError:
                pass
        self.problem(line_of(node), "expected_int", path=path, value=self.shown(node))
        return None

    def choice(
        self, node: yaml.Node, path: str, options: Sequence[str], message: str
    ) -> str | None:
        """One of ``options``; otherwise reports ``message`` with the value and the options."""
        value = self.text(node, path)
        if value is None:
            return None
        if value not in options:
            self.problem(line_of(node), message, path=path, value=value, options=joined(options))
            return None
        return value

    def localised(
        self, where: Field, path: str, languages: Sequence[str] | None
    ) -> FrozenMap[str, str] | None:
        """One text per language.

        ``languages`` is ``None`` when the file's own list is missing or broken; then only the
        texts themselves are checked, so one bad list does not flag every text in the file.
        """
        node = where.node
        if not isinstance(node, yaml.MappingNode):
            self.problem(line_of(node), "expected_localised", path=path)
            return None
        texts: dict[str, str] = {}
        broken = False
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            lang = self.key_name(key_node, path)
            if lang is None:
                broken = True
                continue
            if lang in seen:
                self.problem(
                    line_of(key_node),
                    "duplicate_key",
                    path=path,
                    key=lang,
                    first_line=seen[lang],
                )
                broken = True
                continue
            seen[lang] = line_of(key_node)
            if languages is not None and lang not in languages:
                self.problem(
                    line_of(key_node),
                    "language_not_listed",
                    path=path,
                    lang=lang,
                    languages=joined(languages),
                )
                broken = True
                continue
            value = self.language_text(value_node, path, lang)
            if value is None:
                broken = True
            else:
                texts[lang] = value
        if languages is not None:
            for lang in languages:
                if lang not in seen:
                    self.problem(where.line, "missing_language", path=path, lang=lang)
                    broken = True
        if broken:
            return None
        return FrozenMap((lang, texts[lang]) for lang in languages or tuple(texts))

    def language_text(self, node: yaml.Node, path: str, lang: str) -> str | None:
        if not isinstance(node, yaml.ScalarNode):
            self.problem(line_of(node), "expected_text", path=f"{path}.{lang}")
            return None
        value = "" if node.tag == NULL_TAG else str(node.value).strip()
        if not value:
            self.problem(line_of(node), "empty_text", path=path, lang=lang)
            return None
        return self.printable(node, f"{path}.{lang}", value)

    @staticmethod
    def shown(node: yaml.Node) -> str:
        if isinstance(node, yaml.ScalarNode):
            return str(node.value)
        return "[…]" if isinstance(node, yaml.SequenceNode) else "{…}"


def read_id(reader: Reader, where: Field, path: str) -> str | None:
    value = reader.text(where.node, path)
    if value is not None and not ID_PATTERN.fullmatch(value):
        reader.problem(line_of(where.node), "bad_id", path=path, value=value)
        return None
    return value

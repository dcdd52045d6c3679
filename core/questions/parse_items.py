"""Reading the items section of a question set file."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import yaml

from core.questions.model import FrozenMap
from core.questions.parse_nodes import Field, Reader, line_of, read_id

ITEM_REQUIRED: Final = ("id", "factor", "scale", "text", "source")
ITEM_OPTIONAL: Final = ("anchor", "sensitive", "reverse")


@dataclass(frozen=True)
class ItemDraft:
    """An item's values as read; ``None`` where the value was missing or wrong."""

    line: int
    label: str
    id: str | None
    factor: str | None
    scale: str | None
    anchor: bool | None
    sensitive: bool | None
    reverse: bool | None
    text: FrozenMap[str, str] | None
    source: str | None
    lines: dict[str, int]


def read_items(reader: Reader, where: Field, languages: Sequence[str] | None) -> list[ItemDraft]:
    nodes = reader.sequence(where.node, "items")
    drafts: list[ItemDraft] = []
    for index, node in enumerate(nodes or (), start=1):
        draft = _read_item(reader, index, node, languages)
        if draft is not None:
            drafts.append(draft)
    return drafts


def _read_item(
    reader: Reader, index: int, node: yaml.Node, languages: Sequence[str] | None
) -> ItemDraft | None:
    label = reader.peek_id(node) or f"#{index}"
    fields = reader.mapping(node, f"items[{label}]", required=ITEM_REQUIRED, optional=ITEM_OPTIONAL)
    if fields is None:
        return None
    item_id = read_id(reader, fields["id"], f"items[#{index}].id") if "id" in fields else None
    path = f"items[{label}]"
    lines = {name: where.line for name, where in fields.items()}

    def text_of(name: str) -> str | None:
        return reader.text(fields[name].node, f"{path}.{name}") if name in fields else None

    def flag(name: str) -> bool | None:
        if name not in fields:
            return False
        return reader.boolean(fields[name].node, f"{path}.{name}")

    text = None
    if "text" in fields:
        text = reader.localised(fields["text"], f"{path}.text", languages)
    return ItemDraft(
        line=line_of(node),
        label=label,
        id=item_id,
        factor=text_of("factor"),
        scale=text_of("scale"),
        anchor=flag("anchor"),
        sensitive=flag("sensitive"),
        reverse=flag("reverse"),
        text=text,
        source=text_of("source"),
        lines=lines,
    )

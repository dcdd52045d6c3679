"""A small JSON Schema validator for the keywords our vendored manifest subset uses
(jsonschema is not a dependency): type, required, properties, additionalProperties,
items, minItems, maxItems, uniqueItems, enum, const, pattern, minLength, maxLength, $ref
to #/definitions/…. Returns the problems as "path: message" strings."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

SCHEMA = Path(__file__).parent / "teams-manifest-1.19.subset.json"
_TYPES: dict[str, type | tuple[type, ...]] = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "integer": int,
    "number": (int, float),
}
_KNOWN = {
    "$comment", "$ref", "type", "required", "properties", "additionalProperties", "items",
    "minItems", "maxItems", "uniqueItems", "enum", "const", "pattern", "minLength", "maxLength",
    "definitions",
}  # fmt: skip


def load_schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return data


def validate(
    instance: Any, schema: dict[str, Any], root: dict[str, Any] | None = None
) -> list[str]:
    return _check(instance, schema, root or schema, "$")


def _check(value: Any, schema: dict[str, Any], root: dict[str, Any], path: str) -> list[str]:
    unknown = set(schema) - _KNOWN
    if unknown:
        raise ValueError(f"{path}: schema keyword(s) not supported: {sorted(unknown)}")
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/definitions/")
        return _check(value, root["definitions"][name], root, path)
    problems: list[str] = []
    expected = schema.get("type")
    if expected is not None:
        kind = _TYPES[expected]
        if not isinstance(value, kind) or (expected != "boolean" and isinstance(value, bool)):
            return [f"{path}: expected {expected}"]
    if "const" in schema and value != schema["const"]:
        problems.append(f"{path}: must be {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{path}: {value!r} not one of {schema['enum']}")
    if isinstance(value, str):
        if len(value) > schema.get("maxLength", len(value)):
            problems.append(f"{path}: longer than {schema['maxLength']}")
        if len(value) < schema.get("minLength", 0):
            problems.append(f"{path}: shorter than {schema['minLength']}")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            problems.append(f"{path}: does not match {schema['pattern']}")
    if isinstance(value, list):
        if len(value) > schema.get("maxItems", len(value)):
            problems.append(f"{path}: more than {schema['maxItems']} items")
        if len(value) < schema.get("minItems", 0):
            problems.append(f"{path}: fewer than {schema['minItems']} items")
        if schema.get("uniqueItems") and len({json.dumps(v, sort_keys=True) for v in value}) != len(
            value
        ):
            problems.append(f"{path}: items are not unique")
        if "items" in schema:
            for i, item in enumerate(value):
                problems += _check(item, schema["items"], root, f"{path}[{i}]")
    if isinstance(value, dict):
        for name in schema.get("required", []):
            if name not in value:
                problems.append(f"{path}: '{name}' is required")
        properties = schema.get("properties", {})
        for name, item in value.items():
            if name in properties:
                problems += _check(item, properties[name], root, f"{path}.{name}")
            elif schema.get("additionalProperties") is False:
                problems.append(f"{path}: '{name}' is not allowed")
    return problems

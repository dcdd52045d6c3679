"""A strict reader of the iCalendar subset the wheel writes (RFC 5545), written for the tests
so the export is checked by parsing it back rather than by comparing strings."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

NAME = re.compile(r"^[A-Z][A-Z0-9-]*$")
DATE = re.compile(r"^\d{8}$")
STAMP = re.compile(r"^\d{8}T\d{6}Z$")


class InvalidCalendar(AssertionError):
    pass


@dataclass
class Component:
    name: str
    props: list[tuple[str, dict[str, str], str]] = field(default_factory=list)
    children: list[Component] = field(default_factory=list)

    def one(self, name: str) -> tuple[dict[str, str], str]:
        found = [(params, value) for n, params, value in self.props if n == name]
        if len(found) != 1:
            raise InvalidCalendar(f"{self.name}: {name} appears {len(found)} times")
        return found[0]

    def value(self, name: str) -> str:
        return self.one(name)[1]


def unescape(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        ch = value[i]
        if ch == "\\":
            nxt = value[i + 1]
            out.append("\n" if nxt in "nN" else nxt)
            if nxt not in "nN\\;,":
                raise InvalidCalendar(f"bad escape \\{nxt}")
            i += 2
            continue
        if ch in ";,":
            raise InvalidCalendar(f"unescaped {ch!r} in TEXT {value!r}")
        out.append(ch)
        i += 1
    return "".join(out)


def _split(line: str) -> tuple[str, dict[str, str], str]:
    head, sep, value = line.partition(":")
    if not sep:
        raise InvalidCalendar(f"no ':' in {line!r}")
    name, *raw_params = head.split(";")
    if not NAME.match(name):
        raise InvalidCalendar(f"bad property name {name!r}")
    params = {}
    for raw in raw_params:
        key, eq, val = raw.partition("=")
        if not eq or not NAME.match(key):
            raise InvalidCalendar(f"bad parameter {raw!r}")
        params[key] = val
    return name, params, value


def parse(data: bytes) -> Component:
    text = data.decode("utf-8")
    if not text.endswith("\r\n"):
        raise InvalidCalendar("the file must end with CRLF")
    physical = text[:-2].split("\r\n")
    for line in physical:
        if "\n" in line or "\r" in line:
            raise InvalidCalendar("bare LF or CR")
        if len(line.encode("utf-8")) > 75:
            raise InvalidCalendar(f"line longer than 75 octets: {line!r}")
    logical: list[str] = []
    for line in physical:
        if line.startswith((" ", "\t")):
            if not logical:
                raise InvalidCalendar("continuation before the first line")
            logical[-1] += line[1:]
        else:
            logical.append(line)
    stack: list[Component] = []
    root: Component | None = None
    for line in logical:
        name, params, value = _split(line)
        if name == "BEGIN":
            stack.append(Component(value))
        elif name == "END":
            if not stack or stack[-1].name != value:
                raise InvalidCalendar(f"END:{value} does not close the open component")
            done = stack.pop()
            if stack:
                stack[-1].children.append(done)
            elif root is None:
                root = done
            else:
                raise InvalidCalendar("more than one top-level component")
        else:
            if not stack:
                raise InvalidCalendar(f"{name} outside a component")
            stack[-1].props.append((name, params, value))
    if stack or root is None or root.name != "VCALENDAR":
        raise InvalidCalendar("not one complete VCALENDAR")
    _check(root)
    return root


def _check(cal: Component) -> None:
    if cal.value("VERSION") != "2.0":
        raise InvalidCalendar("VERSION must be 2.0")
    cal.one("PRODID")
    uids: set[str] = set()
    for event in cal.children:
        if event.name != "VEVENT":
            raise InvalidCalendar(f"unexpected component {event.name}")
        uid = event.value("UID")
        if not uid or uid in uids:
            raise InvalidCalendar(f"missing or repeated UID {uid!r}")
        uids.add(uid)
        if not STAMP.match(event.value("DTSTAMP")):
            raise InvalidCalendar("DTSTAMP must be a UTC date-time")
        start_params, start = event.one("DTSTART")
        end_params, end = event.one("DTEND")
        for params, value in ((start_params, start), (end_params, end)):
            if params.get("VALUE") != "DATE" or not DATE.match(value):
                raise InvalidCalendar(f"all-day dates expected, got {params} {value}")
        if day(end) <= day(start):
            raise InvalidCalendar("DTEND must be after DTSTART")
        for name in ("SUMMARY", "DESCRIPTION", "CATEGORIES"):
            unescape(event.value(name))


def day(value: str) -> date:
    return datetime.strptime(value, "%Y%m%d").date()


def events(cal: Component) -> dict[str, Component]:
    return {e.value("UID"): e for e in cal.children}

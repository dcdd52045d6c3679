"""A simulated organisation for ``tempcheck demo``: about 60 people in three levels,
including teams too small to report on their own. Deterministic for a given seed."""

from __future__ import annotations

import csv
import io
import random
import uuid

from core.roster import OPTIONAL_COLUMNS, REQUIRED_COLUMNS

COMPANY = "Fjordvik AS"
DOMAIN = "fjordvik.example"

# (department, department's own staff besides its leader, [(team, size incl. team leader)])
STRUCTURE: tuple[tuple[str, int, tuple[tuple[str, int], ...]], ...] = (
    ("Drift", 0, (("Lager", 9), ("Transport", 7), ("Verksted", 4))),
    ("Salg og service", 0, (("Kundeservice", 10), ("Salg", 6), ("Marked", 3))),
    ("Utvikling", 2, (("Plattform", 8), ("Data", 5))),
)
ROOT_STAFF = 3  # managing director, HR adviser, finance

FIRST_NAMES = [
    "Anne",
    "Ingrid",
    "Kari",
    "Marit",
    "Hilde",
    "Silje",
    "Ida",
    "Nora",
    "Emma",
    "Sara",
    "Ingeborg",
    "Maja",
    "Solveig",
    "Hanne",
    "Tone",
    "Lars",
    "Ole",
    "Jan",
    "Per",
    "Bjørn",
    "Kjetil",
    "Eirik",
    "Sindre",
    "Jonas",
    "Magnus",
    "Henrik",
    "Anders",
    "Håkon",
    "Aksel",
    "Tor",
    "Amir",
    "Fatima",
    "Ahmed",
    "Agnieszka",
    "Tomasz",
    "Linh",
    "Priya",
]
LAST_NAMES = [
    "Hansen",
    "Johansen",
    "Olsen",
    "Larsen",
    "Andersen",
    "Pedersen",
    "Nilsen",
    "Kristiansen",
    "Jensen",
    "Karlsen",
    "Johnsen",
    "Pettersen",
    "Eriksen",
    "Berg",
    "Haugen",
    "Hagen",
    "Johannessen",
    "Andreassen",
    "Jacobsen",
    "Dahl",
    "Jørgensen",
    "Halvorsen",
    "Henriksen",
    "Lund",
    "Sørensen",
    "Moen",
    "Strand",
    "Solberg",
    "Bakken",
    "Ali",
    "Nowak",
    "Nguyen",
]

COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS


def _ascii(text: str) -> str:
    table = str.maketrans({"æ": "ae", "ø": "o", "å": "a"})
    return text.lower().translate(table)


def simulated_roster_csv(seed: int) -> str:
    """The roster CSV of the simulated organisation, as an HR system would export it."""
    rng = random.Random(seed)
    used: set[str] = set()
    rows: list[dict[str, str]] = []

    def person(unit: str, **extra: str) -> dict[str, str]:
        while True:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            email = f"{_ascii(first)}.{_ascii(last)}@{DOMAIN}"
            if email not in used:
                used.add(email)
                break
        on_slack = rng.random() < 0.6
        row = {
            "email": email,
            "name": f"{first} {last}",
            "unit": unit,
            "locale": "en" if rng.random() < 0.15 else "nb",
            "timezone": "Europe/Stockholm" if rng.random() < 0.05 else "Europe/Oslo",
            "slack_user_id": "U" + "".join(rng.choices("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", k=9))
            if on_slack
            else "",
            "teams_aad_id": "" if on_slack else str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        }
        row.update(extra)
        rows.append(row)
        return row

    person(COMPANY, leader_of=COMPANY, roles="amu")
    person(COMPANY, roles="hr_admin;amu")
    for _ in range(ROOT_STAFF - 2):
        person(COMPANY)
    for department, own_staff, teams in STRUCTURE:
        dept_path = f"{COMPANY}/{department}"
        person(dept_path, leader_of=dept_path)
        for _ in range(own_staff):
            person(dept_path)
        for index, (team, size) in enumerate(teams):
            team_path = f"{dept_path}/{team}"
            person(team_path, leader_of=team_path)
            for member in range(size - 1):
                extra: dict[str, str] = {}
                if index == 0 and member == 0:
                    extra["verneombud_for"] = dept_path
                    if department == STRUCTURE[0][0]:
                        extra["roles"] = "hovedverneombud;amu"
                person(team_path, **extra)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in COLUMNS})
    return out.getvalue()

"""The CLI as an operator uses it, on a real SQLite file in a temporary directory."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app

runner = CliRunner()

ROSTER = (
    "email,name,unit,leader_of,roles\n"
    "boss@acme.no,Bo Sjef,Acme,Acme,hr_admin\n"
    "a@acme.no,Anna A,Acme/Ops,Acme/Ops,\n"
    "b@acme.no,Bjørn B,Acme/Ops,,\n"
)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TEMPCHECK_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 't.db'}")
    monkeypatch.setenv("TEMPCHECK_TENANT", "acme")
    return tmp_path


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--locale", "en", *args])
    return result.exit_code, result.output


def test_help_lists_every_command(workdir: Path) -> None:
    code, out = cli("--help")
    assert code == 0
    for command in ("db", "org", "questions", "demo"):
        assert command in out
    code, out = cli("questions", "--help")
    for command in ("validate", "import", "export", "list", "coverage"):
        assert command in out


def test_commands_refuse_an_unmigrated_database(workdir: Path) -> None:
    (workdir / "org.csv").write_text(ROSTER, encoding="utf-8")
    code, out = cli("org", "import", "org.csv")
    assert code == 1
    assert "tempcheck db upgrade" in out


def test_org_import_show_and_reimport(workdir: Path) -> None:
    assert cli("db", "upgrade")[0] == 0
    (workdir / "org.csv").write_text(ROSTER, encoding="utf-8")
    code, out = cli("org", "import", "org.csv", "--dry-run")
    assert code == 0 and "nothing was written" in out and "people added: 3" in out
    code, out = cli("org", "show")
    assert code == 1 and "no organisation 'acme'" in out
    code, out = cli("org", "import", "org.csv")
    assert code == 0 and "people added: 3" in out
    code, out = cli("org", "show")
    assert code == 0
    assert "Acme  (1 here, 3 in all)  [leader: Bo Sjef]" in out
    assert "└── Ops  (2 here, 2 in all)  [leader: Anna A]" in out
    assert "HR admin: Bo Sjef" in out
    (workdir / "org.csv").write_text(ROSTER.rsplit("\n", 2)[0] + "\n", encoding="utf-8")
    code, out = cli("org", "import", "org.csv")
    assert code == 0 and "people deactivated (not in the file): 1" in out
    assert "deactivated, not deleted" in out


def test_broken_csv_names_the_line_and_changes_nothing(workdir: Path) -> None:
    cli("db", "upgrade")
    (workdir / "org.csv").write_text(ROSTER, encoding="utf-8")
    cli("org", "import", "org.csv")
    _, before = cli("org", "show")
    broken = ROSTER.replace("Anna A,Acme/Ops", "Anna A,Acme//Ops") + "c@acme.no,C,Acme,,chief\n"
    (workdir / "bad.csv").write_text(broken, encoding="utf-8")
    code, out = cli("org", "import", "bad.csv")
    assert code == 1
    assert "bad.csv:3: 'unit' has an empty part in 'Acme//Ops'" in out
    assert "bad.csv:5: unknown role 'chief'" in out
    assert cli("org", "show")[1] == before


def test_not_utf8_is_a_clear_error(workdir: Path) -> None:
    cli("db", "upgrade")
    (workdir / "latin1.csv").write_bytes(ROSTER.encode("latin-1"))
    code, out = cli("org", "import", "latin1.csv")
    assert code == 1 and "not UTF-8" in out


def test_invalid_setting_names_the_setting(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEMPCHECK_DEFAULT_TIMEZONE", "Europe/Osl")
    code, out = cli("org", "show")
    assert code == 2
    assert "TEMPCHECK_DEFAULT_TIMEZONE: unknown time zone 'Europe/Osl'" in out


def test_questions_lifecycle(workdir: Path) -> None:
    cli("db", "upgrade")
    (workdir / "org.csv").write_text(ROSTER, encoding="utf-8")
    cli("org", "import", "org.csv")
    code, out = cli("questions", "list")
    assert code == 0 and "No question sets" in out
    code, out = cli("questions", "import")
    assert code == 0 and "as version 1" in out
    code, out = cli("questions", "import")
    assert code == 0 and "unchanged" in out and "version 1" in out
    code, _ = cli("questions", "export", "--out", "mine.yaml")
    assert code == 0
    text = (workdir / "mine.yaml").read_text(encoding="utf-8")
    (workdir / "mine.yaml").write_text(text.replace("version: ", "version: x", 1), encoding="utf-8")
    assert cli("questions", "validate", "mine.yaml")[0] == 0
    code, out = cli("questions", "import", "mine.yaml")
    assert code == 0 and "as version 2" in out
    code, out = cli("questions", "list")
    assert "default v1" in out and "default v2" in out
    code, out = cli("questions", "export", "--version", "1")
    assert code == 0 and out == text


def test_broken_question_file_names_the_line_and_stores_nothing(workdir: Path) -> None:
    cli("db", "upgrade")
    (workdir / "org.csv").write_text(ROSTER, encoding="utf-8")
    cli("org", "import", "org.csv")
    code, shipped = cli("questions", "export", "--shipped")
    assert code == 0
    lines = shipped.splitlines()
    factor_line = next(i for i, line in enumerate(lines) if line.strip() == "factor: workload")
    lines[factor_line] = lines[factor_line].replace("workload", "workloadd")
    (workdir / "bad.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out = cli("questions", "validate", "bad.yaml")
    assert code == 1
    assert f"bad.yaml:{factor_line + 1}:" in out and "workloadd" in out
    code, out = cli("questions", "import", "bad.yaml")
    assert code == 1
    assert "No question sets" in cli("questions", "list")[1]


def test_coverage_of_the_shipped_bank(workdir: Path) -> None:
    code, out = cli("questions", "coverage")
    assert code == 0
    assert out.count("complete: yes") == 16 and "complete: no" not in out


def test_demo_runs_end_to_end_offline(workdir: Path) -> None:
    code, out = cli("demo", "--weeks", "4", "--seed", "7", "--out", "demo", "--start", "2026-11-23")
    assert code == 0, out
    assert (workdir / "demo" / "tempcheck-demo.db").exists()
    assert "people added: 60" in out
    assert "never report on their own" in out
    assert out.count("complete: yes") == 16
    assert "Fjordvik AS/Utvikling: every second week from Wednesday at 09:00" in out
    weeks = [line for line in out.splitlines() if line.startswith(("Week ", "After week "))]
    assert [w.split(" (")[0] for w in weeks] == [
        "Week 1",
        "Week 2",
        "Week 3",
        "Week 4",
        "After week 4",
    ]
    # Two cadences: the company weekly, Utvikling (16 people) every second week in rounds of
    # its own; the company's rounds ask everyone else. Nobody is in both.
    opened = [line for line in out.splitlines() if line.startswith("  opened round ")]
    assert len(opened) == 7
    assert sum("Fjordvik AS/Utvikling, " in line for line in opened) == 2
    assert {line.rsplit(": ", 1)[1] for line in opened} == {"44 people asked", "16 people asked"}
    assert "Week 1 (" in weeks[0] and "60 invitation(s)" in weeks[0]
    # Reminders go out (to those who have not answered), fewer than two per invitation.
    reminders = [int(w.split(" reminder(s)")[0].rsplit(" ", 1)[1]) for w in weeks[:4]]
    assert all(0 < r < 2 * 60 for r in reminders)
    # Results appear only as released: banded participation and rounded scores, never a
    # count of respondents.
    released = [line for line in out.splitlines() if line.startswith("  released round ")]
    assert len(released) == 6 and all(
        "Participation: Fjordvik AS" in r or "Participation: Utvikling" in r for r in released
    )
    assert "Workload and time pressure: Fjordvik AS " in out and "cells published" in out
    assert "keys and participation ledgers destroyed for" in out
    # What leaders and employees would see, written beside the database.
    results = workdir / "demo" / "results"
    assert f"What leaders and employees would see: {results / 'index.html'}" in out
    index = (results / "index.html").read_text(encoding="utf-8")
    assert "overview.html" in index and "digests/fjordvik-as.html" in index
    company = (results / "digests" / "fjordvik-as.md").read_text(encoding="utf-8")
    assert company.startswith("# Pulse results for Fjordvik AS, ")
    assert "(probably " in company and "Participation: " in company
    overview = (results / "overview.md").read_text(encoding="utf-8")
    assert "| Factor | Fjordvik AS |" in overview
    assert (results / "overview.png").read_bytes()[:4] == b"\x89PNG"
    assert {p.name for p in (results / "exports").iterdir()} == {
        "results.csv",
        "results.xlsx",
        "results.json",
    }
    # A second run starts from a fresh database and gives the same organisation and the same
    # simulated answers: the same scores.
    code, again = cli(
        "demo", "--weeks", "4", "--seed", "7", "--out", "demo", "--start", "2026-11-23"
    )
    assert code == 0 and "people added: 60" in again
    scores = [line for line in out.splitlines() if line.startswith("    - ")]
    assert scores and scores == [line for line in again.splitlines() if line.startswith("    - ")]


def test_large_roster_imports_with_progress(workdir: Path) -> None:
    cli("db", "upgrade")
    rows = [f"p{i}@acme.no,Person {i},Acme/Team {i % 25}" for i in range(1200)]
    (workdir / "big.csv").write_text("email,name,unit\n" + "\n".join(rows) + "\n")
    code, out = cli("org", "import", "big.csv")
    assert code == 0 and "people added: 1200" in out and "units created: 26" in out
    code, out = cli("org", "import", "big.csv")
    assert code == 0 and "unchanged: 1200" in out


def test_org_show_names_people_not_reachable_on_teams(workdir: Path) -> None:
    cli("db", "upgrade")
    roster = (
        "email,name,unit,teams_aad_id\n"
        "a@acme.no,Anna A,Acme,0f8fad5b-d9cb-469f-a165-70867728950e\n"
        "b@acme.no,Bjørn B,Acme,\n"
    )
    (workdir / "org.csv").write_text(roster, encoding="utf-8")
    cli("org", "import", "org.csv")
    code, out = cli("org", "show")
    assert code == 0
    assert "Not reachable on Teams (1): Anna A." in out and "Bjørn B." not in out


def test_notify_without_any_platform_is_refused_before_opening(workdir: Path) -> None:
    cli("db", "upgrade")
    (workdir / "org.csv").write_text(ROSTER, encoding="utf-8")
    cli("org", "import", "org.csv")
    code, out = cli("round", "open", "--notify")
    assert code == 2 and "--notify needs Slack or Teams" in out
    assert "No rounds yet" in cli("round", "list")[1]

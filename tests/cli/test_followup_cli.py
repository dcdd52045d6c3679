"""tempcheck evidence|assess|consult|measure|audit on a real SQLite file, in both languages."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from bot.cli import db, followup, org
from bot.cli.main import root

runner = CliRunner()
app = typer.Typer()
app.callback()(root)
for sub, name in [
    (db.app, "db"),
    (org.app, "org"),
    (followup.evidence_app, "evidence"),
    (followup.assess_app, "assess"),
    (followup.consult_app, "consult"),
    (followup.measure_app, "measure"),
    (followup.audit_app, "audit"),
]:
    app.add_typer(sub, name=name)

ROSTER = (
    "email,name,unit,leader_of,verneombud_for,roles,access_until\n"
    "lead@acme.no,Lea Leder,Acme/Ops,Acme/Ops,,,\n"
    "vo@acme.no,Vera Vern,Acme/Ops,,Acme/Ops,,\n"
    "hr@acme.no,Hanne HR,Acme,,,hr_admin,\n"
    "bht@acme.no,Bjørn BHT,Acme,,,adviser,2020-01-31\n"
    + "".join(f"p{i}@acme.no,Person {i},Acme/Ops,,,,\n" for i in range(6))
)
LEAD, VO, HR = ("--as", "lead@acme.no"), ("--as", "vo@acme.no"), ("--as", "hr@acme.no")


def cli(*args: str, locale: str = "en") -> tuple[int, str]:
    result = runner.invoke(app, ["--locale", locale, *args])
    return result.exit_code, result.output


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TEMPCHECK_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 't.db'}")
    monkeypatch.setenv("TEMPCHECK_TENANT", "acme")
    (tmp_path / "org.csv").write_text(ROSTER, encoding="utf-8")
    for args in (["db", "upgrade"], ["org", "import", "org.csv"]):
        code, out = cli(*args)
        assert code == 0, out
    return tmp_path


def test_the_follow_up_cycle_from_the_shell(workdir: Path) -> None:
    code, out = cli(
        "evidence", "add", "--unit", "Acme/Ops", "--factor", "workload",
        "--source", "safety_round", "--text", "Late evenings before releases", *VO,
    )  # fmt: skip
    assert (code, out.strip()) == (0, "Evidence 1 added.")
    code, out = cli(
        "assess", "create", "--unit", "Acme/Ops", "--factor", "workload",
        "--description", "Deadlines pile up", "--likelihood", "4", "--consequence", "3",
        "--evidence", "1", "--next-review", "2099-01-01", *LEAD,
    )  # fmt: skip
    assert code == 0 and "risk 12, high" in out
    code, out = cli("assess", "complete", "1", *LEAD, locale="nb")
    assert code == 1 and "kan ikke ferdigstilles" in out
    code, out = cli(
        "consult", "record", "--subject", "assessment", "--id", "1",
        "--position", "agree", "--comment", "OK", *VO,
    )  # fmt: skip
    assert code == 0 and "Consultation 1 recorded." in out
    assert cli("assess", "complete", "1", *LEAD) == (0, "Risk assessment 1 completed.\n")
    code, out = cli("assess", "show", "1", *VO, locale="nb")
    assert code == 0 and "ferdigstilt" in out and "Vera Vern (verneombud) er enig: OK" in out
    code, out = cli(
        "measure", "create", "--unit", "Acme/Ops", "--factor", "workload",
        "--title", "Ny medarbeiderundersøkelse", "--due", "2099-02-01", *LEAD, locale="nb",
    )  # fmt: skip
    assert code == 1 and "er ikke et tiltak" in out
    code, out = cli(
        "measure", "create", "--unit", "Acme/Ops", "--factor", "workload",
        "--title", "Weekly priority meeting", "--due", "2099-02-01", "--assessment", "1",
        "--level", "group", *LEAD,
    )  # fmt: skip
    assert (code, out) == (0, "Measure 1 created.\n")
    code, out = cli("measure", "update", "1", "--status", "in_progress", *LEAD)
    assert code == 0 and "in progress" in out
    code, out = cli("measure", "list", *VO, locale="nb")
    assert "Acme/Ops · workload: Weekly priority meeting [gruppe] ansvarlig Lea Leder" in out
    code, out = cli("measure", "create", "--unit", "Acme/Ops", "--factor", "workload",
                    "--title", "Meeting", "--due", "2099-02-01", *VO)  # fmt: skip
    assert code == 1 and "you may not create or change measures for Acme/Ops" in out
    code, out = cli("measure", "suggest", "--factor", "workload", locale="nb")
    assert code == 0 and out.startswith("• [gruppe, primært]")
    code, out = cli("measure", "effect", "1", *LEAD)
    assert code == 0 and "not measured again yet" in out
    code, out = cli("consult", "list", "--as", "bht@acme.no")
    assert code == 1 and "expired" in out
    code, out = cli("audit", "show", "--since", "2000-01-01", *HR)
    assert code == 0
    for action in ("org.import", "evidence.add", "assessment.create", "consultation.record",
                   "assessment.complete", "measure.create", "measure.update"):  # fmt: skip
        assert f"  {action}  " in out, action
    assert "lead@acme.no leader Acme/Ops" in out  # role grants in the import's record
    assert '"status": {"after": "in_progress", "before": "planned"}' in out
    code, out = cli("audit", "show", *LEAD)
    assert code == 1 and "audit trail" in out


def test_adviser_needs_an_end_date(workdir: Path) -> None:
    (workdir / "bad.csv").write_text(
        "email,name,unit,roles\nbht@acme.no,B,Acme,adviser\n", encoding="utf-8"
    )
    code, out = cli("org", "import", "bad.csv", locale="nb")
    assert code == 1 and "access_until" in out and "tidsbegrenset" in out

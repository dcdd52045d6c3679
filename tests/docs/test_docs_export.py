"""The documentation export: every section, released values only, a canonical content hash,
and full documentation for an organisation too small to report (on every backend)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from core.clock import FixedClock
from core.documentation import (
    SECTION_NAMES,
    Documentation,
    build_documentation,
    canonical_json,
    documentation_html,
)
from core.i18n import t
from core.ports import UnitOfWorkFactory
from tests.docs.conftest import PERIOD, SUPPRESSED, build_scenario
from tests.flow import TENANT, organisation, setup_org


async def export(uows: UnitOfWorkFactory, clock: FixedClock) -> Documentation:
    return await build_documentation(
        uows,
        clock,
        tenant_slug=TENANT,
        start=PERIOD[0],
        end=PERIOD[1],
        timezone="Europe/Oslo",
        actor="cli:auditor",
        output="json",
    )


def sections(doc: Documentation) -> Mapping[str, Any]:
    return doc.content["sections"]  # type: ignore[return-value]


async def test_every_section_with_released_values_only(
    uows: UnitOfWorkFactory, clock: FixedClock, tmp_path: Path
) -> None:
    scenario = await build_scenario(uows, clock, tmp_path)
    doc = await export(uows, clock)
    found = sections(doc)
    assert tuple(found) == SECTION_NAMES
    rounds = found["mappings"]["rounds"]
    assert [r["round"] for r in rounds] == [scenario.released.id, scenario.still_open.id]
    released, still_open = rounds
    async with uows() as uow:
        stored = await uow.rounds.release(scenario.released.id)
    assert stored is not None
    assert released["reportable"] and released["release_hash"] == stored.hash
    sales = [c for c in released["results"] if c["unit"] == SUPPRESSED]
    assert sales and all(
        (c["score"], c["band"], c["n_band"], c["reason"])
        == (None, None, None, "anonymity.reason.too_few_respondents")
        for c in sales
    )
    (sales_part,) = [p for p in released["participation"] if p["unit"] == SUPPRESSED]
    assert (sales_part["n_band"], sales_part["rate"]) == (None, None)
    assert all(c["score"] is not None for c in released["results"] if c["unit"] != SUPPRESSED)
    assert still_open["results"] == [] and still_open["note"] == "docs.mappings.not_released"
    # Evidence citing the suppressed cell shows the reason, never a value.
    (assessment,) = found["risk_assessments"]
    cited = {e["unit"]: e["cell"] for e in assessment["evidence"] if "cell" in e}
    assert cited[SUPPRESSED] == {
        "score": None,
        "band": None,
        "n_band": None,
        "reason": "anonymity.reason.too_few_respondents",
    }
    assert cited["Acme/Ops"]["score"] == "75"
    assert assessment["consultations"] and assessment["status"] == "completed"
    (measure,) = found["measures"]
    assert (measure["status"], measure["participants"], measure["overdue"]) == (
        "in_progress",
        2,
        False,
    )
    assert {c["subject"] for c in found["consultations"]} == {"assessment", "annual_wheel"}
    actions = [e["action"] for e in found["audit_trail"]]
    assert actions == [
        "org.import",
        "questions.import",
        "thresholds.change",
        "cadence.set",
        "wheel.add",
    ]
    routine = found["routine"]
    assert routine["thresholds"]["current"]["k_comment"] == 12
    assert routine["cadence"]["units"][0]["unit"] == "Acme/Ops"
    assert routine["methods"] == ["pulse", "safety_round"]
    assert routine["size_class"] == "10_49"
    kinds = {e["kind"] for e in found["wheel"]["entries"]}
    assert {"pulse", "safety_round", "risk_review", "measure_review"} <= kinds


async def test_the_content_hash_is_canonical_stable_and_audit_logged(
    uows: UnitOfWorkFactory, clock: FixedClock, tmp_path: Path
) -> None:
    await build_scenario(uows, clock, tmp_path)
    doc = await export(uows, clock)
    twin = json.loads(doc.to_json())
    recomputed = hashlib.sha256(
        json.dumps(
            twin["content"], sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode("utf-8")
    ).hexdigest()
    assert twin["content_hash"] == doc.content_hash == f"sha256:{recomputed}"
    assert canonical_json(twin["content"]) == canonical_json(doc.content)
    assert twin["generated_at"] == clock.now().isoformat()
    again = await export(uows, clock)  # the first export's own audit entry changes nothing
    assert again.content_hash == doc.content_hash
    for locale in ("nb", "en"):
        page = documentation_html(doc, locale)
        assert doc.content_hash in page and clock.now().isoformat() in page
    org = await organisation(uows)
    async with uows() as uow:
        logged = [e for e in await uow.audit.entries(org.tenant.id) if e.action == "docs.export"]
    assert [e.detail["hash"] for e in logged] == [doc.content_hash] * 2
    assert logged[0].actor == "cli:auditor"


async def test_a_small_organisation_gets_all_documentation_and_too_few_to_report(
    uows: UnitOfWorkFactory, clock: FixedClock
) -> None:
    await setup_org(uows, clock, {"Liten": 5})
    doc = await export(uows, clock)
    found = sections(doc)
    assert tuple(found) == SECTION_NAMES
    assert found["mappings"]["rounds"] == []
    assert found["mappings"]["note"] == "docs.mappings.too_few_to_report"
    assert found["routine"]["size_class"] == "under_6"
    assert found["routine"]["question_sets"][0]["key"] == "default"
    assert found["wheel"]["gaps"][0]["key"] == "wheel.gap.too_small_for_pulses"
    for locale, words in (("nb", "For få til å rapportere"), ("en", "Too few to report")):
        page = documentation_html(doc, locale)
        assert words in page
        for name in SECTION_NAMES:
            assert f'<section id="{name}">' in page
            assert t(f"docs.section.{name}", locale) in page

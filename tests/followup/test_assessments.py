"""Evidence, risk assessments and the consultation log through the real services."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from core.anonymity.record import Release
from core.errors import TempcheckError
from core.followup import (
    AssessmentStatus,
    ConsultedAs,
    EvidenceSource,
    Position,
    RiskLevel,
    risk_level,
)
from core.followup_service import (
    SCORED_FACTORS,
    AssessmentInput,
    add_evidence,
    complete_assessment,
    create_assessment,
    list_assessments,
    list_consultations,
    record_consultation,
    update_assessment,
)
from tests.digest.conftest import release_one
from tests.flow import advance, key_store, raises_key
from tests.followup.conftest import Roles

DATA = AssessmentInput(
    description="Deadlines pile up before every release",
    likelihood=4,
    consequence=3,
    controls="Weekly stand-up",
    evidence_ids=(),
    assessed_on=None,
    next_review=date(2027, 5, 1),
)


def test_risk_level_matrix() -> None:
    assert [risk_level(1, 4), risk_level(1, 5), risk_level(3, 3), risk_level(2, 5)] == [
        RiskLevel.LOW,
        RiskLevel.MEDIUM,
        RiskLevel.MEDIUM,
        RiskLevel.HIGH,
    ]
    assert risk_level(4, 4) is RiskLevel.HIGH and risk_level(4, 5) is RiskLevel.VERY_HIGH
    for bad in ((0, 3), (3, 6)):
        with raises_key("followup.error.scale"):
            risk_level(*bad)


async def _create(roles: Roles, who: str = "leader", **changes: object) -> int:
    found = await create_assessment(
        roles.uows,
        roles.clock,
        tenant_slug=roles.tenant,
        as_email=roles.email[who],
        unit_path="Acme/Ops",
        factor="workload",
        data=AssessmentInput(**{**DATA.__dict__, **changes}),
    )
    return found.id


async def _consult(
    roles: Roles, who: str, assessment: int, position: str = "agree", **kw: object
) -> None:
    await record_consultation(
        roles.uows,
        roles.clock,
        tenant_slug=roles.tenant,
        as_email=roles.email[who],
        subject="assessment",
        subject_id=assessment,
        position=position,
        comment=str(kw.pop("comment", "")),
        **kw,  # type: ignore[arg-type]
    )


async def _complete(roles: Roles, assessment: int, who: str = "leader") -> AssessmentStatus:
    done = await complete_assessment(
        roles.uows,
        roles.clock,
        tenant_slug=roles.tenant,
        as_email=roles.email[who],
        assessment_id=assessment,
    )
    return done.status


async def test_cannot_complete_without_a_verneombud_consultation(roles: Roles) -> None:
    assessment = await _create(roles)
    with pytest.raises(TempcheckError) as caught:
        await _complete(roles, assessment)
    assert caught.value.key == "followup.error.no_consultation"
    assert "verneombud" in caught.value.render("en") and "rådført" in caught.value.render("nb")
    # the leader may not write the verneombud's statement; another area's verneombud may not
    with raises_key("access.denied"):
        await _consult(roles, "leader", assessment)
    with raises_key("access.denied"):
        await _consult(roles, "sales_vo", assessment)
    # the AMU's statement alone does not stand in for the verneombud's
    await _consult(roles, "amu", assessment)
    with raises_key("followup.error.no_consultation"):
        await _complete(roles, assessment)
    with raises_key("followup.error.empty"):  # disagreeing needs a reason
        await _consult(roles, "verneombud", assessment, position="disagree")
    advance(roles.clock, hours=1)
    await _consult(roles, "verneombud", assessment, position="disagree", comment="Needs staff")
    # the verneombud may not complete the employer's assessment
    with raises_key("access.denied"):
        await _complete(roles, assessment, who="verneombud")
    assert await _complete(roles, assessment) is AssessmentStatus.COMPLETED
    with raises_key("followup.error.assessment_completed"):
        await update_assessment(
            roles.uows, roles.clock, tenant_slug=roles.tenant, as_email=roles.email["leader"],
            assessment_id=assessment, data=DATA,
        )  # fmt: skip
    _, log = await list_consultations(
        roles.uows, roles.clock, tenant_slug=roles.tenant, as_email=roles.email["verneombud"]
    )
    assert [(c.consulted_as, c.position) for c in log] == [
        (ConsultedAs.AMU, Position.AGREE),
        (ConsultedAs.VERNEOMBUD, Position.DISAGREE),
    ]


async def test_an_edit_after_the_consultation_needs_a_new_one(roles: Roles) -> None:
    assessment = await _create(roles)
    await _consult(roles, "hovedverneombud", assessment)
    advance(roles.clock, minutes=5)
    await update_assessment(
        roles.uows, roles.clock, tenant_slug=roles.tenant, as_email=roles.email["hr"],
        assessment_id=assessment, data=AssessmentInput(**{**DATA.__dict__, "likelihood": 5}),
    )  # fmt: skip
    with raises_key("followup.error.no_consultation"):
        await _complete(roles, assessment)
    advance(roles.clock, minutes=5)
    await _consult(roles, "verneombud", assessment)
    assert await _complete(roles, assessment, who="hr") is AssessmentStatus.COMPLETED
    async with roles.uows() as uow:
        entries = [
            e
            for e in await uow.audit.entries(roles.org.tenant.id)
            if e.action.startswith("assessment.")
        ]
    assert [e.action for e in entries] == [
        "assessment.create",
        "assessment.update",
        "assessment.complete",
    ]
    assert entries[1].detail["changes"] == {
        "likelihood": {"before": 4, "after": 5},
        "assessor_id": {"before": roles.ids["leader"], "after": roles.ids["hr"]},
    }
    assert entries[0].actor == f"member:{roles.ids['leader']}"


async def test_assessment_input_is_checked(roles: Roles) -> None:
    with raises_key("followup.error.scale"):
        await _create(roles, likelihood=6)
    with raises_key("followup.error.review_before_assessment"):
        await _create(roles, next_review=roles.clock.now().date())
    with raises_key("followup.error.unknown_evidence"):
        await _create(roles, evidence_ids=(999,))
    with raises_key("followup.error.unknown_member"):
        await _create(roles, who="nobody") if False else await create_assessment(
            roles.uows, roles.clock, tenant_slug=roles.tenant, as_email="ghost@acme.no",
            unit_path="Acme/Ops", factor="workload", data=DATA,
        )  # fmt: skip
    with raises_key("access.denied"):
        await _create(roles, who="adviser")
    _, seen = await list_assessments(
        roles.uows, roles.clock, tenant_slug=roles.tenant, as_email=roles.email["sales_vo"]
    )
    assert seen == []


async def test_evidence_register_and_released_cells(roles: Roles, tmp_path: Path) -> None:
    keys = key_store(tmp_path)
    released = await release_one(roles.uows, roles.clock, keys, "2026-W48")

    async with roles.uows() as uow:
        stored_release = await uow.rounds.release(released.id)
    assert stored_release is not None
    asked = {c.metric for c in Release.from_json(stored_release.document).cells}
    factor = "workload" if "workload" in asked else sorted(asked & set(SCORED_FACTORS))[0]
    not_asked = sorted(set(SCORED_FACTORS) - asked)[0]

    async def add(
        unit: str, source: str, text: str = "", round_id: int | None = None, metric: str = ""
    ) -> int:
        found = await add_evidence(
            roles.uows, roles.clock, tenant_slug=roles.tenant, as_email=roles.email["verneombud"]
            if unit == "Acme/Ops" else roles.email["hr"], unit_path=unit, factor=metric or factor,
            source=source, observed_on=None, text=text, round_id=round_id,
        )  # fmt: skip
        return found.id

    safety = await add("Acme/Ops", "safety_round", "Many late evenings noted")
    cell = await add("Acme/Ops", "released_cell", round_id=released.id)
    with raises_key("followup.error.cell_not_released"):  # not asked: nothing released
        await add("Acme/Ops", "released_cell", round_id=released.id, metric=not_asked)
    with raises_key("followup.error.round_required"):
        await add("Acme/Ops", "released_cell")
    with raises_key("followup.error.unknown_source"):
        await add("Acme/Ops", "gossip", "x")
    with raises_key("access.denied"):  # not the Ops verneombud's area
        await add_evidence(
            roles.uows, roles.clock, tenant_slug=roles.tenant, as_email=roles.email["verneombud"],
            unit_path="Acme/Sales", factor="workload", source="incident", observed_on=None,
            text="x",
        )  # fmt: skip
    async with roles.uows() as uow:
        stored = {e.id: e for e in await uow.followup.evidence(roles.org.tenant.id)}
    assert stored[cell].source is EvidenceSource.RELEASED_CELL and stored[cell].text == ""
    assert stored[cell].round_id == released.id  # a reference: no value is copied
    assessment = await _create(roles, evidence_ids=(safety, cell))
    assert factor
    async with roles.uows() as uow:
        found = await uow.followup.get_assessment(assessment)
    assert found is not None and found.evidence_ids == (safety, cell)
    assert found.assessed_on == roles.clock.now().date() - timedelta(days=0)

"""tempcheck evidence|assess|consult|measure|audit …: the follow-up cycle from the shell.

Commands that act for a person take ``--as EMAIL`` (the acting member): the same role checks
apply as in chat (``core.access``), and the audit log names that member.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from typing import TypeVar

import typer

from bot.app import Container
from bot.cli.common import CliState, reported, run_with_container, state_of
from core.audit_view import audit_entries
from core.cadence import parse_date
from core.errors import TempcheckError
from core.followup import Assessment, Consultation, Evidence, Measure
from core.followup_service import (
    Actor,
    AssessmentInput,
    add_evidence,
    complete_assessment,
    create_assessment,
    list_assessments,
    list_consultations,
    list_evidence,
    record_consultation,
    show_assessment,
    update_assessment,
)
from core.i18n import t
from core.measures import (
    Effect,
    MeasureChange,
    MeasureInput,
    create_measure,
    list_measures,
    measure_effect,
    overdue,
    suggestions,
    update_measure,
)
from core.ports import UnitOfWorkFactory

T = TypeVar("T")
R = TypeVar("R")

evidence_app = typer.Typer(help="Evidence register: safety rounds, incidents, sick-leave trends…")
assess_app = typer.Typer(help="Risk assessments per factor and unit.")
consult_app = typer.Typer(help="Consultation log (append-only): verneombud and AMU statements.")
measure_app = typer.Typer(help="Measures (tiltak): create, update, list, suggest, effect.")
audit_app = typer.Typer(help="Audit trail: who changed what, and when.")

TenantOption = typer.Option(None, "--tenant", help="Tenant slug (default: TEMPCHECK_TENANT).")
AsOption = typer.Option(..., "--as", help="E-mail of the acting member (roles are checked).")
UnitOption = typer.Option(..., "--unit", help="Unit path, e.g. Acme/Ops.")
DateOption = typer.Option(None, "--date", help="Date (YYYY-MM-DD); default today.")


def _run(state: CliState, work: Callable[[UnitOfWorkFactory, Container], Awaitable[T]]) -> T:
    async def inner(c: Container) -> T:
        return await work(c.uows, c)

    return run_with_container(state, inner)


def _echo(state: CliState, rows: Sequence[R], line: Callable[[R], str]) -> None:
    """Print one line per row, or "none" when there is nothing to show."""
    if not rows:
        state.say("followup.none")
    for row in rows:
        typer.echo(line(row))


def _date(raw: str | None) -> date | None:
    return parse_date(raw) if raw else None


def _ids(raw: str | None) -> tuple[int, ...]:
    if not raw:
        return ()
    out = []
    for part in raw.replace(";", ",").split(","):
        if part.strip():
            if not part.strip().isdigit():
                raise TempcheckError("followup.error.bad_ids", value=raw)
            out.append(int(part))
    return tuple(out)


# --- evidence -----------------------------------------------------------------------------


def _evidence_line(e: Evidence, who: Actor, loc: str) -> str:
    text = e.text or (t("followup.evidence.cell_ref", loc, round=e.round_id) if e.round_id else "")
    return t(
        "followup.evidence.line",
        loc,
        id=e.id,
        date=e.observed_on.isoformat(),
        unit=who.path(e.unit_id),
        factor=e.factor,
        source=t(f"followup.source.{e.source.value}", loc),
        text=text,
    )


@evidence_app.command("add")
def evidence_add(
    ctx: typer.Context,
    unit: str = UnitOption,
    factor: str = typer.Option(..., "--factor", help="Factor id, e.g. workload."),
    source: str = typer.Option(
        ...,
        "--source",
        help="safety_round, incident, sick_leave, appraisal, other, or released_cell.",
    ),
    text: str = typer.Option("", "--text", help="Short description (not for released_cell)."),
    round_id: int | None = typer.Option(None, "--round", help="Round id (released_cell only)."),
    when: str | None = DateOption,
    as_email: str = AsOption,
    tenant: str | None = TenantOption,
) -> None:
    """Add an entry to the evidence register (a released cell is stored as a reference)."""
    state = state_of(ctx)
    with reported(state):
        observed = _date(when)
    stored = _run(
        state,
        lambda uows, c: add_evidence(
            uows,
            c.clock,
            tenant_slug=tenant or state.tenant,
            as_email=as_email,
            unit_path=unit,
            factor=factor,
            source=source,
            observed_on=observed,
            text=text,
            round_id=round_id,
        ),
    )
    state.say("followup.evidence.added", id=stored.id)


@evidence_app.command("list")
def evidence_list(
    ctx: typer.Context,
    unit: str | None = typer.Option(None, "--unit"),
    factor: str | None = typer.Option(None, "--factor"),
    as_email: str = AsOption,
    tenant: str | None = TenantOption,
) -> None:
    """Evidence you may see, oldest first."""
    state = state_of(ctx)
    who, found = _run(
        state,
        lambda uows, c: list_evidence(
            uows,
            c.clock,
            tenant_slug=tenant or state.tenant,
            as_email=as_email,
            unit_path=unit,
            factor=factor,
        ),
    )
    _echo(state, found, lambda e: _evidence_line(e, who, state.locale))


# --- assessments --------------------------------------------------------------------------


def _assessment_line(a: Assessment, who: Actor, loc: str) -> str:
    return t(
        "followup.assessment.line",
        loc,
        id=a.id,
        unit=who.path(a.unit_id),
        factor=a.factor,
        likelihood=a.likelihood,
        consequence=a.consequence,
        risk=a.risk,
        level=t(f"followup.risk.{a.level.value}", loc),
        status=t(f"followup.assessment_status.{a.status.value}", loc),
        review=a.next_review.isoformat(),
    )


def _input(
    description: str,
    likelihood: int,
    consequence: int,
    controls: str,
    evidence: str | None,
    when: str | None,
    review: str,
) -> AssessmentInput:
    next_review = parse_date(review)
    return AssessmentInput(
        description, likelihood, consequence, controls, _ids(evidence), _date(when), next_review
    )


DescriptionOption = typer.Option(..., "--description", help="What could go wrong, for whom.")
LikelihoodOption = typer.Option(..., "--likelihood", help="1 (rare) to 5 (almost certain).")
ConsequenceOption = typer.Option(..., "--consequence", help="1 (minor) to 5 (severe).")
ControlsOption = typer.Option("", "--controls", help="Existing controls (what is in place).")
EvidenceOption = typer.Option(None, "--evidence", help="Evidence ids, comma-separated.")
ReviewOption = typer.Option(..., "--next-review", help="Date of the next review (YYYY-MM-DD).")


@assess_app.command("create")
def assess_create(
    ctx: typer.Context,
    unit: str = UnitOption,
    factor: str = typer.Option(..., "--factor"),
    description: str = DescriptionOption,
    likelihood: int = LikelihoodOption,
    consequence: int = ConsequenceOption,
    controls: str = ControlsOption,
    evidence: str | None = EvidenceOption,
    when: str | None = DateOption,
    review: str = ReviewOption,
    as_email: str = AsOption,
    tenant: str | None = TenantOption,
) -> None:
    """Create a risk assessment (a draft until a verneombud has been consulted)."""
    state = state_of(ctx)
    with reported(state):
        data = _input(description, likelihood, consequence, controls, evidence, when, review)
    stored = _run(
        state,
        lambda uows, c: create_assessment(
            uows,
            c.clock,
            tenant_slug=tenant or state.tenant,
            as_email=as_email,
            unit_path=unit,
            factor=factor,
            data=data,
        ),
    )
    state.say(
        "followup.assessment.created",
        id=stored.id,
        risk=stored.risk,
        level=t(f"followup.risk.{stored.level.value}", state.locale),
    )


@assess_app.command("update")
def assess_update(
    ctx: typer.Context,
    assessment_id: int = typer.Argument(..., metavar="ID"),
    description: str = DescriptionOption,
    likelihood: int = LikelihoodOption,
    consequence: int = ConsequenceOption,
    controls: str = ControlsOption,
    evidence: str | None = EvidenceOption,
    when: str | None = DateOption,
    review: str = ReviewOption,
    as_email: str = AsOption,
    tenant: str | None = TenantOption,
) -> None:
    """Edit a draft assessment (a consultation must then be recorded again)."""
    state = state_of(ctx)
    with reported(state):
        data = _input(description, likelihood, consequence, controls, evidence, when, review)
    _run(
        state,
        lambda uows, c: update_assessment(
            uows,
            c.clock,
            tenant_slug=tenant or state.tenant,
            as_email=as_email,
            assessment_id=assessment_id,
            data=data,
        ),
    )
    state.say("followup.assessment.updated", id=assessment_id)


@assess_app.command("show")
def assess_show(
    ctx: typer.Context,
    assessment_id: int = typer.Argument(..., metavar="ID"),
    as_email: str = AsOption,
    tenant: str | None = TenantOption,
) -> None:
    """One assessment with its evidence and consultations."""
    state = state_of(ctx)
    loc = state.locale
    who, a, evidence, log = _run(
        state,
        lambda uows, c: show_assessment(
            uows,
            c.clock,
            tenant_slug=tenant or state.tenant,
            as_email=as_email,
            assessment_id=assessment_id,
        ),
    )
    typer.echo(_assessment_line(a, who, loc))
    assessor = next((m.name for m in who.org.members if m.id == a.assessor_id), "?")
    state.say(
        "followup.assessment.detail",
        description=a.description,
        controls=a.controls or "-",
        assessor=assessor,
        date=a.assessed_on.isoformat(),
    )
    for e in evidence:
        typer.echo("  " + _evidence_line(e, who, loc))
    if not log:
        state.say("followup.assessment.not_consulted")
    for c in log:
        typer.echo("  " + _consultation_line(c, who, loc))


@assess_app.command("complete")
def assess_complete(
    ctx: typer.Context,
    assessment_id: int = typer.Argument(..., metavar="ID"),
    as_email: str = AsOption,
    tenant: str | None = TenantOption,
) -> None:
    """Complete an assessment; needs a recorded verneombud consultation on it."""
    state = state_of(ctx)
    _run(
        state,
        lambda uows, c: complete_assessment(
            uows,
            c.clock,
            tenant_slug=tenant or state.tenant,
            as_email=as_email,
            assessment_id=assessment_id,
        ),
    )
    state.say("followup.assessment.completed", id=assessment_id)


@assess_app.command("list")
def assess_list(
    ctx: typer.Context, as_email: str = AsOption, tenant: str | None = TenantOption
) -> None:
    """Assessments you may see."""
    state = state_of(ctx)
    who, found = _run(
        state,
        lambda uows, c: list_assessments(
            uows, c.clock, tenant_slug=tenant or state.tenant, as_email=as_email
        ),
    )
    _echo(state, found, lambda a: _assessment_line(a, who, state.locale))


# --- consultations ------------------------------------------------------------------------


def _consultation_line(c: Consultation, who: Actor, loc: str) -> str:
    name = next((m.name for m in who.org.members if m.id == c.member_id), "?")
    return t(
        "followup.consultation.line",
        loc,
        id=c.id,
        date=c.consulted_on.isoformat(),
        subject=t(f"followup.subject.{c.subject.value}", loc),
        ref=c.subject_id if c.subject_id is not None else who.path(c.unit_id),
        name=name,
        role=t(f"followup.consulted_as.{c.consulted_as.value}", loc),
        position=t(f"followup.position.{c.position.value}", loc),
        comment=c.comment or "-",
    )


@consult_app.command("record")
def consult_record(
    ctx: typer.Context,
    subject: str = typer.Option(..., "--subject", help="assessment, measure_plan or annual_wheel."),
    subject_id: int | None = typer.Option(
        None, "--id", help="Assessment id, measure id, or the year of the annual wheel."
    ),
    unit: str | None = typer.Option(None, "--unit", help="The unit's measure plan."),
    position: str = typer.Option(..., "--position", help="agree or disagree."),
    comment: str = typer.Option("", "--comment", help="Required when disagreeing."),
    role: str | None = typer.Option(
        None, "--role", help="verneombud, hovedverneombud or amu (default: your first)."
    ),
    when: str | None = DateOption,
    as_email: str = AsOption,
    tenant: str | None = TenantOption,
) -> None:
    """Record your own consultation statement (append-only: it cannot be changed later)."""
    state = state_of(ctx)
    with reported(state):
        on = _date(when)
    stored = _run(
        state,
        lambda uows, c: record_consultation(
            uows,
            c.clock,
            tenant_slug=tenant or state.tenant,
            as_email=as_email,
            subject=subject,
            subject_id=subject_id,
            position=position,
            comment=comment,
            unit_path=unit,
            consulted_on=on,
            consulted_as=role,
        ),
    )
    state.say("followup.consultation.recorded", id=stored.id)


@consult_app.command("list")
def consult_list(
    ctx: typer.Context, as_email: str = AsOption, tenant: str | None = TenantOption
) -> None:
    """The consultation log, as far as you may see it."""
    state = state_of(ctx)
    who, found = _run(
        state,
        lambda uows, c: list_consultations(
            uows, c.clock, tenant_slug=tenant or state.tenant, as_email=as_email
        ),
    )
    _echo(state, found, lambda c: _consultation_line(c, who, state.locale))


# --- measures -----------------------------------------------------------------------------


def _measure_line(m: Measure, who: Actor, loc: str) -> str:
    owner = next((x.name for x in who.org.members if x.id == m.owner_id), "?")
    late = t("followup.measure.overdue", loc) if overdue(m, who.today) else ""
    return t(
        "followup.measure.line",
        loc,
        id=m.id,
        unit=who.path(m.unit_id),
        factors=", ".join(m.factors),
        title=m.title,
        level=t(f"followup.level.{m.level.value}", loc),
        owner=owner,
        due=m.due_on.isoformat(),
        status=t(f"followup.status.{m.status.value}", loc),
        late=late,
    )


@measure_app.command("create")
def measure_create(
    ctx: typer.Context,
    unit: str = UnitOption,
    factor: list[str] = typer.Option(..., "--factor", help="Factor id; repeat for several."),
    title: str = typer.Option(..., "--title", help="What will change in the work."),
    due: str = typer.Option(..., "--due", help="Due date (YYYY-MM-DD)."),
    start: str | None = typer.Option(None, "--start", help="Start date; default today."),
    level: str = typer.Option(
        "group", "--level", help="individual, group, leadership or organisation."
    ),
    owner: str | None = typer.Option(None, "--owner", help="Owner's e-mail; default you."),
    participant: list[str] = typer.Option([], "--participant", help="E-mail; repeatable."),
    assessment: int | None = typer.Option(None, "--assessment", help="Assessment id."),
    root_cause: str = typer.Option("", "--root-cause"),
    expected_effect: str = typer.Option("", "--expected-effect"),
    follow_up: str | None = typer.Option(
        None, "--follow-up", help="Re-measure from this date even if not done."
    ),
    as_email: str = AsOption,
    tenant: str | None = TenantOption,
) -> None:
    """Create a measure. A survey or mapping is not a measure and is refused."""
    state = state_of(ctx)
    with reported(state):
        data = MeasureInput(
            title=title,
            factors=tuple(factor),
            unit_path=unit,
            due_on=parse_date(due),
            level=level,
            owner_email=owner,
            participants=tuple(participant),
            start_on=_date(start),
            assessment_id=assessment,
            root_cause=root_cause,
            expected_effect=expected_effect,
            follow_up_on=_date(follow_up),
        )
    stored = _run(
        state,
        lambda uows, c: create_measure(
            uows, c.clock, tenant_slug=tenant or state.tenant, as_email=as_email, data=data
        ),
    )
    state.say("followup.measure.created", id=stored.id)


@measure_app.command("update")
def measure_update(
    ctx: typer.Context,
    measure_id: int = typer.Argument(..., metavar="ID"),
    status: str | None = typer.Option(
        None, "--status", help="planned, in_progress, done or cancelled."
    ),
    due: str | None = typer.Option(None, "--due"),
    owner: str | None = typer.Option(None, "--owner"),
    title: str | None = typer.Option(None, "--title"),
    expected_effect: str | None = typer.Option(None, "--expected-effect"),
    root_cause: str | None = typer.Option(None, "--root-cause"),
    follow_up: str | None = typer.Option(None, "--follow-up"),
    completed: str | None = typer.Option(None, "--completed", help="Completion date (done)."),
    as_email: str = AsOption,
    tenant: str | None = TenantOption,
) -> None:
    """Change a measure's status, due date, owner or texts (audit-logged)."""
    state = state_of(ctx)
    with reported(state):
        change = MeasureChange(
            status=status,
            due_on=_date(due),
            owner_email=owner,
            title=title,
            expected_effect=expected_effect,
            root_cause=root_cause,
            follow_up_on=_date(follow_up),
            completed_on=_date(completed),
        )
    stored = _run(
        state,
        lambda uows, c: update_measure(
            uows,
            c.clock,
            tenant_slug=tenant or state.tenant,
            as_email=as_email,
            measure_id=measure_id,
            change=change,
        ),
    )
    state.say(
        "followup.measure.updated",
        id=stored.id,
        status=t(f"followup.status.{stored.status.value}", state.locale),
    )


@measure_app.command("list")
def measure_list(
    ctx: typer.Context,
    only_overdue: bool = typer.Option(False, "--overdue", help="Only overdue measures."),
    as_email: str = AsOption,
    tenant: str | None = TenantOption,
) -> None:
    """Measures you may see."""
    state = state_of(ctx)
    who, found = _run(
        state,
        lambda uows, c: list_measures(
            uows, c.clock, tenant_slug=tenant or state.tenant, as_email=as_email
        ),
    )
    shown = [m for m in found if overdue(m, who.today)] if only_overdue else found
    _echo(state, shown, lambda m: _measure_line(m, who, state.locale))


@measure_app.command("suggest")
def measure_suggest(
    ctx: typer.Context, factor: str = typer.Option(..., "--factor", help="Factor id.")
) -> None:
    """The question bank's suggested measures for a factor."""
    state = state_of(ctx)
    with reported(state):
        found = suggestions(factor, state.locale)
    for s in found:
        kind = "primary" if s.primary else "supporting"
        state.say(
            "followup.suggestion.line",
            level=t(f"followup.level.{s.level.value}", state.locale),
            kind=t(f"followup.kind.{kind}", state.locale),
            text=s.text,
        )


def effect_lines(effect: Effect, loc: str) -> list[str]:
    lines = [t("followup.effect.title", loc, id=effect.measure.id, unit=effect.unit)]
    for f in effect.factors:
        if f.change is not None and f.uncertainty is not None:
            change = f"{f.change:+d} ± {f.uncertainty}"
        else:
            change = "-"
        lines.append(
            t(
                "followup.effect.line",
                loc,
                factor=f.factor,
                before=f.before or "-",
                after=f.after or "-",
                change=change,
                verdict=t(f"followup.verdict.{f.verdict.value}", loc),
            )
        )
    return lines


@measure_app.command("effect")
def measure_effect_cmd(
    ctx: typer.Context,
    measure_id: int = typer.Argument(..., metavar="ID"),
    as_email: str = AsOption,
    tenant: str | None = TenantOption,
) -> None:
    """Before/after from released results (or "too small to tell")."""
    state = state_of(ctx)
    effect = _run(
        state,
        lambda uows, c: measure_effect(
            uows,
            c.clock,
            tenant_slug=tenant or state.tenant,
            as_email=as_email,
            measure_id=measure_id,
        ),
    )
    for line in effect_lines(effect, state.locale):
        typer.echo(line)


# --- audit --------------------------------------------------------------------------------


@audit_app.command("show")
def audit_show(
    ctx: typer.Context,
    since: str | None = typer.Option(None, "--since", help="From this date (YYYY-MM-DD)."),
    action: str | None = typer.Option(None, "--action", help="Only actions starting so."),
    as_email: str | None = typer.Option(
        None, "--as", help="Check this member may see the audit trail (HR, hovedverneombud)."
    ),
    tenant: str | None = TenantOption,
) -> None:
    """The audit trail: changes to questions, thresholds, cadences, roles, assessments,
    measures; and every read of results."""
    state = state_of(ctx)
    with reported(state):
        start = _date(since)
    found = _run(
        state,
        lambda uows, c: audit_entries(
            uows,
            c.clock,
            tenant_slug=tenant or state.tenant,
            since=start,
            prefix=action,
            as_email=as_email,
        ),
    )
    _echo(state, found, lambda line: line)

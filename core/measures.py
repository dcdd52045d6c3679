"""Measures (tiltak): create, update, suggestions from the bank, the "a survey is not a
measure" rule, overdue reminders, follow-up measurement and the before/after view.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from core.access import Action, require
from core.anonymity.record import Release
from core.clock import Clock
from core.digest_service import person_post_to
from core.errors import NotFound, TempcheckError
from core.followup import Measure, MeasureFields, MeasureLevel, MeasureStatus
from core.followup_service import (
    Actor,
    acting,
    audit,
    changes,
    check_factor,
    check_text,
    jsonable,
    member_by_email,
)
from core.i18n import t
from core.messenger import DeliveryError, Platform
from core.organisation import Organisation, Role
from core.overview import factor_rows
from core.ports import UnitOfWork, UnitOfWorkFactory
from core.posts import MessageAction, PostTo, ResultMessage, ResultPoster
from core.questions import MeasureLevel as BankLevel
from core.questions import QuestionSet, load_default_bank
from core.results import Scope, scope_of
from core.rounds import Round, RoundStatus
from core.scores import margin, parse_score

log = logging.getLogger(__name__)

#: Rounds of a unit that must include a factor's items after a measure's follow-up date.
FOLLOW_UP_ROUNDS = 2

# --- "a survey is not a measure" --------------------------------------------------------------

#: Words that measure the work environment rather than change it (stems; matched at a word
#: start after folding case and accents): bokmål and English.
#: Bokmål stems, matched anywhere in a word: compounds are one word in Norwegian
#: (medarbeiderundersøkelse, pulsmåling, arbeidsmiljøkartlegging).
_MEASURING_NB = (
    r"unders[øo]k",  # undersøkelse, spørreundersøkelse, undersøke
    r"sp[øo]rreskjema",
    r"kartlegg",  # kartlegging, kartlegge
    r"måling",  # måling, pulsmåling (never "maling": paint)
    r"måle\b",  # «måle arbeidsmengden»; not «mål» (also a noun: goal)
)
#: English, matched at a word start.
_MEASURING_EN = (
    r"survey",
    r"questionnaire",
    r"poll",
    r"pulse",
    r"re-?measur",
    r"measure\s+(again|it|this|that|the|our|their|how|whether|if)\b",
    r"measuring",
    r"mapping",
    r"map\s+(the|our|their|how)\b",
)
_MEASURING_RE = re.compile(
    "(" + "|".join(_MEASURING_NB) + r")|(?<![\w])(" + "|".join(_MEASURING_EN) + ")",
    re.IGNORECASE,
)
#: Clause boundaries: punctuation, and "and"/"og"/"then"/"så" joining two actions.
_CLAUSES = re.compile(r"[.;:,!?\n]+|\s(?:and|then|og|så|deretter)\s", re.IGNORECASE)
#: Words that carry no action of their own (left out when deciding whether a clause says more
#: than "measure"): articles, auxiliaries, "new", "run", "do", "hold"…
_FILLER = frozenset(
    {
        "a",
        "an",
        "the",
        "new",
        "another",
        "follow",
        "up",
        "follow-up",
        "run",
        "do",
        "conduct",
        "carry",
        "out",
        "hold",
        "send",
        "make",
        "start",
        "plan",
        "we",
        "will",
        "to",
        "of",
        "in",
        "on",
        "for",
        "about",
        "with",
        "our",
        "team",
        "teams",
        "unit",
        "staff",
        "employees",
        "all",
        "everyone",
        "again",
        "short",
        "quick",
        "annual",
        "yearly",
        "weekly",
        "monthly",
        "among",
        "how",
        "is",
        "are",
        "be",
        "at",
        "en",
        "et",
        "ei",
        "ny",
        "nytt",
        "nye",
        "gjennomfør",
        "gjennomføre",
        "gjennomføring",
        "kjør",
        "kjøre",
        "ta",
        "lag",
        "lage",
        "sende",
        "starte",
        "vi",
        "skal",
        "å",
        "av",
        "i",
        "på",
        "om",
        "med",
        "vår",
        "vårt",
        "våre",
        "teamet",
        "teamets",
        "enheten",
        "alle",
        "ansatte",
        "medarbeidere",
        "igjen",
        "kort",
        "rask",
        "årlig",
        "ukentlig",
        "månedlig",
        "blant",
        "hvordan",
        "er",
        "og",
    }
)


def _fold(text: str) -> str:
    # keep æ, ø, å (they are letters in bokmål); fold other accents and case
    out = []
    for ch in unicodedata.normalize("NFC", text.lower()):
        if ch in "æøå":
            out.append(ch)
        else:
            out.extend(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
    return "".join(out)


def _changes_work(clause: str) -> bool:
    """A clause changes work when it has words beyond measuring vocabulary and filler."""
    words = re.findall(r"[\wæøå-]+", _MEASURING_RE.sub(" ", clause))
    return any(w not in _FILLER and not w.isdigit() for w in words)


def is_measurement(text: str) -> bool:
    """True when the measure only measures: some clause names a survey, mapping or pulse,
    and no clause changes anything else (a clause "that measures" whose other words are
    only filler or the survey's topic counts as measuring). "Hold a weekly priority meeting
    and re-measure in May" is a measure; "Run a survey on workload" is not: its only other
    words say what to survey, so a topic after a measuring word does not make it a change.
    """
    folded = _fold(text)
    clauses = [c.strip() for c in _CLAUSES.split(folded) if c and c.strip()]
    if not any(_MEASURING_RE.search(c) for c in clauses):
        return False
    # A clause with a measuring word measures, whatever its topic words; the measure changes
    # work only if some clause without a measuring word does.
    return not any(_changes_work(c) for c in clauses if not _MEASURING_RE.search(c))


def check_not_measurement(text: str) -> None:
    if is_measurement(text):
        raise TempcheckError("followup.error.survey_is_not_a_measure", text=text.strip()[:80])


# --- suggestions --------------------------------------------------------------------------

_LEVELS = {
    BankLevel.INDIVIDUAL: MeasureLevel.INDIVIDUAL,
    BankLevel.TEAM: MeasureLevel.GROUP,
    BankLevel.ORGANISATION: MeasureLevel.ORGANISATION,
}


@dataclass(frozen=True)
class Suggestion:
    text: str
    level: MeasureLevel
    primary: bool


def suggestions(
    factor: str, locale: str, bank: QuestionSet | None = None
) -> tuple[Suggestion, ...]:
    """The bank's suggested measures for a factor, primary ones first (a social event is
    only ever "supporting")."""
    metric = check_factor(factor)
    source = bank or load_default_bank()
    try:
        found = source.factor(metric)
    except KeyError:
        return ()
    out = [
        Suggestion(
            m.text.get(locale) or next(iter(m.text.values())),
            _LEVELS[m.level],
            m.type.value == "primary",
        )
        for m in found.measures
    ]
    return tuple(sorted(out, key=lambda s: not s.primary))


# --- create / update / list ---------------------------------------------------------------


@dataclass(frozen=True)
class MeasureInput:
    title: str
    factors: tuple[str, ...]
    unit_path: str
    due_on: date
    level: str = MeasureLevel.GROUP.value
    owner_email: str | None = None  # None: the acting member
    participants: tuple[str, ...] = ()  # e-mails
    start_on: date | None = None
    assessment_id: int | None = None
    root_cause: str = ""
    expected_effect: str = ""
    follow_up_on: date | None = None


def _level(raw: str) -> MeasureLevel:
    try:
        return MeasureLevel(raw.strip().lower())
    except ValueError:
        raise TempcheckError(
            "followup.error.unknown_level",
            level=raw,
            known=", ".join(v.value for v in MeasureLevel),
        ) from None


def _status(raw: str) -> MeasureStatus:
    try:
        return MeasureStatus(raw.strip().lower().replace("-", "_").replace(" ", "_"))
    except ValueError:
        raise TempcheckError(
            "followup.error.unknown_status",
            status=raw,
            known=", ".join(v.value for v in MeasureStatus),
        ) from None


async def _validated(uow: UnitOfWork, who: Actor, values: MeasureFields) -> MeasureFields:
    check_not_measurement(values.title)
    if not values.factors:
        raise TempcheckError("followup.error.no_factor")
    factors = tuple(dict.fromkeys(check_factor(f) for f in values.factors))
    if values.due_on < values.start_on:
        raise TempcheckError(
            "followup.error.due_before_start",
            due=values.due_on.isoformat(),
            start=values.start_on.isoformat(),
        )
    if values.assessment_id is not None:
        found = await uow.followup.get_assessment(values.assessment_id)
        if found is None or found.tenant_id != who.tenant.id:
            raise NotFound("followup.error.no_assessment", id=values.assessment_id)
    return replace(
        values,
        title=check_text("title", values.title),
        factors=factors,
        root_cause=check_text("root_cause", values.root_cause, required=False),
        expected_effect=check_text("expected_effect", values.expected_effect, required=False),
    )


async def create_measure(
    uows: UnitOfWorkFactory, clock: Clock, *, tenant_slug: str, as_email: str, data: MeasureInput
) -> Measure:
    async with uows() as uow:
        who = await acting(uow, clock, tenant_slug, as_email)
        unit = who.unit(data.unit_path)
        require(who.org, who.member.id, Action.EDIT_MEASURE, unit.id, who.now)
        owner = member_by_email(who.org, data.owner_email) if data.owner_email else who.member
        participants = tuple(
            dict.fromkeys(member_by_email(who.org, e).id for e in data.participants)
        )
        values = await _validated(
            uow,
            who,
            MeasureFields(
                title=data.title,
                factors=data.factors,
                unit_id=unit.id,
                assessment_id=data.assessment_id,
                root_cause=data.root_cause,
                level=_level(data.level),
                owner_id=owner.id,
                participants=participants,
                start_on=data.start_on or who.today,
                due_on=data.due_on,
                status=MeasureStatus.PLANNED,
                expected_effect=data.expected_effect,
                follow_up_on=data.follow_up_on,
            ),
        )
        stored = await uow.followup.add_measure(who.tenant.id, values, who.label, who.now)
        await audit(
            uow,
            who,
            "measure.create",
            {"id": stored.id, "unit": unit.path, "after": jsonable(values)},
        )
        await uow.commit()
    return stored


@dataclass(frozen=True)
class MeasureChange:
    status: str | None = None
    due_on: date | None = None
    owner_email: str | None = None
    title: str | None = None
    expected_effect: str | None = None
    root_cause: str | None = None
    follow_up_on: date | None = None
    completed_on: date | None = None


async def update_measure(
    uows: UnitOfWorkFactory,
    clock: Clock,
    *,
    tenant_slug: str,
    as_email: str,
    measure_id: int,
    change: MeasureChange,
) -> Measure:
    """Change a measure. Done and cancelled are final (a new measure follows up instead);
    marking it done records the completion date (today unless given)."""
    async with uows() as uow:
        who = await acting(uow, clock, tenant_slug, as_email)
        current = await _measure(uow, who, measure_id)
        require(who.org, who.member.id, Action.EDIT_MEASURE, current.unit_id, who.now)
        if not current.status.open:
            raise TempcheckError(
                "followup.error.measure_closed", id=measure_id, status=current.status.value
            )
        values = current.fields()
        if change.status is not None:
            values = replace(values, status=_status(change.status))
        for name in ("due_on", "title", "expected_effect", "root_cause", "follow_up_on"):
            if getattr(change, name) is not None:
                values = replace(values, **{name: getattr(change, name)})
        if change.owner_email is not None:
            values = replace(values, owner_id=member_by_email(who.org, change.owner_email).id)
        if values.status is MeasureStatus.DONE:
            values = replace(values, completed_on=change.completed_on or who.today)
        values = await _validated(uow, who, values)
        stored = await uow.followup.update_measure(measure_id, values, who.now)
        await audit(
            uow,
            who,
            "measure.update",
            {
                "id": measure_id,
                "unit": who.path(current.unit_id),
                "changes": changes(current.fields(), values),
            },
        )
        await uow.commit()
    return stored


async def _measure(uow: UnitOfWork, who: Actor, measure_id: int) -> Measure:
    found = await uow.followup.get_measure(measure_id)
    if found is None or found.tenant_id != who.tenant.id:
        raise NotFound("followup.error.no_measure", id=measure_id)
    return found


async def list_measures(
    uows: UnitOfWorkFactory, clock: Clock, *, tenant_slug: str, as_email: str
) -> tuple[Actor, list[Measure]]:
    async with uows() as uow:
        who = await acting(uow, clock, tenant_slug, as_email)
        seen = who.visible()
        found = [m for m in await uow.followup.measures(who.tenant.id) if m.unit_id in seen]
    return who, found


def overdue(measure: Measure, today: date) -> bool:
    return measure.status.open and measure.due_on < today


# --- overdue reminders --------------------------------------------------------------------

CONSULT_ACTION = "followup_consult"


def verneombud_for(org: Organisation, unit_id: int, now: datetime) -> list[int]:
    """Members who are verneombud for an area containing the unit (unexpired grants)."""
    out = []
    for grant in org.grants:
        if (
            grant.role is Role.VERNEOMBUD
            and grant.unit_id is not None
            and grant.active(now)
            and unit_id in org.subtree_ids(grant.unit_id)
        ):
            out.append(grant.member_id)
    return list(dict.fromkeys(out))


def _reminder(
    measure: Measure, org: Organisation, locale: str, today: date, *, safety: bool
) -> ResultMessage:
    unit = org.unit_by_id()[measure.unit_id].path
    text = t(
        "followup.reminder.text",
        locale,
        title=measure.title,
        unit=unit,
        due=measure.due_on.isoformat(),
        days=(today - measure.due_on).days,
        id=measure.id,
    )
    actions = (consult_action("measure_plan", measure.id, locale),) if safety else ()
    return ResultMessage(text, None, "", "", locale, actions)


def consult_action(subject: str, subject_id: int, locale: str) -> MessageAction:
    """The "Record consultation" button: its value names the subject, nothing else."""
    return MessageAction(
        CONSULT_ACTION, t("followup.chat.consult_button", locale), f"{subject}:{subject_id}"
    )


def consultation_requests(
    org: Organisation, measure: Measure, now: datetime
) -> list[tuple[PostTo, ResultMessage]]:
    """A DM to each verneombud of the measure's unit asking for their view, with the button."""
    out = []
    members = {m.id: m for m in org.active_members()}
    unit = org.unit_by_id()[measure.unit_id].path
    for member_id in verneombud_for(org, measure.unit_id, now):
        member = members.get(member_id)
        to = person_post_to(member, org) if member else None
        if member is None or to is None:
            continue
        text = t(
            "followup.chat.consult_request",
            member.locale,
            id=measure.id,
            unit=unit,
            title=measure.title,
            due=measure.due_on.isoformat(),
        )
        action = consult_action("measure_plan", measure.id, member.locale)
        out.append((to, ResultMessage(text, None, "", "", member.locale, (action,))))
    return out


@dataclass(frozen=True)
class ReminderReport:
    sent: int = 0
    already: int = 0
    unreachable: int = 0


async def remind_overdue(
    uows: UnitOfWorkFactory, posters: Mapping[Platform, ResultPoster], clock: Clock
) -> ReminderReport:
    """Remind each overdue measure's owner and its unit's verneombud, once per measure,
    person and day (UTC date of the clock) however often the sweep runs. A message that
    could not be sent is un-claimed, so a later sweep that day tries again."""
    now = clock.now()
    today = now.date()
    sent = already = unreachable = 0
    async with uows() as uow:
        tenants = list(await uow.organisation.list_tenants())
    for tenant in tenants:
        async with uows() as uow:
            org = await uow.organisation.load(tenant.id)
            due = [m for m in await uow.followup.measures(tenant.id) if overdue(m, today)]
        members = {m.id: m for m in org.active_members()}
        for measure in due:
            safety = verneombud_for(org, measure.unit_id, now)
            targets = [(measure.owner_id, False)] + [
                (v, True) for v in safety if v != measure.owner_id
            ]
            for member_id, is_safety in targets:
                member = members.get(member_id)
                to = person_post_to(member, org) if member else None
                if member is None or to is None or to.platform not in posters:
                    unreachable += 1
                    continue
                async with uows() as uow:
                    claimed = await uow.followup.claim_reminder(measure.id, today, member_id)
                    await uow.commit()
                if not claimed:
                    already += 1
                    continue
                message = _reminder(measure, org, member.locale, today, safety=is_safety)
                try:
                    await posters[to.platform].post_result(to, message)
                except DeliveryError as exc:
                    log.warning("overdue reminder not sent", extra={"reason": exc.reason})
                    async with uows() as uow:
                        await uow.followup.release_reminder(measure.id, today, member_id)
                        await uow.commit()
                    unreachable += 1
                    continue
                sent += 1
    return ReminderReport(sent, already, unreachable)


# --- follow-up measurement ----------------------------------------------------------------


def follow_up_date(measure: Measure) -> date | None:
    """When re-measuring starts: completion, or the follow-up date if that comes first."""
    if measure.status is MeasureStatus.CANCELLED:
        return None
    dates = [d for d in (measure.completed_on, measure.follow_up_on) if d is not None]
    return min(dates) if dates else None


@dataclass
class FollowUp:
    """What decides a unit's follow-up factors: the measures on the unit, a unit above it or
    one its rounds cover, and the factors its rounds asked since the earliest follow-up date.
    ``required`` answers for any day; ``asked`` adds a round (a planned one, for a preview)."""

    measures: Sequence[Measure]
    #: The unit, the units above it and the units its rounds cover.
    units: frozenset[int]
    #: (opened, factors asked) of the unit's rounds since the earliest follow-up date.
    opened: list[tuple[date, frozenset[str]]]

    def required(self, day: date) -> frozenset[str]:
        """Factors of measures completed or past their follow-up date by ``day``, until
        ``FOLLOW_UP_ROUNDS`` rounds of the unit that asked the factor have been opened since
        that date (a round with no room for it does not count)."""
        pending: dict[str, date] = {}
        for measure in self.measures:
            start = follow_up_date(measure)
            if measure.unit_id not in self.units or start is None or start > day:
                continue
            for factor in measure.factors:
                pending[factor] = min(pending.get(factor, start), start)
        return frozenset(
            factor
            for factor, start in pending.items()
            if sum(1 for opened, asked in self.opened if opened >= start and factor in asked)
            < FOLLOW_UP_ROUNDS
        )

    def asked(self, day: date, factors: Collection[str]) -> None:
        self.opened.append((day, frozenset(factors)))


async def follow_up(
    uow: UnitOfWork, tenant_id: int, unit_id: int, covering: Collection[int] = ()
) -> FollowUp:
    """The unit's ``FollowUp``; ``covering``: the other units a round of this unit asks."""
    org = await uow.organisation.load(tenant_id)
    units = {u for u in org.unit_by_id() if unit_id in org.subtree_ids(u)} | set(covering)
    measures = [
        m
        for m in await uow.followup.measures(tenant_id)
        if m.unit_id in units and follow_up_date(m) is not None
    ]
    opened: list[tuple[date, frozenset[str]]] = []
    starts = [d for d in (follow_up_date(m) for m in measures) if d is not None]
    if starts:
        earliest = min(starts)
        for found in await uow.rounds.list(tenant_id):
            if found.opened_at.date() < earliest:
                continue
            if unit_id in {u.unit_id for u in await uow.rounds.units(found.id)}:
                opened.append((found.opened_at.date(), frozenset(i.factor for i in found.items)))
    return FollowUp(measures, frozenset(units), opened)


async def required_factors(
    uow: UnitOfWork,
    tenant_id: int,
    unit_id: int,
    now: datetime,
    covering: Collection[int] = (),
) -> frozenset[str]:
    """Factors the unit's next round must include (``FollowUp.required`` today)."""
    return (await follow_up(uow, tenant_id, unit_id, covering)).required(now.date())


class Verdict(StrEnum):
    IMPROVED = "improved"
    WORSENED = "worsened"
    UNCLEAR = "unclear"  # the change is within its uncertainty: too small to tell
    WITHHELD = "withheld"  # a side is not shown (too few responses): too small to tell
    NOT_YET = "not_yet"  # no released round after completion yet


@dataclass(frozen=True)
class FactorEffect:
    factor: str
    before: str | None  # display score of the last released round before the start
    before_band: tuple[str, str] | None
    after: str | None  # of the latest released round after completion
    after_band: tuple[str, str] | None
    change: int | None
    uncertainty: int | None  # ± (95 %), combined from both bands
    verdict: Verdict


@dataclass(frozen=True)
class Effect:
    measure: Measure
    unit: str
    factors: tuple[FactorEffect, ...]


Side = tuple[str | None, tuple[str, str] | None, bool]  # score, band, any release at all


def _side(
    history: Sequence[Release], unit: str, factor: str, scope: Scope, home: frozenset[str]
) -> Side:
    if not history:
        return None, None, False
    rows = factor_rows(history, unit, viewer_home_units=home, scope=scope)
    row = next((r for r in rows if r.factor == factor), None)
    if row is None:
        return None, None, False  # not asked in these rounds
    if row.score is None or row.band is None:
        return None, None, True  # asked, not shown: too few responses
    return row.score, row.band, True


#: Bands sharing at least this share of the narrower band overlap "widely": too small to tell.
WIDE_OVERLAP = 0.5


def _overlap(first: tuple[str, str], second: tuple[str, str]) -> float:
    lo1, hi1, lo2, hi2 = int(first[0]), int(first[1]), int(second[0]), int(second[1])
    shared = min(hi1, hi2) - max(lo1, lo2)
    narrower = min(hi1 - lo1, hi2 - lo2)
    if shared < 0:
        return 0.0
    return 1.0 if narrower <= 0 else shared / narrower


def _other(end: str) -> str:
    return "low" if end == "high" else "high"


def compare(factor: str, before: Side, after: Side) -> FactorEffect:
    (b, bb, _), (a, ab, a_any) = before, after
    if not a_any:  # not measured again since completion
        return FactorEffect(factor, b, bb, None, None, None, None, Verdict.NOT_YET)
    if b is None or bb is None or a is None or ab is None:
        return FactorEffect(factor, b, bb, a, ab, None, None, Verdict.WITHHELD)
    (bs, b_cut), (as_, a_cut) = parse_score(b), parse_score(a)
    mb = margin(bs, int(bb[0]), int(bb[1]))
    ma = margin(as_, int(ab[0]), int(ab[1]))
    change = int(as_ - bs)
    spread = math.ceil(math.sqrt(float(mb * mb + ma * ma)))
    # A censored score ("≥ 90", "≤ 10") is a bound: it only supports a change towards its end.
    towards = "high" if change > 0 else "low"
    censored_against = (a_cut not in (None, towards)) or (b_cut not in (None, _other(towards)))
    if censored_against or abs(change) <= spread or _overlap(bb, ab) >= WIDE_OVERLAP:
        verdict = Verdict.UNCLEAR
    else:
        verdict = Verdict.IMPROVED if change > 0 else Verdict.WORSENED
    return FactorEffect(factor, b, bb, a, ab, change, spread, verdict)


async def measure_effect(
    uows: UnitOfWorkFactory, clock: Clock, *, tenant_slug: str, as_email: str, measure_id: int
) -> Effect:
    """Before/after from released cells only, as the acting member may see them: the last
    release before the measure's start against the latest after its completion (or follow-up
    date). Reading the releases is audit-logged."""
    async with uows() as uow:
        who = await acting(uow, clock, tenant_slug, as_email)
        measure = await _measure(uow, who, measure_id)
        require(who.org, who.member.id, Action.VIEW_RESULTS, measure.unit_id, who.now)
        released = sorted(
            (r for r in await uow.rounds.list(who.tenant.id) if r.status is RoundStatus.RELEASED),
            key=lambda r: (r.opened_at, r.id),
        )
        boundary = follow_up_date(measure)
        before: list[Release] = []
        after: list[Release] = []
        home = frozenset({str(who.member.home_unit_id)})
        for found in released:
            side = _which(found, measure.start_on, boundary)
            if side is None:
                continue
            stored = await uow.rounds.release(found.id)
            if stored is None:
                continue
            (before if side == "before" else after).append(Release.from_json(stored.document))
        await audit(
            uow,
            who,
            "measure.effect.read",
            {"id": measure_id, "rounds": len(before) + len(after)},
        )
        await uow.commit()
    scope = scope_of(who.org, who.member.id, who.now)
    if scope is None:
        raise TempcheckError(
            "access.denied", action=Action.VIEW_RESULTS.value, unit=who.path(measure.unit_id)
        )
    unit = str(measure.unit_id)
    effects = tuple(
        compare(
            f,
            _side(before, unit, f, scope, home),
            _side(after, unit, f, scope, home) if after else (None, None, False),
        )
        for f in measure.factors
    )
    return Effect(measure, who.path(measure.unit_id), effects)


def _which(found: Round, start: date, boundary: date | None) -> str | None:
    opened = found.opened_at.date()
    if opened < start:
        return "before"
    if boundary is not None and opened >= boundary:
        return "after"
    return None

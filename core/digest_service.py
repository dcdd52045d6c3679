"""Digests and team summaries from stored releases: which releases, for which readers, in
which language; and the renderer the results outbox calls for each claimed post.

Reading results for a digest is audit-logged once per digest (privacy rule 14), naming the
unit, the round and who it is for.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from core.anonymity.record import Release
from core.anonymity.thresholds import Thresholds
from core.clock import Clock
from core.destinations import ChannelRef, Purpose, leaders_of
from core.digest import (
    Digest,
    RoundRelease,
    build_digest,
    chat_text,
    split_by_unit,
    summary_text,
)
from core.errors import NotFound, TempcheckError
from core.flags import Direction
from core.followup import Measure
from core.i18n import DEFAULT_LOCALE, t
from core.messenger import Platform, Recipient
from core.organisation import Member, Organisation
from core.overview import org_overview
from core.overview_render import OverviewTable, overview_table
from core.ports import UnitOfWork, UnitOfWorkFactory
from core.posts import MessageAction, Post, PostTo, Render, ResultMessage, parse_target
from core.question_sets import require_tenant, require_unit
from core.questions import QuestionSet
from core.results import scope_of
from core.round_service import read_release
from core.rounds import Round, RoundStatus, StoredRelease

#: The digest's "Start a measure" button (handled by the chat adapters' follow-up listeners).
START_MEASURE_ACTION = "followup_start_measure"

#: Rounds shown in a digest's trend (this one included).
HISTORY_ROUNDS = 8

Chart = Callable[[Digest], bytes | None]


@dataclass(frozen=True)
class DigestContext:
    org: Organisation
    history: tuple[RoundRelease, ...]
    answer_units: dict[int, int]  # the latest round's snapshot: member id -> answer unit
    measures: tuple[Measure, ...] = ()  # the tenant's measures (open ones go in digests)


def open_measures(measures: Sequence[Measure], unit_id: int, locale: str) -> tuple[str, ...]:
    """A unit's open measures (planned or in progress), by due date, as digest lines."""
    mine = sorted(
        (m for m in measures if m.unit_id == unit_id and m.status.open),
        key=lambda m: (m.due_on, m.id),
    )
    return tuple(
        t("digest.measure", locale, title=m.title, due=m.due_on.isoformat(), id=m.id) for m in mine
    )


#: Parsed releases cut by unit, by the stored document's hash (content-addressed, so a
#: cached entry can never be stale): posting a week's digests parses each release once.
_SPLIT: OrderedDict[str, dict[str, Release]] = OrderedDict()
SPLIT_CACHE_SIZE = 24


def _split(stored: StoredRelease) -> dict[str, Release]:
    found = _SPLIT.get(stored.hash)
    if found is None:
        found = split_by_unit(Release.from_json(stored.document))
        _SPLIT[stored.hash] = found
        while len(_SPLIT) > SPLIT_CACHE_SIZE:
            _SPLIT.popitem(last=False)
    else:
        _SPLIT.move_to_end(stored.hash)
    return found


async def _released_before(
    uow: UnitOfWork, tenant_id: int, round_id: int
) -> list[tuple[Round, frozenset[int]]]:
    """Released rounds up to ``round_id``, newest first, with the units each one asked."""
    rounds = [
        r
        for r in await uow.rounds.list(tenant_id)
        if r.status is RoundStatus.RELEASED and r.id <= round_id
    ]
    rounds.sort(key=lambda r: (r.opened_at, r.id), reverse=True)
    return [(r, frozenset(u.unit_id for u in await uow.rounds.units(r.id))) for r in rounds]


async def _history(
    uow: UnitOfWork,
    released: Sequence[tuple[Round, frozenset[int]]],
    unit_id: int,
    documents: dict[int, StoredRelease | None],
) -> tuple[RoundRelease, ...]:
    """The unit's last HISTORY_ROUNDS released rounds, oldest first, each cut to the unit."""
    out: list[RoundRelease] = []
    unit = str(unit_id)
    for found, units in released:
        if len(out) == HISTORY_ROUNDS:
            break
        if unit_id not in units:
            continue
        if found.id not in documents:
            documents[found.id] = await uow.rounds.release(found.id)
        stored = documents[found.id]
        if stored is not None:
            part = _split(stored).get(unit)
            empty = Release(str(found.id), Thresholds(), (), (), ())
            out.append(RoundRelease(found.period, part or empty))
    return tuple(reversed(out))


async def load_context(
    uows: UnitOfWorkFactory, clock: Clock, round_id: int, unit_id: int, *, viewer: str
) -> DigestContext:
    async with uows() as uow:
        found = await uow.rounds.get(round_id)
        if found is None or found.status is not RoundStatus.RELEASED:
            raise NotFound("round.not_released", round=round_id)
        org = await uow.organisation.load(found.tenant_id)
        released = await _released_before(uow, found.tenant_id, round_id)
        history = await _history(uow, released, unit_id, {})
        snapshot = {m.member_id: m.answer_unit_id for m in await uow.rounds.members(round_id)}
        measures = tuple(await uow.followup.measures(found.tenant_id))
        await uow.audit.record(
            found.tenant_id,
            clock.now(),
            viewer,
            "digest.read",
            {"round": round_id, "unit": unit_id, "rounds": len(history)},
        )
        await uow.commit()
    return DigestContext(org, history, snapshot, measures)


async def question_set_of(uows: UnitOfWorkFactory, round_id: int) -> QuestionSet:
    async with uows() as uow:
        found = await uow.rounds.get(round_id)
        stored = await uow.questions.by_id(found.question_set_id) if found else None
    if stored is None:
        raise NotFound("round.not_found", round=round_id)
    return stored.question_set


def digest_from(
    ctx: DigestContext,
    unit_id: int,
    readers: Sequence[Member] | None,
    locale: str,
    question_set: QuestionSet,
) -> Digest:
    units = ctx.org.unit_by_id()
    unit = units[unit_id]
    parent = units[unit.parent_id].path if unit.parent_id is not None else None
    audience = (
        None
        if readers is None
        else frozenset(str(ctx.answer_units[m.id]) for m in readers if m.id in ctx.answer_units)
    )
    return build_digest(
        unit_id=unit_id,
        unit_path=unit.path,
        parent_path=parent,
        history=ctx.history,
        readers=audience,
        question_set=question_set,
        locale=locale,
        measures=open_measures(ctx.measures, unit_id, locale),
    )


def start_measure_action(unit_id: int, factor: str | None, locale: str) -> MessageAction:
    """The digest's "Start a measure" button: the unit, and the factor to preselect (ids
    only; the modal reads nothing from the digest)."""
    return MessageAction(
        START_MEASURE_ACTION,
        t("followup.chat.start_measure_button", locale),
        f"{unit_id}:{factor or ''}",
    )


def _measure_factor(digest: Digest) -> str | None:
    """The factor a new measure most likely addresses: a worsening one, else none chosen."""
    worse = [f for f in digest.factors if f.flag is Direction.WORSENING]
    return worse[0].factor if worse else None


def person_post_to(member: Member, org: Organisation) -> PostTo | None:
    """Where to DM a member: Slack if linked, else Teams; None when neither."""
    if member.slack_user_id:
        to = Recipient(
            Platform.SLACK, org.tenant.slack_team_id or "", member.slack_user_id, member.locale
        )
        return PostTo(Platform.SLACK, to.workspace, None, to)
    if member.teams_aad_id:
        to = Recipient(
            Platform.TEAMS, org.tenant.teams_tenant_id or "", member.teams_aad_id, member.locale
        )
        return PostTo(Platform.TEAMS, to.workspace, None, to)
    return None


def _channel(channel: ChannelRef, org: Organisation) -> PostTo:
    workspace = (
        org.tenant.slack_team_id
        if channel.platform is Platform.SLACK
        else org.tenant.teams_tenant_id
    )
    return PostTo(channel.platform, workspace or "", channel, None)


def renderer(
    uows: UnitOfWorkFactory,
    clock: Clock,
    chart: Chart,
) -> Render:
    """The results outbox's ``Render``: the message for one claimed post, for its readers."""

    async def render(post: Post) -> tuple[PostTo, ResultMessage] | None:
        ctx = await load_context(
            uows, clock, post.round_id, post.unit_id, viewer=f"{post.purpose.value}:{post.target}"
        )
        qs = await question_set_of(uows, post.round_id)
        target = parse_target(post.target)
        if isinstance(target, int):
            member = next((m for m in ctx.org.active_members() if m.id == target), None)
            if member is None:
                return None  # no longer here: nobody to tell
            to = person_post_to(member, ctx.org)
            readers: list[Member] | None = [member]
            locale = member.locale
        else:
            to = _channel(target, ctx.org)
            readers = None  # the channel's members are not known: the strictest view
            leaders = leaders_of(ctx.org, post.unit_id)
            locale = leaders[0].locale if leaders else DEFAULT_LOCALE
        if to is None:
            return None
        digest = digest_from(ctx, post.unit_id, readers, locale, qs)
        if post.purpose is Purpose.TEAM:
            text = summary_text(digest)
            if text is None:
                return None
            return to, ResultMessage(text, None, "summary.png", "", locale)
        # Drawing a chart takes ~0.15 s of CPU: off the event loop, so the server keeps
        # acknowledging Slack and Teams within their limits while digests go out.
        png = await asyncio.to_thread(chart, digest)
        name = f"tempcheck-{digest.period}-{post.unit_id}.png"
        alt = t("digest.chart_alt", locale, unit=digest.unit)
        # Measures are for small units too (nothing shown does not mean nothing to do).
        action = start_measure_action(post.unit_id, _measure_factor(digest), locale)
        return to, ResultMessage(chat_text(digest), png, name, alt, locale, (action,))

    return render


async def _latest_released(uow: UnitOfWork, tenant_id: int) -> int:
    released = [r for r in await uow.rounds.list(tenant_id) if r.status is RoundStatus.RELEASED]
    if not released:
        raise NotFound("digest.no_release")
    return max(released, key=lambda r: (r.opened_at, r.id)).id


def _member_by_email(org: Organisation, email: str) -> Member:
    found = org.active_member_by_email(email)
    if found is None:
        raise NotFound("digest.no_member", email=email)
    return found


async def unit_digest(
    uows: UnitOfWorkFactory,
    clock: Clock,
    *,
    tenant_slug: str,
    unit_path: str,
    round_id: int | None = None,
    reader_email: str | None = None,
    locale: str | None = None,
    strict: bool = False,
) -> Digest:
    """A unit's digest as its destination would get it: for one reader (``reader_email``),
    or, without one, for the unit's leaders (or the strictest view when it has none, or
    with ``strict``: a channel whose members are not known)."""
    async with uows() as uow:
        tenant = await require_tenant(uow, tenant_slug)
        org = await uow.organisation.load(tenant.id)
        unit = require_unit(org, unit_path)
        chosen = round_id if round_id is not None else await _latest_released(uow, tenant.id)
    readers: list[Member] | None
    if strict:
        readers = None
    elif reader_email is not None:
        readers = [_member_by_email(org, reader_email)]
    else:
        readers = list(leaders_of(org, unit.id)) or None
    viewer = f"member:{readers[0].id}" if readers else "channel"
    ctx = await load_context(uows, clock, chosen, unit.id, viewer=viewer)
    qs = await question_set_of(uows, chosen)
    language = locale or (readers[0].locale if readers else DEFAULT_LOCALE)
    return digest_from(ctx, unit.id, readers, language, qs)


async def overview_for(
    uows: UnitOfWorkFactory,
    clock: Clock,
    *,
    tenant_slug: str,
    viewer_email: str,
    round_id: int | None = None,
    locale: str | None = None,
) -> OverviewTable:
    """The org overview of one round as one person may see it (role scope, rule 14, member
    view of their own unit); audit-logged."""
    async with uows() as uow:
        tenant = await require_tenant(uow, tenant_slug)
        org = await uow.organisation.load(tenant.id)
        chosen = round_id if round_id is not None else await _latest_released(uow, tenant.id)
        found = await uow.rounds.get(chosen)
        snapshot = {m.member_id: m.answer_unit_id for m in await uow.rounds.members(chosen)}
    viewer = _member_by_email(org, viewer_email)
    scope = scope_of(org, viewer.id)
    if scope is None:
        raise TempcheckError("digest.no_scope", email=viewer_email)
    assert found is not None
    release = await read_release(
        uows, clock, chosen, viewer=f"member:{viewer.id}", purpose="overview"
    )
    own = frozenset({str(snapshot[viewer.id])}) if viewer.id in snapshot else frozenset()
    overview = org_overview(release, viewer_home_units=own, scope=scope)
    qs = await question_set_of(uows, chosen)
    paths = {str(u.id): u.path for u in org.units}
    return overview_table(overview, paths, qs, found.period, locale or viewer.locale)


async def week_digests(
    uows: UnitOfWorkFactory, clock: Clock, round_id: int, *, viewer: str = "digest"
) -> list[Digest]:
    """Every unit's digest of a released round as its leaders get it (the strictest view
    for a unit nobody leads), without posting: each release is read and parsed once, each
    digest's read audit-logged. What the weekly job costs, as a batch (bench/release.py)."""
    async with uows() as uow:
        found = await uow.rounds.get(round_id)
        if found is None or found.status is not RoundStatus.RELEASED:
            raise NotFound("round.not_released", round=round_id)
        org = await uow.organisation.load(found.tenant_id)
        unit_ids = [u.unit_id for u in await uow.rounds.units(round_id)]
        snapshot = {m.member_id: m.answer_unit_id for m in await uow.rounds.members(round_id)}
        stored_set = await uow.questions.by_id(found.question_set_id)
        released = await _released_before(uow, found.tenant_id, round_id)
        documents: dict[int, StoredRelease | None] = {}
        histories = {u: await _history(uow, released, u, documents) for u in unit_ids}
        measures = tuple(await uow.followup.measures(found.tenant_id))
        for unit_id in unit_ids:
            await uow.audit.record(
                found.tenant_id,
                clock.now(),
                viewer,
                "digest.read",
                {"round": round_id, "unit": unit_id, "rounds": len(histories[unit_id])},
            )
        await uow.commit()
    if stored_set is None:
        raise NotFound("round.not_found", round=round_id)
    digests = []
    for unit_id in unit_ids:
        leaders = list(leaders_of(org, unit_id))
        ctx = DigestContext(org, histories[unit_id], snapshot, measures)
        locale = leaders[0].locale if leaders else DEFAULT_LOCALE
        digests.append(digest_from(ctx, unit_id, leaders or None, locale, stored_set.question_set))
    return digests

"""What the Teams turn handlers share: the container, the cards, the messenger, and looking
up who is talking (tenant by Teams tenant id, member by AAD object id)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from microsoft_agents.activity import Activity
from microsoft_agents.hosting.core import ConnectorClientBase, TurnContext

from bot.app import Container
from bot.teams.cards import TeamsCards
from bot.teams.messenger import TeamsMessenger
from bot.teams.references import Speaker, channel_reference, team_update
from core.i18n import DEFAULT_LOCALE, normalise_locale
from core.organisation import Member, Tenant
from core.ports import StoredChannel, UnitOfWork
from core.questions import QuestionSet
from core.rounds import Round

log = logging.getLogger(__name__)
UNMATCHED_MAX = 10_000


async def _email_in_teams(context: TurnContext) -> str | None:
    """The sender's e-mail (or user principal name) from Teams' member record of this
    conversation; None when Teams does not say or cannot be asked."""
    activity = context.activity
    connector = context.services.get(ConnectorClientBase)  # type: ignore[type-abstract]
    sender = activity.from_property
    if connector is None or activity.conversation is None or sender is None or not sender.id:
        return None
    try:
        account = await connector.conversations.get_conversation_member(
            activity.conversation.id, sender.id
        )
    except Exception as error:  # noqa: BLE001 - any failure: not linked now, asked again later
        log.warning("teams member lookup failed", extra={"error": type(error).__name__})
        return None
    extra = account.model_extra or {}
    for key in ("email", "userPrincipalName"):
        value = extra.get(key)
        if isinstance(value, str) and "@" in value:
            return value
    return None


#: A person whose e-mail matched nobody is asked about again after this long (seconds).
UNMATCHED_RETRY_S = 3600.0


@dataclass
class TeamsDirectory:
    """Tenants, members and conversation references, as the turn handlers and the
    messenger need them."""

    container: Container
    default_tenant: str
    monotonic: Callable[[], float] = time.monotonic
    _unmatched: dict[str, float] = field(default_factory=dict, repr=False)

    async def tenant_in(self, uow: UnitOfWork, teams_tenant_id: str | None) -> Tenant | None:
        """The organisation linked to this Teams tenant, else TEMPCHECK_TENANT."""
        if teams_tenant_id:
            tenant = await uow.organisation.tenant_for_teams_tenant(teams_tenant_id)
            if tenant is not None:
                return tenant
        return await uow.organisation.get_tenant(self.default_tenant)

    async def who(self, speaker: Speaker) -> tuple[Tenant, Member] | None:
        if speaker.aad_object_id is None:
            return None
        async with self.container.uows() as uow:
            tenant = await self.tenant_in(uow, speaker.teams_tenant_id)
            if tenant is None:
                return None
            member = await uow.organisation.member_by_teams_id(tenant.id, speaker.aad_object_id)
        if member is None or not member.active:
            return None
        return tenant, member

    async def remember(self, speaker: Speaker, reference: Mapping[str, object]) -> None:
        """Store or refresh where to reach this person (personal chats only)."""
        if not speaker.personal or speaker.aad_object_id is None:
            return
        c = self.container
        async with c.uows() as uow:
            tenant = await self.tenant_in(uow, speaker.teams_tenant_id)
            if tenant is None:
                return
            changed = await uow.conversations.save(
                tenant.id, speaker.aad_object_id, reference, c.clock.now()
            )
            if changed:
                await uow.commit()
        if changed:
            log.info("teams conversation reference stored", extra={"tenant_id": tenant.id})

    async def reference_for(
        self, workspace: str, aad_object_id: str
    ) -> Mapping[str, object] | None:
        async with self.container.uows() as uow:
            tenant = await self.tenant_in(uow, workspace or None)
            if tenant is None:
                return None
            stored = await uow.conversations.get(tenant.id, aad_object_id)
        return stored.reference if stored else None

    async def link_by_email(self, speaker: Speaker, context: TurnContext) -> None:
        """A person in a personal chat whose AAD object id the roster lacks: ask Teams for
        their e-mail (the conversation's member record) and, when exactly one active
        member without a Teams id has it, store the id on that member (audit-logged). A
        member already linked to another id is never overwritten; no match is asked about
        again only after ``UNMATCHED_RETRY_S``."""
        aad = speaker.aad_object_id
        if aad is None or self.monotonic() - self._unmatched.get(aad, -UNMATCHED_RETRY_S) < (
            UNMATCHED_RETRY_S
        ):
            return
        c = self.container
        async with c.uows() as uow:
            tenant = await self.tenant_in(uow, speaker.teams_tenant_id)
            if tenant is None or await uow.organisation.member_by_teams_id(tenant.id, aad):
                return
        email = await _email_in_teams(context)
        linked = False
        if email is not None:
            async with c.uows() as uow:
                member = (await uow.organisation.load(tenant.id)).active_member_by_email(email)
                if member is not None and member.teams_aad_id is None:
                    fields = replace(member.fields(), teams_aad_id=aad)
                    await uow.organisation.update_member(member.id, fields)
                    await uow.audit.record(
                        tenant.id,
                        c.clock.now(),
                        "teams",
                        "teams.link_member",
                        {"member": member.id},
                    )
                    await uow.commit()
                    linked = True
        if linked:
            self._unmatched.pop(aad, None)
            log.info("teams member linked by e-mail", extra={"tenant_id": tenant.id})
        else:
            if len(self._unmatched) >= UNMATCHED_MAX:
                self._unmatched.clear()
            self._unmatched[aad] = self.monotonic()
            log.info("teams speaker matches no roster e-mail", extra={"tenant_id": tenant.id})

    async def remember_team(self, speaker: Speaker, activity: Activity) -> None:
        """Store, refresh or forget the team channels an activity from a team tells of."""
        update = team_update(activity)
        if not (update.seen or update.gone or update.team_gone):
            return
        c = self.container
        async with c.uows() as uow:
            tenant = await self.tenant_in(uow, speaker.teams_tenant_id)
            if tenant is None:
                return
            changed = False
            for found in update.seen:
                stored = StoredChannel(
                    tenant.id,
                    found.channel_id,
                    found.team_id,
                    found.team_name,
                    found.channel_name,
                    channel_reference(activity, found.channel_id),
                    c.clock.now(),
                )
                changed = await uow.conversations.save_channel(stored) or changed
            gone = set(update.gone)
            if update.team_gone is not None:
                known = await uow.conversations.channels(tenant.id)
                gone |= {k.channel_id for k in known if k.team_id == update.team_gone}
            for channel_id in sorted(gone):
                await uow.conversations.forget_channel(tenant.id, channel_id)
            if changed or gone:
                await uow.commit()
        if changed or gone:
            log.info(
                "teams channels updated",
                extra={"tenant_id": tenant.id, "seen": len(update.seen), "gone": len(gone)},
            )

    async def channel_reference(self, workspace: str, channel: str) -> Mapping[str, object] | None:
        """A channel's address: as stored when the app was added to its team or heard from
        there; else the tenant's service URL and bot (from any stored personal reference)
        with the channel as the conversation."""
        async with self.container.uows() as uow:
            tenant = await self.tenant_in(uow, workspace or None)
            if tenant is None:
                return None
            known = await uow.conversations.channel(tenant.id, channel)
            if known is not None:
                return known.reference
            for aad in sorted(await uow.conversations.reachable(tenant.id)):
                stored = await uow.conversations.get(tenant.id, aad)
                if stored is None:
                    continue
                reference = {k: v for k, v in stored.reference.items() if k != "user"}
                conversation: dict[str, object] = {"id": channel, "conversationType": "channel"}
                if workspace:
                    conversation["tenantId"] = workspace
                reference["conversation"] = conversation
                return reference
        return None

    async def form_for(self, round_id: int) -> tuple[Round, QuestionSet] | None:
        async with self.container.uows() as uow:
            found = await uow.rounds.get(round_id)
            stored = await uow.questions.by_id(found.question_set_id) if found else None
        if found is None or stored is None:
            return None
        return found, stored.question_set


@dataclass
class TeamsDeps:
    container: Container
    cards: TeamsCards
    messenger: TeamsMessenger
    directory: TeamsDirectory


def locale_of(found: tuple[Tenant, Member] | None, hint: str | None = None) -> str:
    if found is not None:
        return found[1].locale
    return (normalise_locale(hint) if hint else None) or DEFAULT_LOCALE

"""Conversation references: the address of a person's 1:1 chat with the app, and of each
team channel the app is installed in.

Captured from installationUpdate, conversationUpdate and every message: a personal chat's
per tenant and AAD object id, a team channel's per tenant and channel id (core's
ConversationRepository), as plain JSON, and turned back into the SDK's
ConversationReference for proactive sends.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from microsoft_agents.activity import Activity, ConversationReference

#: Per-turn fields that would make every message look like a changed reference.
_VOLATILE = ("activityId", "requestId")


@dataclass(frozen=True)
class Speaker:
    """Who sent an activity, as Teams identifies them."""

    teams_tenant_id: str | None
    aad_object_id: str | None
    personal: bool


def speaker_of(activity: Activity) -> Speaker:
    conversation = activity.conversation
    tenant = conversation.tenant_id if conversation else None
    channel_data = activity.channel_data
    if not tenant and isinstance(channel_data, Mapping):
        tenant_data = channel_data.get("tenant")
        if isinstance(tenant_data, Mapping) and isinstance(tenant_data.get("id"), str):
            tenant = tenant_data["id"]
    sender = activity.from_property
    aad = sender.aad_object_id if sender else None
    kind = conversation.conversation_type if conversation else None
    # The Agents Playground and older clients leave conversationType out of 1:1 chats.
    personal = kind == "personal" or (kind is None and not (conversation and conversation.is_group))
    return Speaker(tenant or None, aad.lower() if aad else None, personal)


def reference_json(activity: Activity) -> dict[str, Any]:
    """The reference to store: where to post, minus per-turn ids and the display name."""
    data: dict[str, Any] = activity.get_conversation_reference().model_dump(
        mode="json", by_alias=True, exclude_none=True
    )
    for key in _VOLATILE:
        data.pop(key, None)
    user = data.get("user")
    if isinstance(user, dict):
        user.pop("name", None)
    return data


def continuation(stored: Mapping[str, object]) -> Activity:
    """The activity that starts a proactive turn in the stored conversation. Its id is
    cleared so that what the turn sends is a new message, not a reply to a phantom id."""
    reference = ConversationReference.model_validate(dict(stored))
    activity = reference.get_continuation_activity()
    activity.id = None
    return activity


def conversation_id(stored: Mapping[str, object]) -> str:
    conversation = stored.get("conversation")
    if isinstance(conversation, Mapping) and isinstance(conversation.get("id"), str):
        return str(conversation["id"])
    return ""


@dataclass(frozen=True)
class TeamChannel:
    team_id: str
    team_name: str | None
    channel_id: str
    channel_name: str | None


#: channelData.eventType values that say the team is gone.
_GONE = ("teamDeleted", "teamHardDeleted")


def _named(value: object) -> tuple[str, str | None] | None:
    if isinstance(value, Mapping) and isinstance(value.get("id"), str) and value["id"]:
        name = value.get("name")
        return str(value["id"]), str(name) if isinstance(name, str) and name else None
    return None


@dataclass(frozen=True)
class TeamUpdate:
    """What an activity from a team says about the app's channels there."""

    seen: tuple[TeamChannel, ...] = ()
    gone: tuple[str, ...] = ()  # channel ids deleted
    team_gone: str | None = None  # the app was removed from this team, or it was deleted


def team_update(activity: Activity) -> TeamUpdate:
    """The team channels an activity from a team shows the app is in, or says are gone.
    The channel the activity was sent in counts (its id is the conversation id without
    ``;messageid=…``; the team's General channel has the team's id), and a created or
    renamed channel named in channelData. Nothing for a personal chat."""
    data = activity.channel_data
    if not isinstance(data, Mapping):
        return TeamUpdate()
    team = _named(data.get("team"))
    if team is None:
        return TeamUpdate()
    event = data.get("eventType")
    channel = _named(data.get("channel"))
    if event == "channelDeleted" and channel is not None:
        return TeamUpdate(gone=(channel[0],))
    bot_id = activity.recipient.id if activity.recipient else None
    removed = any(m.id == bot_id for m in activity.members_removed or [])
    if event in _GONE or removed:
        return TeamUpdate(team_gone=team[0])
    seen: dict[str, TeamChannel] = {}
    if channel is not None:
        seen[channel[0]] = TeamChannel(team[0], team[1], channel[0], channel[1])
    conversation = activity.conversation.id.split(";")[0] if activity.conversation else ""
    if conversation.startswith("19:") and conversation not in seen:
        general = "General" if conversation == team[0] else None
        seen[conversation] = TeamChannel(team[0], team[1], conversation, general)
    return TeamUpdate(seen=tuple(seen.values()))


def channel_reference(activity: Activity, channel_id: str) -> dict[str, Any]:
    """The reference to store for posting into ``channel_id`` of the activity's team: the
    service URL and bot of the activity, the channel as the conversation, no person."""
    data = reference_json(activity)
    data.pop("user", None)
    conversation: dict[str, Any] = {
        "id": channel_id,
        "conversationType": "channel",
        "isGroup": True,
    }
    tenant = speaker_of(activity).teams_tenant_id
    if tenant:
        conversation["tenantId"] = tenant
    data["conversation"] = conversation
    return data

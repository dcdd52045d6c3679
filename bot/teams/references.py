"""Conversation references: the address of a person's 1:1 chat with the app.

Captured from installationUpdate, conversationUpdate and every message in a personal chat,
stored per tenant and AAD object id (core's ConversationRepository) as plain JSON, and
turned back into the SDK's ConversationReference for proactive sends.
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

"""Bolt listeners: they translate Slack payloads to core calls and core results to Block Kit."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.slack.deps import SlackDeps
from bot.slack.listeners import actions, commands, events, followup, views


def register(app: AsyncApp, deps: SlackDeps) -> None:
    actions.register(app, deps)
    views.register(app, deps)
    events.register(app, deps)
    commands.register(app, deps)
    followup.register(app, deps)

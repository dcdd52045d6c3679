"""One atomic, anonymous submission per member per round.

The ledger row (a keyed pseudonym), the answer rows (no member, no time, no sequence) and
the comment row are written in one transaction; the caller acknowledges the person only
after this returns, so an acknowledged answer is committed. A repeated submission changes
nothing and gets the same friendly result.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from core.clock import Clock
from core.errors import NotFound, TempcheckError
from core.keys import KeyStore
from core.ledger import pseudonym
from core.messenger import Confirmation, ConfirmationKind, MessageRef, Messenger, Recipient
from core.ports import UnitOfWorkFactory
from core.rounds import NewAnswer, NewComment, Round

log = logging.getLogger(__name__)

AUDIENCES = ("leader", "hr_verneombud", "themes")
#: Rule 9: a comment whose writer chose nothing goes to HR and the verneombud only.
DEFAULT_AUDIENCE = "hr_verneombud"
MAX_COMMENT_CHARS = 2000
SENSITIVE_YES = 2


class SubmissionOutcome(StrEnum):
    ACCEPTED = "accepted"
    ALREADY_ANSWERED = "already_answered"


@dataclass(frozen=True)
class Submission:
    round_id: int
    member_id: int
    answers: Mapping[str, int | None]  # item key -> value, None for "prefer not to say"
    comment: str | None = None
    audience: str | None = None


@dataclass(frozen=True)
class SubmissionResult:
    outcome: SubmissionOutcome
    #: A "yes" on a sensitive screening item: show the configured help, privately.
    show_help: bool


def _validate(found: Round, submission: Submission) -> None:
    asked = {item.item_key: item for item in found.items}
    missing = sorted(set(asked) - set(submission.answers))
    extra = sorted(set(submission.answers) - set(asked))
    if missing or extra:
        raise TempcheckError(
            "submission.items_mismatch",
            missing=", ".join(missing) or "-",
            extra=", ".join(extra) or "-",
        )
    for key, value in submission.answers.items():
        points = asked[key].points
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= points
        ):
            raise TempcheckError("submission.invalid_value", item=key, points=points)
    if submission.audience is not None and submission.audience not in AUDIENCES:
        raise TempcheckError("submission.invalid_audience", audience=submission.audience)
    if submission.comment is not None and len(submission.comment) > MAX_COMMENT_CHARS:
        raise TempcheckError("submission.comment_too_long", limit=MAX_COMMENT_CHARS)


async def submit(
    uows: UnitOfWorkFactory, keys: KeyStore, clock: Clock, submission: Submission
) -> SubmissionResult:
    async with uows() as uow:
        found = await uow.rounds.get(submission.round_id)
        if found is None:
            raise NotFound("round.not_found", round=submission.round_id)
        if not found.accepts_answers(clock.now()):
            raise TempcheckError("submission.round_closed")
        # One row, not the whole snapshot: this runs for every submission.
        entry = await uow.rounds.member(found.id, submission.member_id)
        if entry is None:
            raise TempcheckError("submission.not_in_round")
        unit_id = entry.answer_unit_id
        _validate(found, submission)
        sensitive = {i.item_key for i in found.items if i.sensitive}
        show_help = any(submission.answers[k] == SENSITIVE_YES for k in sensitive)
        tenants = {t.id: t.slug for t in await uow.organisation.list_tenants()}
        key = keys.get(tenants[found.tenant_id], found.id)
        if key is None:
            raise TempcheckError("submission.key_missing", round=found.id)
        mark = pseudonym(key, found.tenant_id, submission.member_id, found.id)
        if not await uow.answers.claim(found.id, mark):
            log.debug("duplicate submission ignored", extra={"round_id": found.id})
            return SubmissionResult(SubmissionOutcome.ALREADY_ANSWERED, show_help)
        by_key = {i.item_key: i.item_row_id for i in found.items}
        await uow.answers.add_answers(
            found.id,
            [NewAnswer(unit_id, by_key[k], v) for k, v in sorted(submission.answers.items())],
        )
        text = (submission.comment or "").strip()
        if text:
            await uow.answers.add_comment(
                found.id, NewComment(unit_id, submission.audience or DEFAULT_AUDIENCE, text)
            )
        await uow.commit()
    log.debug("submission stored", extra={"round_id": found.id})
    return SubmissionResult(SubmissionOutcome.ACCEPTED, show_help)


async def has_answered(
    uows: UnitOfWorkFactory, keys: KeyStore, round_id: int, member_id: int
) -> bool:
    """For the bot's own use (deduplication, automatic reminders) only: never shown."""
    async with uows() as uow:
        found = await uow.rounds.get(round_id)
        if found is None:
            raise NotFound("round.not_found", round=round_id)
        tenants = {t.id: t.slug for t in await uow.organisation.list_tenants()}
        key = keys.get(tenants[found.tenant_id], found.id)
        if key is None:
            return False
        return await uow.answers.has_claimed(
            found.id, pseudonym(key, found.tenant_id, member_id, found.id)
        )


async def answer_and_confirm(
    uows: UnitOfWorkFactory,
    keys: KeyStore,
    clock: Clock,
    messenger: Messenger,
    submission: Submission,
    to: Recipient,
    invitation_message: MessageRef | None,
    acknowledge: Callable[[SubmissionResult], Awaitable[None]] | None = None,
) -> SubmissionResult:
    """What a chat adapter calls on submit: commit, acknowledge the person (only now that the
    answer is committed), then replace the invitation with a confirmation built only from
    the outcome, never from the answers."""
    result = await submit(uows, keys, clock, submission)
    if acknowledge is not None:
        await acknowledge(result)
    if invitation_message is not None:
        await messenger.confirm(to, invitation_message, confirmation_for(result))
    return result


def confirmation_for(result: SubmissionResult) -> Confirmation:
    kind = (
        ConfirmationKind.ANSWERED
        if result.outcome is SubmissionOutcome.ACCEPTED
        else ConfirmationKind.ALREADY_ANSWERED
    )
    return Confirmation(kind, result.show_help)

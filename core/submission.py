"""One atomic, anonymous submission per member per round.

The ledger row (a keyed pseudonym), the answer rows (no member, no time, no sequence) and
the comment row are written in one transaction; the caller acknowledges the person only
after this returns, so an acknowledged answer is committed. A repeated submission changes
nothing and gets the same friendly result.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from weakref import WeakKeyDictionary

from core.clock import Clock
from core.errors import NotFound, TempcheckError
from core.keys import KeyStore
from core.ledger import pseudonym
from core.messenger import Confirmation, ConfirmationKind, MessageRef, Messenger, Recipient
from core.ports import UnitOfWorkFactory
from core.rounds import NewAnswer, NewComment, Round, RoundStatus

log = logging.getLogger(__name__)

AUDIENCES = ("leader", "hr_verneombud", "themes")
#: Rule 9: a comment whose writer chose nothing goes to HR and the verneombud only.
DEFAULT_AUDIENCE = "hr_verneombud"
MAX_COMMENT_CHARS = 2000
SENSITIVE_YES = 2
#: How long a process reuses a round's key read from the key store (while the round is open).
KEY_REUSE = timedelta(seconds=60)


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


@dataclass(frozen=True)
class AnswerSheet:
    """What a submission needs from its round, all of it frozen when the round opened (the
    items, the membership snapshot, the tenant) except ``round.status``."""

    round: Round
    tenant_slug: str
    #: member id -> the unit their answers are stored under; the whole snapshot when cached
    #: by ``AnswerSheets``, else only the entry of the member who is answering.
    members: Mapping[int, int]

    @property
    def item_rows(self) -> Mapping[str, int]:
        return {i.item_key: i.item_row_id for i in self.round.items}


async def _load_sheet(uows: UnitOfWorkFactory, round_id: int, member_id: int | None) -> AnswerSheet:
    """One read: the round, its tenant's slug and the snapshot (one member's entry, or all)."""
    async with uows() as uow:
        found = await uow.rounds.get(round_id)
        if found is None:
            raise NotFound("round.not_found", round=round_id)
        slug = next(
            t.slug for t in await uow.organisation.list_tenants() if t.id == found.tenant_id
        )
        if member_id is None:
            members = {m.member_id: m.answer_unit_id for m in await uow.rounds.members(round_id)}
        else:
            entry = await uow.rounds.member(round_id, member_id)
            members = {member_id: entry.answer_unit_id} if entry is not None else {}
    return AnswerSheet(found, slug, members)


class AnswerSheets:
    """A per-process cache of answer sheets, so that a submission reads nothing but writes.

    Safe because rounds are never deleted and nothing in a sheet changes after opening but
    the round's status, which only moves forward (open -> closed -> released). A cached
    non-open status is therefore final; a cached "open" is only a hint: ``submit`` checks the
    clock against ``closes_at`` itself and the claim checks the stored status in the same
    statement (``AnswerRepository.claim(open_at=...)``), so a round closed by another process
    after it was cached still refuses a late answer. Holds no answers and no pseudonyms.
    """

    def __init__(self, max_rounds: int = 256) -> None:
        self.max_rounds = max_rounds
        self._sheets: OrderedDict[int, AnswerSheet] = OrderedDict()
        self._keys: dict[int, tuple[datetime, bytes]] = {}
        self._loading: dict[int, asyncio.Future[AnswerSheet]] = {}

    async def get(self, uows: UnitOfWorkFactory, round_id: int) -> AnswerSheet:
        """The round's sheet; read on first use (call it outside any open unit of work)."""
        while True:
            sheet = self._sheets.get(round_id)
            if sheet is not None:
                self._sheets.move_to_end(round_id)
                return sheet
            pending = self._loading.get(round_id)
            if pending is None:
                return await self._load(uows, round_id)
            # One read per round however many submissions arrive at once.
            try:
                return await asyncio.shield(pending)
            except asyncio.CancelledError:
                if not pending.cancelled():
                    raise  # this caller was cancelled
                # the reading caller was cancelled: read again

    async def _load(self, uows: UnitOfWorkFactory, round_id: int) -> AnswerSheet:
        pending: asyncio.Future[AnswerSheet] = asyncio.get_running_loop().create_future()
        self._loading[round_id] = pending
        try:
            sheet = await _load_sheet(uows, round_id, None)
        except Exception as error:
            # Not cached: the next submission tries again (and reports the error itself).
            pending.set_exception(error)
            pending.exception()  # marked as retrieved: perhaps nobody else is waiting
            raise
        except BaseException:
            pending.cancel()
            raise
        finally:
            self._loading.pop(round_id, None)
        pending.set_result(sheet)
        self._sheets[round_id] = sheet
        while len(self._sheets) > self.max_rounds:
            self._sheets.popitem(last=False)
        return sheet

    def key(self, keys: KeyStore, sheet: AnswerSheet, now: datetime) -> bytes | None:
        """The round's key, read from the key store at most once per ``KEY_REUSE`` and
        never kept past the round's close (a shredded key must not live on in memory)."""
        round_id = sheet.round.id
        cached = self._keys.get(round_id)
        if cached is not None and now < cached[0]:
            return cached[1]
        self._keys = {r: k for r, k in self._keys.items() if now < k[0]}  # drop expired
        key = keys.get(sheet.tenant_slug, round_id)
        if key is not None:
            self._keys[round_id] = (min(now + KEY_REUSE, sheet.round.closes_at), key)
        return key

    def refresh(self, found: Round) -> None:
        """Record a round's newer state (its status) as read from the database."""
        sheet = self._sheets.get(found.id)
        if sheet is not None:
            self._sheets[found.id] = replace(sheet, round=found)
        if found.status is not RoundStatus.OPEN:
            self._keys.pop(found.id, None)


@dataclass(frozen=True)
class AnswerWrite:
    """One submission ready to store: its claim, its rows, the instant it was given."""

    round_id: int
    mark: str
    answers: Sequence[NewAnswer]
    comment: NewComment | None
    now: datetime


async def _store(uows: UnitOfWorkFactory, writes: Sequence[AnswerWrite]) -> list[bool]:
    """One transaction for all ``writes``: claim their ledger rows (one statement per round),
    store the answers and comments of those claimed, commit. Per write: claimed or not (a
    repeat, an earlier write of the same pseudonym in ``writes``, or a round that no longer
    accepts answers at the latest instant among its writes)."""
    by_round: dict[int, list[AnswerWrite]] = {}
    for write in writes:
        by_round.setdefault(write.round_id, []).append(write)
    async with uows() as uow:
        fresh: set[tuple[int, str]] = set()
        for round_id, group in by_round.items():
            marks = await uow.answers.claim(
                round_id, [w.mark for w in group], open_at=max(w.now for w in group)
            )
            fresh.update((round_id, m) for m in marks)
        claimed: list[bool] = []
        rows: dict[int, list[NewAnswer]] = {}
        for write in writes:
            ok = (write.round_id, write.mark) in fresh
            fresh.discard((write.round_id, write.mark))  # a second one in this batch repeats
            claimed.append(ok)
            if ok:
                rows.setdefault(write.round_id, []).extend(write.answers)
        for round_id, answers in rows.items():
            await uow.answers.add_answers(round_id, answers)
        for write, ok in zip(writes, claimed, strict=True):
            if ok and write.comment is not None:
                await uow.answers.add_comment(write.round_id, write.comment)
        await uow.commit()
    return claimed


class _Queue:
    def __init__(self) -> None:
        self.waiting: deque[tuple[AnswerWrite, asyncio.Future[bool]]] = deque()
        self.writer: asyncio.Task[None] | None = None


class GroupCommit:
    """Submissions that arrive while one transaction is being written go together into the
    next one: one commit (and, on SQLite, one turn of the write lock) for many people.

    Nothing waits for a batch to fill: a submission that finds no transaction in progress
    is written at once, alone. Each caller is answered only after the transaction holding
    its submission has committed, so an acknowledged answer is committed. A transaction
    that fails is retried one submission at a time, so that one bad submission fails
    alone. The batch holds pseudonyms and anonymous rows only, like a single submission.
    """

    def __init__(self, uows: UnitOfWorkFactory, max_batch: int = 64) -> None:
        self._uows = uows
        self.max_batch = max_batch
        self._queues: WeakKeyDictionary[asyncio.AbstractEventLoop, _Queue] = WeakKeyDictionary()

    async def write(self, write: AnswerWrite) -> bool:
        loop = asyncio.get_running_loop()
        queue = self._queues.get(loop)
        if queue is None:
            queue = self._queues[loop] = _Queue()
        done: asyncio.Future[bool] = loop.create_future()
        queue.waiting.append((write, done))
        if queue.writer is None:
            queue.writer = loop.create_task(self._drain(queue))
        return await done

    async def _drain(self, queue: _Queue) -> None:
        try:
            while queue.waiting:
                count = min(len(queue.waiting), self.max_batch)
                await self._commit([queue.waiting.popleft() for _ in range(count)])
        finally:
            queue.writer = None
            while queue.waiting:  # only when cancelled (the loop is shutting down)
                _, done = queue.waiting.popleft()
                done.cancel()

    async def _commit(self, batch: list[tuple[AnswerWrite, asyncio.Future[bool]]]) -> None:
        try:
            claimed = await _store(self._uows, [write for write, _ in batch])
        except Exception as error:  # noqa: BLE001 - handed to the caller, unchanged
            if len(batch) > 1:
                for one in batch:
                    await self._commit([one])
                return
            if not batch[0][1].done():
                batch[0][1].set_exception(error)
            return
        except BaseException:
            for _, done in batch:
                done.cancel()
            raise
        for (_, done), ok in zip(batch, claimed, strict=True):
            if not done.done():  # its caller may have gone; the answer is stored anyway
                done.set_result(ok)


async def submit(
    uows: UnitOfWorkFactory,
    keys: KeyStore,
    clock: Clock,
    submission: Submission,
    sheets: AnswerSheets | None = None,
    writes: GroupCommit | None = None,
) -> SubmissionResult:
    """Store one submission: one transaction that claims the ledger row and writes the
    answers (and the comment). ``sheets``: the process's cache of what rounds froze; without
    it the round is read first, in a unit of work of its own. ``writes``: the process's
    group commit (the transaction is then shared with submissions arriving at the same
    time); without it the submission has a transaction of its own."""
    if sheets is not None:
        sheet = await sheets.get(uows, submission.round_id)
    else:
        sheet = await _load_sheet(uows, submission.round_id, submission.member_id)
    found = sheet.round
    now = clock.now()
    if not found.accepts_answers(now):
        raise TempcheckError("submission.round_closed")
    unit_id = sheet.members.get(submission.member_id)
    if unit_id is None:
        raise TempcheckError("submission.not_in_round")
    _validate(found, submission)
    sensitive = {i.item_key for i in found.items if i.sensitive}
    show_help = any(submission.answers[k] == SENSITIVE_YES for k in sensitive)
    key = (
        sheets.key(keys, sheet, now)
        if sheets is not None
        else keys.get(sheet.tenant_slug, found.id)
    )
    if key is None:
        raise TempcheckError("submission.key_missing", round=found.id)
    by_key = sheet.item_rows
    text = (submission.comment or "").strip()
    write = AnswerWrite(
        found.id,
        pseudonym(key, found.tenant_id, submission.member_id, found.id),
        [NewAnswer(unit_id, by_key[k], v) for k, v in sorted(submission.answers.items())],
        NewComment(unit_id, submission.audience or DEFAULT_AUDIENCE, text) if text else None,
        now,
    )
    claimed = await writes.write(write) if writes is not None else (await _store(uows, [write]))[0]
    if not claimed:
        # Closed since it was read, or a repeat: the stored round tells which.
        async with uows() as uow:
            current = await uow.rounds.get(found.id)
        if current is None or not current.accepts_answers(now):
            if current is not None and sheets is not None:
                sheets.refresh(current)
            raise TempcheckError("submission.round_closed")
        log.debug("duplicate submission ignored", extra={"round_id": found.id})
        return SubmissionResult(SubmissionOutcome.ALREADY_ANSWERED, show_help)
    log.debug("submission stored", extra={"round_id": found.id})
    return SubmissionResult(SubmissionOutcome.ACCEPTED, show_help)


async def has_answered(
    uows: UnitOfWorkFactory,
    keys: KeyStore,
    round_id: int,
    member_id: int,
    sheets: AnswerSheets | None = None,
) -> bool:
    """For the bot's own use (deduplication, automatic reminders) only: never shown."""
    if sheets is not None:
        sheet = await sheets.get(uows, round_id)
    else:
        sheet = await _load_sheet(uows, round_id, member_id)
    key = keys.get(sheet.tenant_slug, round_id)
    if key is None:
        return False
    async with uows() as uow:
        return await uow.answers.has_claimed(
            round_id, pseudonym(key, sheet.round.tenant_id, member_id, round_id)
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
    sheets: AnswerSheets | None = None,
    writes: GroupCommit | None = None,
) -> SubmissionResult:
    """What a chat adapter calls on submit: commit, acknowledge the person (only now that the
    answer is committed), then replace the invitation with a confirmation built only from
    the outcome, never from the answers."""
    result = await submit(uows, keys, clock, submission, sheets, writes)
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

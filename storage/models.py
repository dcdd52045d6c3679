"""SQLAlchemy table models. Schema changes go through Alembic (storage/migrations)."""

from __future__ import annotations

from datetime import date, datetime

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class TenantRow(Base):
    __tablename__ = "tenants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    slack_team_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    teams_tenant_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: Anonymity thresholds for rounds opened from now on (None: the defaults).
    thresholds: Mapped[dict[str, object] | None] = mapped_column(JSON)


class UnitRow(Base):
    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("tenant_id", "path", name="uq_units_tenant_path"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    path: Mapped[str] = mapped_column(String(1000))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))


class MemberRow(Base):
    __tablename__ = "members"
    __table_args__ = (
        UniqueConstraint("tenant_id", "email", name="uq_members_tenant_email"),
        UniqueConstraint("tenant_id", "slack_user_id", name="uq_members_tenant_slack"),
        UniqueConstraint("tenant_id", "teams_aad_id", name="uq_members_tenant_teams"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(200))
    home_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    locale: Mapped[str] = mapped_column(String(8))
    timezone: Mapped[str] = mapped_column(String(64))
    slack_user_id: Mapped[str | None] = mapped_column(String(32))
    teams_aad_id: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class RoleGrantRow(Base):
    __tablename__ = "role_grants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class QuestionSetRow(Base):
    __tablename__ = "question_sets"
    __table_args__ = (
        UniqueConstraint("tenant_id", "key", "version", name="uq_question_sets_key_version"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    document: Mapped[str] = mapped_column(Text)  # canonical YAML of this version, never edited
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class QuestionItemRow(Base):
    __tablename__ = "question_items"
    __table_args__ = (UniqueConstraint("set_id", "item_key", name="uq_question_items_set_item"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("question_sets.id", ondelete="CASCADE"))
    item_key: Mapped[str] = mapped_column(String(100))
    factor: Mapped[str] = mapped_column(String(64))
    anchor: Mapped[bool] = mapped_column(Boolean)
    sensitive: Mapped[bool] = mapped_column(Boolean)


class AuditRow(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, object]] = mapped_column(JSON)


class RoundRow(Base):
    __tablename__ = "rounds"
    __table_args__ = (UniqueConstraint("unit_id", "period", name="uq_rounds_unit_period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    period: Mapped[str] = mapped_column(String(32))
    plan_index: Mapped[int] = mapped_column(Integer)
    question_set_id: Mapped[int] = mapped_column(ForeignKey("question_sets.id"))
    status: Mapped[str] = mapped_column(String(16))
    thresholds: Mapped[dict[str, object]] = mapped_column(JSON)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closes_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    release_delay_hours: Mapped[int] = mapped_column(Integer)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    keys_shredded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Kept when the ledger is deleted at key shredding: only the count survives.
    respondents: Mapped[int | None] = mapped_column(Integer)


class RoundUnitRow(Base):
    """The unit tree as it was when the round opened: past rounds are never re-cut."""

    __tablename__ = "round_units"

    round_id: Mapped[int] = mapped_column(
        ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(Integer)


class RoundMemberRow(Base):
    """Membership snapshot: who was eligible, with which home unit. Says nothing about answers."""

    __tablename__ = "round_members"

    round_id: Mapped[int] = mapped_column(
        ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    home_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    answer_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))


class RoundItemRow(Base):
    """The items of a round: the same for every member of it (item-set uniformity)."""

    __tablename__ = "round_items"

    round_id: Mapped[int] = mapped_column(
        ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("question_items.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)


class AnswerRow(Base):
    """One answer to one item. Deliberately nothing else: no member, pseudonym, time or
    sequence. The random primary key clusters the table (WITHOUT ROWID on SQLite), and rows
    are rewritten in random order at close, so physical order says nothing either."""

    __tablename__ = "answers"
    __table_args__ = ({"sqlite_with_rowid": False},)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # Indexed: a release reads one round's rows (the index orders them by the random key,
    # so it keeps no trace of insertion order either).
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("question_items.id"))
    value: Mapped[int | None] = mapped_column(Integer)  # None: "prefer not to say"


class CommentRow(Base):
    """A free-text comment, in its own table so it is never next to the same person's scores."""

    __tablename__ = "comments"
    __table_args__ = ({"sqlite_with_rowid": False},)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    audience: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)


class LedgerRow(Base):
    """Who has answered, as HMAC pseudonyms only; deleted when the round's key is destroyed."""

    __tablename__ = "ledger"
    __table_args__ = ({"sqlite_with_rowid": False},)

    round_id: Mapped[int] = mapped_column(
        ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True
    )
    pseudonym: Mapped[str] = mapped_column(String(64), primary_key=True)


class ReleaseRow(Base):
    __tablename__ = "releases"

    round_id: Mapped[int] = mapped_column(
        ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True
    )
    document: Mapped[str] = mapped_column(Text)  # canonical JSON; never changes
    hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ContactRequestRow(Base):
    """ "I want to be contacted" after a sensitive answer: an identified request, stated as
    such to the person, with no link to any round or answer."""

    __tablename__ = "contact_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16))


metadata = Base.metadata

# slack_sdk's OAuth installation and state stores, defined on our metadata so that Alembic
# owns their tables like every other table.
SLACK_INSTALLATIONS = SQLAlchemyInstallationStore.build_installations_table(
    metadata, "slack_installations"
)
SLACK_BOTS = SQLAlchemyInstallationStore.build_bots_table(metadata, "slack_bots")
SLACK_OAUTH_STATES = SQLAlchemyOAuthStateStore.build_oauth_states_table(
    metadata, "slack_oauth_states"
)


class TeamsConversationRow(Base):
    """Where to reach a person on Teams: the Bot Framework conversation reference captured
    when the app was installed for them or they wrote to it. An address, nothing about
    answers; refreshed when Teams moves the conversation (another service URL)."""

    __tablename__ = "teams_conversations"
    __table_args__ = (
        UniqueConstraint("tenant_id", "aad_object_id", name="uq_teams_conversations_member"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    aad_object_id: Mapped[str] = mapped_column(String(64))
    reference: Mapped[dict[str, object]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TeamsChannelRow(Base):
    """A Teams channel the app is installed in (seen in the team's conversationUpdate or a
    message there): where a digest for that channel goes. An address and the names shown
    to the operator, nothing about people."""

    __tablename__ = "teams_channels"
    __table_args__ = (UniqueConstraint("tenant_id", "channel_id", name="uq_teams_channels"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    channel_id: Mapped[str] = mapped_column(String(256))
    team_id: Mapped[str] = mapped_column(String(256))
    team_name: Mapped[str | None] = mapped_column(String(256))
    channel_name: Mapped[str | None] = mapped_column(String(256))
    reference: Mapped[dict[str, object]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DeliveryRow(Base):
    """The outbox: one row per member, round and kind; unique, so a double fire or a second
    replica cannot create a second message."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("round_id", "member_id", "kind", name="uq_deliveries_round_member_kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    kind: Mapped[str] = mapped_column(String(16))
    platform: Mapped[str] = mapped_column(String(8))
    workspace: Mapped[str] = mapped_column(String(64))
    recipient: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(8))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    message_channel: Mapped[str | None] = mapped_column(String(64))
    message_id: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(String(64))


class DeliveryTallyRow(Base):
    """Outcomes of reminders, counted per round, workspace and status; no person in it."""

    __tablename__ = "delivery_tallies"

    round_id: Mapped[int] = mapped_column(
        ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True
    )
    workspace: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class UnitCadenceRow(Base):
    """A unit's own cadence (``Cadence.to_dict``); units without one inherit their parent's."""

    __tablename__ = "unit_cadences"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), unique=True)
    settings: Mapped[dict[str, object]] = mapped_column(JSON)


class UnitChannelRow(Base):
    """Where a unit's results go: its managers' channel (digest) or team channel (summary)."""

    __tablename__ = "unit_channels"
    __table_args__ = (UniqueConstraint("unit_id", "purpose"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(16))
    platform: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(255))


class ResultPostRow(Base):
    """The results outbox: one row per released round, unit, purpose and target (a channel
    or a leader's DM), claimed by one sender at a time like the delivery outbox."""

    __tablename__ = "result_posts"
    __table_args__ = (UniqueConstraint("round_id", "unit_id", "purpose", "target"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(255))  # "channel:<platform>:<id>" / "member:<id>"
    status: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    message_channel: Mapped[str | None] = mapped_column(String(64))
    message_id: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(String(64))


class SchedulerWorkerRow(Base):
    """One row per running ``tempcheck serve`` replica: whether it leads (sweeps), when it
    last swept and sent, and when it plans to next. Operational only; no person in it."""

    __tablename__ = "scheduler_workers"

    worker: Mapped[str] = mapped_column(String(96), primary_key=True)
    mode: Mapped[str] = mapped_column(String(16))
    is_leader: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    leader_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_sweep_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    next_sweep_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_send_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    next_send_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class WheelEntryRow(Base):
    """A manual entry of the annual wheel (safety round, AMU meeting, training, …); pulses
    and reviews are generated and not stored here."""

    __tablename__ = "wheel_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    day: Mapped[date] = mapped_column(Date, index=True)
    owner: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(500))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200))


class EvidenceRow(Base):
    """An entry of the evidence register: another source's finding, or a released cell
    (by reference: round, unit and factor; its value is read from the release, never copied)."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    factor: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(32))
    observed_on: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    recorded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AssessmentRow(Base):
    """A risk assessment of one factor in one unit."""

    __tablename__ = "risk_assessments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    factor: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text)
    likelihood: Mapped[int] = mapped_column(Integer)
    consequence: Mapped[int] = mapped_column(Integer)
    controls: Mapped[str] = mapped_column(Text)
    evidence_ids: Mapped[list[int]] = mapped_column(JSON)
    assessor_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    assessed_on: Mapped[date] = mapped_column(Date)
    next_review: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ConsultationRow(Base):
    """The consultation log: append-only (the repository offers no update or delete)."""

    __tablename__ = "consultations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[int | None] = mapped_column(Integer)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    consulted_as: Mapped[str] = mapped_column(String(32))
    consulted_on: Mapped[date] = mapped_column(Date)
    position: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class MeasureRow(Base):
    """A measure (tiltak)."""

    __tablename__ = "measures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("risk_assessments.id"))
    title: Mapped[str] = mapped_column(Text)
    factors: Mapped[list[str]] = mapped_column(JSON)
    root_cause: Mapped[str] = mapped_column(Text)
    level: Mapped[str] = mapped_column(String(16))
    owner_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    participants: Mapped[list[int]] = mapped_column(JSON)
    start_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    expected_effect: Mapped[str] = mapped_column(Text)
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class MeasureReminderRow(Base):
    """One overdue reminder per measure, day and person (makes the sweep idempotent)."""

    __tablename__ = "measure_reminders"
    __table_args__ = (UniqueConstraint("measure_id", "day", "member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    member_id: Mapped[int] = mapped_column(Integer)

"""The results outbox: one post per unit, audience and target; retried, reported, idempotent."""

from __future__ import annotations

from collections.abc import Sequence

from core.destinations import ChannelRef, Purpose
from core.messenger import DeliveryError, MessageRef, Platform
from core.posts import (
    Post,
    PostReport,
    PostTo,
    ResultMessage,
    materialise_posts,
    parse_target,
    post_due,
)
from tests.digest.conftest import Released
from tests.flow import advance


class RecordingPoster:
    """A remote platform that records posts and can fail the next ones."""

    def __init__(self) -> None:
        self.posts: list[tuple[PostTo, ResultMessage]] = []
        self.failures: list[DeliveryError] = []

    async def post_result(self, to: PostTo, message: ResultMessage) -> MessageRef:
        if self.failures:
            raise self.failures.pop(0)
        self.posts.append((to, message))
        return MessageRef("C1", str(len(self.posts)))


def render_for(released: Released):  # type: ignore[no-untyped-def]
    async def render(post: Post) -> tuple[PostTo, ResultMessage] | None:
        target = parse_target(post.target)
        if isinstance(target, ChannelRef):
            to = PostTo(target.platform, "T1", target, None)
        else:
            to = PostTo(Platform.SLACK, "T1", None, None)
        return to, ResultMessage(f"{post.unit_id}:{post.purpose}", None, "x.png", "chart", "en")

    return render


def _targets(rows: Sequence[tuple[PostTo, ResultMessage]]) -> list[str]:
    return sorted(m.text for _, m in rows)


async def test_materialise_once_per_unit_audience_and_target(released: Released) -> None:
    uows, org = released.uows, released.org
    units = org.unit_by_path()
    async with uows() as uow:
        await uow.organisation.set_channel(
            org.tenant.id,
            units["Acme/Sales"].id,
            Purpose.MANAGERS,
            ChannelRef(Platform.SLACK, "C0S"),
        )
        await uow.organisation.set_channel(
            org.tenant.id, units["Acme/Ops"].id, Purpose.TEAM, ChannelRef(Platform.SLACK, "C0T")
        )
        await uow.commit()
    now = released.clock.now()
    added = await materialise_posts(uows, released.round.id, now)
    # Digests: Acme (its leader), Ops (its leader), Sales (its channel); one team summary.
    assert added == 4
    assert await materialise_posts(uows, released.round.id, now) == 0
    poster = RecordingPoster()
    report = await post_due(
        uows, {Platform.SLACK: poster}, released.clock, render_for(released), worker="w"
    )
    assert report == PostReport(sent=4)
    assert _targets(poster.posts) == sorted(
        [
            f"{units['Acme'].id}:managers",
            f"{units['Acme/Ops'].id}:managers",
            f"{units['Acme/Sales'].id}:managers",
            f"{units['Acme/Ops'].id}:team",
        ]
    )
    again = await post_due(
        uows, {Platform.SLACK: poster}, released.clock, render_for(released), worker="w"
    )
    assert again == PostReport() and len(poster.posts) == 4
    async with uows() as uow:
        assert await uow.posts.counts() == {("managers", "sent"): 3, ("team", "sent"): 1}


async def test_transient_errors_retry_later_and_permanent_ones_are_reported(
    released: Released,
) -> None:
    uows, clock = released.uows, released.clock
    # Acme's and Ops' leaders; Sales has none, so Acme's leader reads its digest too.
    assert await materialise_posts(uows, released.round.id, clock.now()) == 3
    poster = RecordingPoster()
    poster.failures = [
        DeliveryError("ratelimited", permanent=False, retry_after=30),
        DeliveryError("channel_not_found", permanent=True),
    ]
    first = await post_due(uows, {Platform.SLACK: poster}, clock, render_for(released), worker="w")
    assert first == PostReport(sent=1, retried=1, failed=1)
    assert (
        await post_due(uows, {Platform.SLACK: poster}, clock, render_for(released), worker="w")
        == PostReport()
    )  # the retry is not due yet
    advance(clock, seconds=31)
    second = await post_due(uows, {Platform.SLACK: poster}, clock, render_for(released), worker="w")
    assert second == PostReport(sent=1)
    async with uows() as uow:
        assert await uow.posts.counts() == {
            ("managers", "sent"): 2,
            ("managers", "unreachable"): 1,
        }


async def test_nothing_to_say_is_recorded_as_skipped(released: Released) -> None:
    uows, clock = released.uows, released.clock
    await materialise_posts(uows, released.round.id, clock.now())

    async def nothing(post: Post) -> None:
        return None

    report = await post_due(uows, {}, clock, nothing, worker="w")
    assert report == PostReport(skipped=3)
    async with uows() as uow:
        assert await uow.posts.counts() == {("managers", "skipped"): 3}


async def test_a_claim_left_by_a_dead_sender_is_taken_again_after_the_lease(
    released: Released,
) -> None:
    uows, clock = released.uows, released.clock
    await materialise_posts(uows, released.round.id, clock.now())
    async with uows() as uow:
        assert len(await uow.posts.claim(clock.now(), clock.now(), 10, "dead")) == 3
        await uow.commit()
    poster = RecordingPoster()
    assert (
        await post_due(uows, {Platform.SLACK: poster}, clock, render_for(released), worker="w")
        == PostReport()
    )
    advance(clock, minutes=6)
    assert await post_due(
        uows, {Platform.SLACK: poster}, clock, render_for(released), worker="w"
    ) == PostReport(sent=3)


async def test_a_weeks_digests_in_one_batch(released: Released) -> None:
    from core.digest_service import week_digests

    digests = await week_digests(released.uows, released.clock, released.round.id)
    by_unit = {d.unit: d for d in digests}
    assert set(by_unit) == {"Acme", "Acme/Ops", "Acme/Sales"}
    assert by_unit["Acme/Sales"].withheld and not by_unit["Acme/Ops"].withheld
    async with released.uows() as uow:
        actions = [e.action for e in await uow.audit.entries(released.org.tenant.id)]
    assert actions.count("digest.read") == 3


async def test_open_measures_appear_in_the_units_digest(released: Released) -> None:
    from datetime import timedelta

    from core.digest import markdown
    from core.digest_service import week_digests
    from core.followup import MeasureFields, MeasureLevel, MeasureStatus

    org, clock = released.org, released.clock
    ops = org.unit_by_path()["Acme/Ops"].id
    owner = next(m for m in org.members if m.home_unit_id == ops)
    today = clock.now().date()

    def measure(title: str, status: MeasureStatus, due_days: int) -> MeasureFields:
        return MeasureFields(
            title=title, factors=("workload",), unit_id=ops, assessment_id=None,
            root_cause="too many parallel tasks", level=MeasureLevel.GROUP,
            owner_id=owner.id, participants=(), start_on=today,
            due_on=today + timedelta(days=due_days), status=status,
            expected_effect="fewer late evenings",
        )  # fmt: skip

    async with released.uows() as uow:
        for title, status, due in (
            ("Weekly priority meeting", MeasureStatus.IN_PROGRESS, 30),
            ("Fix the rota", MeasureStatus.PLANNED, 10),
            ("Old idea", MeasureStatus.CANCELLED, 5),
            ("Done already", MeasureStatus.DONE, 1),
        ):
            await uow.followup.add_measure(
                org.tenant.id, measure(title, status, due), "t", clock.now()
            )
        await uow.commit()
    by_unit = {d.unit: d for d in await week_digests(released.uows, clock, released.round.id)}
    ops_digest = by_unit["Acme/Ops"]
    assert [m.split(" (")[0] for m in ops_digest.measures] == [
        "Fix the rota",
        "Weekly priority meeting",
    ]
    assert "Åpne tiltak" in markdown(ops_digest) or "Open measures" in markdown(ops_digest)
    assert by_unit["Acme/Sales"].measures == ()

"""Simulated pulse rounds through the real release engine, to measure the change-flag rule.

The model (docs/results.md, "Simulation"): an organisation of teams under one top unit; each
team keeps its people from round to round (membership is snapshotted per round, people do not
change between weeks). Person i of a team has a stable level a_i ~ N(μ_team, τ) on the 1..5
answer scale, and answers round(a_i + e) clamped to 1..5 with fresh e ~ N(0, ε) each round;
μ_team ~ N(μ_factor, 0.3). A "drop" lowers μ_team by the amount that moves the team's expected
score by exactly ``DROP`` points. Releases are built by ``core.anonymity.release.build_release``
and read back only through ``core.trend.factor_series`` (display strings, n bands).

Run ``python -m tests.unit.results.simulation`` for the figures in docs/results.md.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from core.anonymity.release import MetricInput, Release, ReleaseInput, UnitNode, build_release
from core.flags import Direction
from core.scores import cumulative_priors
from core.trend import factor_series

SEED = 20260107
TAU = 0.7  # between-person SD on the 1..5 scale
EPS = 0.6  # within-person, round-to-round SD
TEAM_SD = 0.3
FACTORS = {"workload": 3.4, "leadership": 3.9}
DROP = 20
SIZES = tuple(range(8, 21))
PEERS = (8, 12, 16, 20)


def _phi(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2))


def expected_score(mu: float) -> float:
    """Expected 0-100 score of one answer when the latent level is N(mu, √(τ²+ε²))."""
    sd = math.hypot(TAU, EPS)
    total = 0.0
    for k in range(1, 6):
        lo = -math.inf if k == 1 else (k - 0.5 - mu) / sd
        hi = math.inf if k == 5 else (k + 0.5 - mu) / sd
        total += (k - 1) * 25 * (_phi(hi) - _phi(lo))
    return total


def shift_for_drop(mu: float, drop: float = DROP) -> float:
    """The latent shift that lowers the expected score by ``drop`` points (bisection)."""
    target = expected_score(mu) - drop
    lo, hi = 0.0, 4.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if expected_score(mu - mid) > target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


@dataclass
class Team:
    unit: str
    levels: dict[str, list[float]]  # factor -> personal levels
    shift: dict[str, float]  # factor -> current latent shift (0, or minus a drop)
    participation: float

    def answers(self, rng: random.Random, factor: str) -> tuple[int, ...]:
        out = []
        for level in self.levels[factor]:
            if rng.random() >= self.participation:
                continue
            value = round(level + self.shift[factor] + rng.gauss(0, EPS))
            out.append(min(5, max(1, value)))
        return tuple(sorted(out))


def make_teams(
    rng: random.Random, sizes: Sequence[int], participation: float = 1.0, prefix: str = "t"
) -> list[Team]:
    teams = []
    for i, size in enumerate(sizes):
        levels = {}
        for factor, mu in FACTORS.items():
            team_mu = rng.gauss(mu, TEAM_SD)
            levels[factor] = [rng.gauss(team_mu, TAU) for _ in range(size)]
        teams.append(Team(f"{prefix}{i}", levels, dict.fromkeys(FACTORS, 0.0), participation))
    return teams


def release(rng: random.Random, round_id: str, team: Team) -> Release:
    """One team's round: rounds are per unit, so a tenant's history is the teams' releases."""
    metrics = tuple(
        MetricInput(factor, False, {team.unit: team.answers(rng, factor)}) for factor in FACTORS
    )
    return build_release(
        ReleaseInput(
            round_id=f"{round_id}.{team.unit}",
            units=(UnitNode(team.unit, None),),
            eligible={team.unit: len(team.levels[next(iter(FACTORS))])},
            respondents={team.unit: max(len(m.values[team.unit]) for m in metrics)},
            metrics=metrics,
        )
    )


def week(rng: random.Random, round_id: str, teams: Sequence[Team]) -> list[Release]:
    return [release(rng, round_id, team) for team in teams]


@dataclass
class Rates:
    flags: int = 0
    chances: int = 0

    @property
    def rate(self) -> float:
        return self.flags / self.chances if self.chances else 0.0


def false_alarms(
    orgs: int, rounds: int, participation: float = 1.0, seed: int = SEED
) -> dict[tuple[str, int], Rates]:
    """Flags per (factor, team size) when nothing changes; a chance is a point with 3 before."""
    rng = random.Random(seed)
    out: dict[tuple[str, int], Rates] = {}
    for _ in range(orgs):
        teams = make_teams(rng, SIZES, participation)
        history = [rel for r in range(rounds) for rel in week(rng, str(r), teams)]
        priors = cumulative_priors(history)
        for team, size in zip(teams, SIZES, strict=True):
            for factor in FACTORS:
                series = factor_series(history, team.unit, factor, priors)
                rates = out.setdefault((factor, size), Rates())
                published = 0
                for point in series:
                    if point.observation is None:
                        continue
                    if published >= 3:
                        rates.chances += 1
                        rates.flags += point.flag is not None
                    published += 1
    return out


def detections(
    reps: int, size: int = 8, participation: float = 1.0, seed: int = SEED
) -> tuple[Rates, Rates]:
    """(worsening flagged in the round of a 20-point drop, then also sustained the round after).

    Each repetition is an organisation where one team of ``size`` drops after 3 stable rounds;
    the others (``PEERS``, the same for every repetition) stay as they are and feed the
    organisation prior.
    """
    rng = random.Random(seed)
    peers = make_teams(rng, PEERS, participation)
    peer_weeks = [week(rng, str(r), peers) for r in range(5)]
    found, sustained = Rates(), Rates()
    for _ in range(reps):
        target = make_teams(rng, (size,), participation, prefix="target")[0]
        mine = [release(rng, str(r), target) for r in range(3)]
        for factor in FACTORS:
            levels = target.levels[factor]
            target.shift[factor] = -shift_for_drop(sum(levels) / len(levels))
        mine += [release(rng, str(r), target) for r in (3, 4)]
        history = [rel for r in range(5) for rel in (*peer_weeks[r], mine[r])]
        priors = cumulative_priors(history)
        for factor in FACTORS:
            series = factor_series(history, target.unit, factor, priors)
            if len(series) < 5 or any(p.observation is None for p in series):
                continue  # a suppressed round (possible below 100 % participation)
            found.chances += 1
            flag = series[3].flag
            found.flags += flag is not None and flag.direction is Direction.WORSENING
            after = series[4].flag
            sustained.chances += 1
            sustained.flags += after is not None and after.sustained
    return found, sustained


def report(participation: float) -> None:  # pragma: no cover - figures for docs/results.md
    fa = false_alarms(40, 24, participation)
    worst = max(fa.items(), key=lambda kv: kv[1].rate)
    total = Rates(sum(r.flags for r in fa.values()), sum(r.chances for r in fa.values()))
    print(f"  false alarms: overall {total.rate:.2%} of {total.chances}")
    print(f"  worst (factor, size) {worst[0]}: {worst[1].rate:.2%} of {worst[1].chances}")
    for size in (8, 12, 20):
        found, sustained = detections(1000, size, participation)
        print(
            f"  drop of {DROP} at size {size}: detected {found.rate:.1%} of {found.chances}, "
            f"sustained next round {sustained.rate:.1%}"
        )


def main() -> None:  # pragma: no cover
    global TAU, EPS
    for participation in (1.0, 0.8):
        print(f"model: tau {TAU}, eps {EPS}, participation {participation:.0%}")
        report(participation)
    TAU, EPS = 0.0, math.hypot(TAU, EPS)
    print(f"stress model (no stable personal level): tau {TAU}, eps {EPS:.2f}, participation 100%")
    report(1.0)


if __name__ == "__main__":  # pragma: no cover
    main()

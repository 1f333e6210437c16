"""How the winning projects of one budget heading are chosen, step by step.

Two rules, both chosen before a ballot opens and both explained to residents one step at a time:

- ``greedy_by_votes``: the project with the most votes first, then the next, skipping any
  project that no longer fits the money that is left.
- ``equal_shares``: the Method of Equal Shares (Peters and Skowron) with cost satisfaction. The
  heading's money is split equally among its voters; a project is bought by its own supporters
  out of their shares, and the project that asks the least of each supporter (per baht of the
  project) goes first. It is completed as equalshares.net and pabutools do: the voters' shares
  are raised one baht at a time while the outcome still fits the money and is not exhaustive,
  then projects that still fit are added by votes.

Ballots are approval sets (a knapsack ballot is the set of projects ticked). All money is
exact (``fractions.Fraction``): a tie must not depend on rounding. Voters with the same ballot
are counted together, which is what keeps a 10,000-ballot heading quick.

Ties are broken the same way in both rules and in every step: more votes first, then the lower
cost, then the order the projects were listed in (their ``order``).
"""

import math
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction


class ElectionError(ValueError):
    """The election cannot be counted as given (a ballot names an unknown project, ...)."""


@dataclass(frozen=True)
class Project:
    key: object  # what the caller knows the project by (an id)
    cost: int  # whole baht
    order: int = 0  # the position it was listed in: the last tie-break

    def __post_init__(self):
        if self.cost < 0:
            raise ElectionError(f"project {self.key!r} has a negative cost")


@dataclass
class Step:
    """One line of the explanation: a project chosen or passed over, and what was left."""

    key: object
    action: str  # "chosen", "skipped" (did not fit), "completed" (chosen by the completion)
    votes: int
    cost: int
    left: Fraction  # money left in the heading after this step
    # Equal shares only: the most any one supporter paid for this project, and how many
    # supporters paid it (the others gave all they had left).
    share: Fraction | None = None
    full_payers: int | None = None


@dataclass
class Outcome:
    rule: str
    budget: int
    chosen: list = field(default_factory=list)  # keys, in the order chosen
    steps: list = field(default_factory=list)
    voter_share: Fraction | None = None  # equal shares: each voter's share in the end

    @property
    def spent(self):
        return sum(step.cost for step in self.steps if step.action != "skipped")


def _prepare(projects, ballots):
    by_key = {}
    for project in projects:
        if project.key in by_key:
            raise ElectionError(f"project {project.key!r} is listed twice")
        by_key[project.key] = project
    groups = Counter()
    for ballot in ballots:
        chosen = frozenset(ballot)
        unknown = chosen - by_key.keys()
        if unknown:
            raise ElectionError(f"a ballot names unknown projects: {sorted(map(str, unknown))}")
        groups[chosen] += 1
    votes = Counter()
    for ballot, count in groups.items():
        for key in ballot:
            votes[key] += count
    return by_key, groups, votes


def _tie_order(project, votes):
    return (-votes[project.key], project.cost, project.order)


def greedy_by_votes(projects, ballots, budget):
    """The most-voted project first; a project that no longer fits is skipped, the next tried."""
    by_key, _groups, votes = _prepare(projects, ballots)
    outcome = Outcome("greedy", budget)
    left = Fraction(budget)
    for project in sorted(by_key.values(), key=lambda p: _tie_order(p, votes)):
        if votes[project.key] == 0:
            continue  # nobody asked for it
        if project.cost <= left:
            left -= project.cost
            outcome.chosen.append(project.key)
            step = Step(project.key, "chosen", votes[project.key], project.cost, left)
            outcome.steps.append(step)
        else:
            outcome.steps.append(
                Step(project.key, "skipped", votes[project.key], project.cost, left)
            )
    return outcome


def equal_shares(projects, ballots, budget, *, increment=1, complete=True):
    """The Method of Equal Shares, raised one baht per voter at a time, then completed by votes.

    ``increment=None`` runs the plain method once, with the heading's own money.

    Raising the shares one baht at a time can take thousands of runs (a heading of 500 voters
    and 5,000,000 baht starts from shares of 10,000 baht). Each run therefore also works out
    how far the shares could rise before any of its decisions would change (every quantity in
    a run is a linear function of the raise, see ``_Horizon``), and the raises in between,
    which would give the same outcome, are skipped. The outcome is the one-baht-at-a-time
    outcome: tests/budgets compares the two on random elections.
    """
    by_key, groups, votes = _prepare(projects, ballots)
    voters = sum(groups.values())
    outcome = Outcome("equal_shares", budget)
    if voters == 0:
        return outcome
    share = Fraction(budget, voters)
    steps, horizon = _equal_shares_once(by_key, groups, votes, share, increment)
    if increment:
        while not _exhaustive(by_key, votes, steps, budget):
            if horizon is None:  # no raise would change anything
                break
            jump = max(1, math.ceil(horizon))  # the first raise that may change the outcome
            raised = share + jump * increment
            candidate, next_horizon = _equal_shares_once(by_key, groups, votes, raised, increment)
            if sum(step.cost for step in candidate) > budget:
                share += (jump - 1) * increment  # the last raise with the same outcome
                break
            share, steps, horizon = raised, candidate, next_horizon
    outcome.voter_share = share
    left = Fraction(budget)
    for step in steps:
        left -= step.cost
        step.left = left
        outcome.chosen.append(step.key)
        outcome.steps.append(step)
    if complete:
        chosen = set(outcome.chosen)
        rest = [p for p in by_key.values() if p.key not in chosen and votes[p.key]]
        for project in sorted(rest, key=lambda p: _tie_order(p, votes)):
            if project.cost <= left:
                left -= project.cost
                outcome.chosen.append(project.key)
                outcome.steps.append(
                    Step(project.key, "completed", votes[project.key], project.cost, left)
                )
    return outcome


def _exhaustive(by_key, votes, steps, budget):
    """No project someone voted for could still be added without going over the money."""
    chosen = {step.key for step in steps}
    spent = sum(step.cost for step in steps)
    return all(
        key in chosen or spent + project.cost > budget
        for key, project in by_key.items()
        if votes[key]
    )


class _Horizon:
    """How far the shares may rise (``t`` increments per voter) before a decision of the run
    could turn out otherwise.

    Every amount in a run is ``value + slope * t``: the purses start at ``share + t`` and each
    payment is such a line too. A decision compares an amount with zero; ``keep`` notes the
    first ``t > 0`` at which the comparison could give the other answer. Where it might flip
    exactly at ``t``, the run at ``t`` is done again rather than assumed.
    """

    def __init__(self):
        self.until = None  # None: no decision ever changes

    def keep(self, value, slope, strict):
        """A decision ``value > 0`` (``strict``) or ``value >= 0`` was taken at t = 0."""
        if not slope:
            return
        holds = value > 0 if strict else value >= 0
        root = -value / slope
        if root > 0:
            self._at(root)
        elif root == 0 and (slope > 0) != holds:
            self._at(Fraction(0))

    def _at(self, t):
        if self.until is None or t < self.until:
            self.until = t


def _equal_shares_once(by_key, groups, votes, share, increment=None):
    """One run of the method with every voter starting from ``share``; returns its steps and
    how far the shares may rise with the same decisions (None: as far as one likes; only
    worked out when ``increment`` is given).

    Each group of identical ballots keeps one purse per voter (they always pay alike). With
    cost satisfaction a supporter's payment for project c is at most ``rho * cost(c)``; the
    project with the smallest ``rho`` that its supporters can afford is bought next.
    """
    horizon = _Horizon()
    unit = Fraction(increment or 0)
    # purse: (value, slope per raise)
    purse = {ballot: (share, unit) for ballot in groups}
    backers = {key: [] for key in by_key}
    for ballot in groups:
        for key in ballot:
            backers[key].append(ballot)
    # Smallest rho seen for each project so far: rho never falls as purses empty, so a project
    # whose last rho is already worse than the best of this round need not be worked out again.
    last_rho = {key: (Fraction(0), Fraction(0)) for key, p in by_key.items()
                if votes[key] and p.cost > 0}  # fmt: skip
    steps = []
    free = [p for p in by_key.values() if p.cost == 0 and votes[p.key]]
    for project in sorted(free, key=lambda p: _tie_order(p, votes)):
        steps.append(Step(project.key, "chosen", votes[project.key], 0, Fraction(0), Fraction(0)))
    while last_rho:
        evaluated, pruned = {}, []
        best_rho = None
        for key in sorted(last_rho, key=lambda k: last_rho[k]):
            if best_rho is not None and last_rho[key][0] > best_rho[0]:
                pruned.append(key)
                continue
            rho = _smallest_rho(by_key[key].cost, backers[key], groups, purse, horizon)
            if rho is None:  # its supporters can no longer pay for it
                del last_rho[key]
                continue
            last_rho[key] = evaluated[key] = rho
            if best_rho is None or rho[0] < best_rho[0]:
                best_rho = rho
        if not evaluated:
            break
        best = [key for key, rho in evaluated.items() if rho[0] == best_rho[0]]
        project = min((by_key[key] for key in best), key=lambda p: _tie_order(p, votes))
        best_rho = evaluated[project.key]
        for key, rho in evaluated.items():  # the winner of the round stays the winner
            if key != project.key:
                horizon.keep(rho[0] - best_rho[0], rho[1] - best_rho[1], strict=False)
        for key in pruned:  # and those not worked out again stay behind it
            if key in last_rho:
                rho = last_rho[key]
                horizon.keep(rho[0] - best_rho[0], rho[1] - best_rho[1], strict=True)
        del last_rho[project.key]
        cap = (best_rho[0] * project.cost, best_rho[1] * project.cost)
        full_payers = 0
        for ballot in backers[project.key]:
            value, slope = purse[ballot]
            horizon.keep(value - cap[0], slope - cap[1], strict=True)
            if value > cap[0]:
                purse[ballot] = (value - cap[0], slope - cap[1])
                full_payers += groups[ballot]
            else:
                purse[ballot] = (Fraction(0), Fraction(0))
        steps.append(
            Step(
                project.key,
                "chosen",
                votes[project.key],
                project.cost,
                Fraction(0),
                cap[0],
                full_payers,
            )  # fmt: skip
        )
    return steps, horizon.until


def _smallest_rho(cost, backing, groups, purse, horizon):
    """The least ``rho`` with sum over supporters of min(purse, rho * cost) equal to the cost,
    as (value, slope); None when the supporters together cannot pay."""
    total = sum(purse[ballot][0] * groups[ballot] for ballot in backing)
    total_slope = sum(purse[ballot][1] * groups[ballot] for ballot in backing)
    horizon.keep(total - cost, total_slope, strict=False)
    if total < cost:
        return None
    ordered = sorted(backing, key=lambda b: purse[b])
    paid, paid_slope = Fraction(0), Fraction(0)
    # Every supporter's satisfaction is the project's cost, so "remaining utility" is the
    # number of supporters who have not yet given all they have, times the cost.
    remaining = sum(groups[ballot] for ballot in backing)
    for index, ballot in enumerate(ordered):
        value, slope = purse[ballot]
        cap, cap_slope = (cost - paid) / remaining, -paid_slope / remaining
        if cap <= value:
            # The cap depends only on who gives everything: it stays right while those give
            # less than the cap and the others at least the cap (the order among them is free).
            for lower in ordered[:index]:
                horizon.keep(cap - purse[lower][0], cap_slope - purse[lower][1], strict=True)
            for higher in ordered[index:]:
                horizon.keep(purse[higher][0] - cap, purse[higher][1] - cap_slope, strict=False)
            return cap / cost, cap_slope / cost
        paid += value * groups[ballot]
        paid_slope += slope * groups[ballot]
        remaining -= groups[ballot]
    return None  # unreachable: the purses together cover the cost

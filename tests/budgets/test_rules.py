"""Choosing a heading's winning projects: greedy by votes and the Method of Equal Shares."""

import random
from fractions import Fraction

import pytest

from participation.budgets import pabulib
from participation.budgets.rules import (
    ElectionError,
    Project,
    equal_shares,
    greedy_by_votes,
)


def test_greedy_takes_the_most_voted_first_and_skips_a_project_that_no_longer_fits():
    projects = [Project("road", 350_000), Project("lights", 200_000), Project("garden", 150_000)]
    ballots = [{"road"}] * 412 + [{"lights"}] * 300 + [{"garden"}] * 100

    outcome = greedy_by_votes(projects, ballots, 500_000)

    assert outcome.chosen == ["road", "garden"]
    assert [(s.key, s.action, s.votes, s.left) for s in outcome.steps] == [
        ("road", "chosen", 412, 150_000),
        ("lights", "skipped", 300, 150_000),
        ("garden", "chosen", 100, 0),
    ]
    assert outcome.spent == 500_000


def test_a_majority_cannot_take_the_whole_budget_under_equal_shares():
    # 60 residents want three projects for one part of the community, 40 want one for theirs.
    projects = [Project("north-1", 100, 1), Project("north-2", 100, 2), Project("north-3", 100, 3),
                Project("south", 100, 4)]  # fmt: skip
    ballots = [{"north-1", "north-2", "north-3"}] * 60 + [{"south"}] * 40

    assert greedy_by_votes(projects, ballots, 300).chosen == ["north-1", "north-2", "north-3"]

    plain = equal_shares(projects, ballots, 300, increment=None, complete=False)
    assert plain.chosen == ["north-1", "south"]  # shares of 3: the majority affords one only
    assert plain.voter_share == 3

    completed = equal_shares(projects, ballots, 300)
    assert completed.chosen == ["north-1", "north-2", "south"]  # shares raised to 4
    assert completed.voter_share == 4
    assert completed.spent == 300
    first = completed.steps[0]
    assert (first.share, first.full_payers) == (Fraction(100, 60), 60)


def test_completion_adds_by_votes_what_still_fits():
    projects = [Project("a", 90), Project("b", 60), Project("c", 10)]
    # Two voters with 50 baht each: "a" (90) is beyond its one supporter, "c" (10) is bought.
    outcome = equal_shares(projects, [{"a"}, {"c"}], 100, increment=None)
    assert [(s.key, s.action, s.left) for s in outcome.steps] == [
        ("c", "chosen", 90),
        ("a", "completed", 0),  # the completion spends what is left by votes
    ]
    assert "b" not in outcome.chosen  # nobody voted for it


def test_ties_go_to_more_votes_then_the_cheaper_then_the_first_listed():
    projects = [Project("late", 50, 2), Project("early", 50, 1), Project("cheap", 40, 3)]
    ballots = [{"late", "early", "cheap"}]
    assert greedy_by_votes(projects, ballots, 90).chosen == ["cheap", "early"]
    assert greedy_by_votes(projects[:2], [{"late", "early"}], 50).chosen == ["early"]
    assert greedy_by_votes(projects, [{"late"}, {"late", "cheap"}], 90).chosen == ["late", "cheap"]


def test_a_ballot_naming_an_unknown_project_is_refused():
    with pytest.raises(ElectionError):
        greedy_by_votes([Project("a", 10)], [{"a", "z"}], 10)
    with pytest.raises(ElectionError):
        equal_shares([Project("a", 10), Project("a", 20)], [{"a"}], 10)


def test_nobody_voted_means_nothing_is_chosen():
    assert equal_shares([Project("a", 10)], [], 100).chosen == []
    assert greedy_by_votes([Project("a", 10)], [set()], 100).chosen == []


def _reference_equal_shares(projects, ballots, budget, increment):
    """A plain, slow reading of the method: one purse per voter, every project every round."""
    ballots = [frozenset(b) for b in ballots]
    votes = {p.key: sum(p.key in b for b in ballots) for p in projects}

    def once(share):
        purse = [Fraction(share)] * len(ballots)
        chosen = []
        while True:
            options = []
            for p in projects:
                if p.key in chosen or not votes[p.key]:
                    continue
                backers = [i for i, b in enumerate(ballots) if p.key in b]
                if p.cost == 0:
                    options.append((Fraction(0), p))
                    continue
                if sum(purse[i] for i in backers) < p.cost:
                    continue
                # the least payment cap: try each backer's purse as the point where caps bind
                paid, left = Fraction(0), len(backers)
                for i in sorted(backers, key=lambda i: purse[i]):
                    cap = (p.cost - paid) / left
                    if cap <= purse[i]:
                        break
                    paid += purse[i]
                    left -= 1
                options.append((cap / p.cost, p))
            if not options:
                return chosen
            rho, best = min(options, key=lambda o: (o[0], -votes[o[1].key], o[1].cost, o[1].order))
            for i, b in enumerate(ballots):
                if best.key in b:
                    purse[i] -= min(purse[i], rho * best.cost)
            chosen.append(best.key)

    def cost(keys):
        return sum(p.cost for p in projects if p.key in keys)

    share = Fraction(budget, len(ballots))
    chosen = once(share)
    while increment and any(
        p.key not in chosen and votes[p.key] and cost(chosen) + p.cost <= budget for p in projects
    ):
        raised = once(share + increment)
        if cost(raised) > budget:
            break
        share, chosen = share + increment, raised
    return chosen


@pytest.mark.parametrize("seed", range(40))
def test_equal_shares_agrees_with_a_plain_reading_of_the_method_on_random_elections(seed):
    rng = random.Random(seed)
    projects = [Project(f"p{i}", rng.choice([0, 5, 10, 20, 30, 45, 60, 90]), i) for i in range(8)]
    keys = [p.key for p in projects]
    ballots = [set(rng.sample(keys, rng.randint(0, 4))) for _ in range(rng.randint(1, 30))]
    budget = rng.choice([50, 100, 150, 200])
    knapsack = seed % 2  # every other election: ballots that fit the money, as a knapsack ballot
    if knapsack:
        ballots = [_fit(b, projects, budget) for b in ballots]

    for increment in (None, 1):
        fast = equal_shares(projects, ballots, budget, increment=increment, complete=False)
        assert fast.chosen == _reference_equal_shares(projects, ballots, budget, increment)
        assert fast.spent <= budget

    completed = equal_shares(projects, ballots, budget)
    voted = {key for ballot in ballots for key in ballot}
    left = budget - completed.spent
    assert left >= 0
    # Exhaustive: every voted project left out costs more than the money left.
    assert all(p.cost > left for p in projects if p.key in voted - set(completed.chosen))

    greedy = greedy_by_votes(projects, ballots, budget)
    assert greedy.spent <= budget
    left_out = voted - set(greedy.chosen)
    assert all(p.cost > budget - greedy.spent for p in projects if p.key in left_out)


def _fit(ballot, projects, budget):
    cost = {p.key: p.cost for p in projects}
    kept, total = set(), 0
    for key in sorted(ballot):
        if total + cost[key] <= budget:
            kept.add(key)
            total += cost[key]
    return kept


def test_ballots_go_out_as_a_pabulib_file_and_read_back():
    projects = [
        {"project_id": 1, "cost": 350_000, "votes": 2, "name": "ไฟส่องสว่าง; ซอย 3", "selected": 1},
        {"project_id": 2, "cost": 200_000, "votes": 1, "name": "สวน\nชุมชน", "selected": 0},
    ]
    text = pabulib.write(
        [("description", "งบประมาณแบบมีส่วนร่วม ชุมชนแม่เหียะ"), ("country", "Thailand"),
         ("budget", 500_000), ("vote_type", "approval"), ("rule", "greedy")],
        projects, [[2, 1], [1]],
    )  # fmt: skip

    meta, rows, votes = pabulib.read(text)

    assert (meta["budget"], meta["num_votes"], meta["num_projects"]) == ("500000", "2", "2")
    assert [row["name"] for row in rows] == ["ไฟส่องสว่าง; ซอย 3", "สวน ชุมชน"]
    assert [row["selected"] for row in rows] == ["1", "0"]
    assert [row["vote"] for row in votes] == ["1,2", "1"]
    assert [row["voter_id"] for row in votes] == ["1", "2"]


def test_a_file_without_its_sections_is_refused():
    with pytest.raises(pabulib.PabulibError):
        pabulib.read("key;value\nbudget;10\n")
    with pytest.raises(pabulib.PabulibError):
        pabulib.read("META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost\n")


@pytest.mark.parametrize("seed", range(30))
def test_skipping_raises_that_change_nothing_gives_the_one_baht_at_a_time_outcome(seed):
    # Money in thousands of baht and shares far above one baht: the runs in between skipped.
    rng = random.Random(1000 + seed)
    projects = [Project(f"p{i}", rng.randrange(1_000, 9_000, 250), i) for i in range(7)]
    keys = [p.key for p in projects]
    weights = [rng.random() + 0.05 for _ in keys]
    ballots = [set(rng.choices(keys, weights=weights, k=rng.randint(1, 3)))
               for _ in range(rng.randint(3, 25))]  # fmt: skip
    budget = rng.randrange(8_000, 20_000, 500)

    fast = equal_shares(projects, ballots, budget, complete=False)

    assert fast.chosen == _reference_equal_shares(projects, ballots, budget, 1)

"""Ballots of a participatory budget: cast, changed, refused, on paper keyed twice, counted."""

from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from participation.core.rules import RuleError


@pytest.fixture
def budget(app, create_process, municipality):
    """A budget in review: the north community's heading (500,000 baht) with four projects,
    one of them found not feasible."""
    from participation.budgets import operations
    from participation.extensions import db
    from participation.processes.models import Process

    def make(style="approval", max_choices=2, min_spend_percent=0, rule="greedy", open_=True):
        process = create_process("reimagine")
        with app.app_context():
            budget = operations.create_budget(
                db.session.get(Process, process.id), "งบประมาณชุมชน 2570", style=style,
                max_choices=max_choices, min_spend_percent=min_spend_percent, rule=rule,
            )  # fmt: skip
            heading = operations.add_heading(budget, "ชุมชนเหนือ", 500_000, municipality[0].id)
            costs = {"ไฟส่องสว่าง": 350_000, "ลานกีฬา": 200_000, "สวนหย่อม": 150_000}
            projects = {}
            for title, cost in costs.items():
                project = operations.add_project(heading, title)
                operations.review_project(project, feasible=True, cost=cost)
                projects[title] = project.id
            rejected = operations.add_project(heading, "สะพานลอย")
            operations.review_project(rejected, feasible=False, reason="ไม่ใช่อำนาจของเทศบาล")
            if open_:
                operations.open_ballot(budget)
            db.session.commit()
            made = SimpleNamespace(id=budget.id, heading_id=heading.id, projects=projects,
                                   rejected=rejected.id, process=process)  # fmt: skip
            db.session.remove()
        return made

    return make


def _do(app, action, *args, **kwargs):
    """Run an operation on fresh objects in its own transaction; commit if it succeeds."""
    from participation.accounts.models import User
    from participation.budgets.models import Budget, Heading
    from participation.core.transactions import writing
    from participation.extensions import db

    with app.app_context(), writing():  # as a POST request would
        loaded = []
        for arg in args:
            if isinstance(arg, SimpleNamespace) and hasattr(arg, "heading_id"):
                arg = db.session.get(Heading, arg.heading_id)
            elif isinstance(arg, SimpleNamespace) and hasattr(arg, "budget_id"):
                arg = db.session.get(Budget, arg.budget_id)
            elif hasattr(arg, "email"):
                arg = db.session.get(User, arg.id)
            loaded.append(arg)
        try:
            result = action(*loaded, **kwargs)
            db.session.commit()
            return result
        except Exception:
            db.session.rollback()
            raise
        finally:
            db.session.remove()


def _choices(app, budget, voter):
    from participation.budgets.models import Ballot, BallotChoice
    from participation.extensions import db

    with app.app_context():
        rows = db.session.execute(
            sa.select(Ballot.channel, BallotChoice.project_id)
            .join(BallotChoice, BallotChoice.ballot_id == Ballot.id)
            .where(Ballot.heading_id == budget.heading_id, Ballot.voter_id == voter.id)
        ).all()
        db.session.remove()
    return {channel for channel, _ in rows}, {project for _, project in rows}


def test_a_resident_votes_changes_their_ballot_and_the_last_one_counts(app, budget, resident):
    from participation.budgets import operations

    b = budget()
    first = _do(app, lambda h, u: operations.cast_ballot(h, u, [b.projects["ไฟส่องสว่าง"]]).receipt,
                b, resident)  # fmt: skip
    second = _do(app, lambda h, u: operations.cast_ballot(
        h, u, [b.projects["ลานกีฬา"], b.projects["สวนหย่อม"]]).receipt, b, resident)  # fmt: skip

    assert first == second  # one ballot, one receipt
    assert len(first) == operations.RECEIPT_LENGTH
    assert _choices(app, b, resident) == ({"online"}, {b.projects["ลานกีฬา"], b.projects["สวนหย่อม"]})


@pytest.mark.parametrize(
    ("pick", "message"),
    [
        (["ไฟส่องสว่าง", "ลานกีฬา", "สวนหย่อม"], "at most 2 projects"),
        ([], "at least one project"),
        (["rejected"], "from this ballot"),
        (["elsewhere"], "from this ballot"),
        (["not-a-number"], "from this ballot"),
    ],
)
def test_a_ballot_that_breaks_the_rules_is_refused_and_nothing_is_kept(
    app, budget, resident, pick, message
):
    from participation.budgets import operations

    b = budget()
    ids = {**b.projects, "rejected": b.rejected, "elsewhere": 10**6, "not-a-number": "x"}
    with pytest.raises(RuleError, match=message):
        _do(app, lambda h, u: operations.cast_ballot(h, u, [ids[p] for p in pick]), b, resident)
    assert _choices(app, b, resident) == (set(), set())


def test_a_knapsack_ballot_must_fit_the_money_and_spend_the_least_share(app, budget, resident):
    from participation.budgets import operations

    b = budget(style="knapsack", max_choices=None, min_spend_percent=70)
    cast = lambda *names: _do(  # noqa: E731
        app, lambda h, u: operations.cast_ballot(h, u, [b.projects[n] for n in names]), b, resident
    )
    with pytest.raises(RuleError, match="more than the 500,000 baht"):
        cast("ไฟส่องสว่าง", "ลานกีฬา")  # 550,000
    with pytest.raises(RuleError, match="at least 350,000 baht"):
        cast("ลานกีฬา")  # 200,000 of the 350,000 it must reach
    cast("ไฟส่องสว่าง", "สวนหย่อม")  # exactly 500,000
    assert _choices(app, b, resident)[1] == {b.projects["ไฟส่องสว่าง"], b.projects["สวนหย่อม"]}


def test_nobody_votes_before_voting_opens_or_after_it_closes(app, budget, resident):
    from participation.budgets import operations

    b = budget(open_=False)
    vote = lambda: _do(  # noqa: E731
        app, lambda h, u: operations.cast_ballot(h, u, [b.projects["ลานกีฬา"]]), b, resident
    )
    with pytest.raises(RuleError, match="closed"):
        vote()
    _do(app, operations.open_ballot, SimpleNamespace(budget_id=b.id))
    vote()
    _do(app, operations.close_ballot, SimpleNamespace(budget_id=b.id))
    with pytest.raises(RuleError, match="closed"):
        vote()


def test_the_rules_and_projects_are_frozen_once_voting_opens(app, budget):
    from participation.budgets import operations
    from participation.budgets.models import BudgetProject
    from participation.extensions import db

    b = budget()
    with pytest.raises(RuleError, match="cannot change"):
        _do(app, lambda h: operations.add_project(h, "ถนนใหม่"), b)
    with app.app_context():
        project = db.session.get(BudgetProject, b.projects["ลานกีฬา"])
        with pytest.raises(RuleError, match="cannot change"):
            operations.review_project(project, feasible=True, cost=1)
        db.session.rollback()
        db.session.remove()


def test_a_paper_ballot_counts_once_both_keyings_agree_and_replaces_the_online_one(
    app, budget, resident, create_user
):
    from participation.budgets import operations

    b = budget()
    registrars = [create_user(roles=["facilitator"]), create_user(roles=["facilitator"])]
    _do(app, lambda h, u: operations.cast_ballot(h, u, [b.projects["ลานกีฬา"]]), b, resident)
    paper = [b.projects["ไฟส่องสว่าง"]]

    first = _do(app, lambda h, v, r: operations.key_paper_ballot(h, v, r, paper).state,
                b, resident, registrars[0])  # fmt: skip
    assert first == "waiting"
    assert _choices(app, b, resident) == ({"online"}, {b.projects["ลานกีฬา"]})

    second = _do(app, lambda h, v, r: vars(operations.key_paper_ballot(h, v, r, paper)),
                 b, resident, registrars[1])  # fmt: skip
    assert (second["state"], second["replaced_online"]) == ("recorded", True)
    assert _choices(app, b, resident) == ({"paper"}, set(paper))

    # and the reverse: after paper, an online ballot is refused and the paper one stands
    with pytest.raises(RuleError, match="voted on paper"):
        _do(app, lambda h, u: operations.cast_ballot(h, u, [b.projects["ลานกีฬา"]]), b, resident)
    assert _choices(app, b, resident) == ({"paper"}, set(paper))


def test_paper_keyings_that_differ_are_flagged_and_block_publishing_until_keyed_again(
    app, budget, resident, create_user
):
    from participation.budgets import operations

    b = budget()
    registrar = create_user(roles=["facilitator"])
    key = lambda names: _do(  # noqa: E731
        app, lambda h, v, r: operations.key_paper_ballot(h, v, r, [b.projects[n] for n in names]
                                                         ).state, b, resident, registrar
    )  # fmt: skip
    assert key(["ไฟส่องสว่าง"]) == "waiting"
    assert key(["สวนหย่อม"]) == "differs"
    assert _choices(app, b, resident) == (set(), set())  # nothing counted
    with pytest.raises(RuleError, match="entered twice"):
        key(["ไฟส่องสว่าง"])

    _do(app, operations.close_ballot, SimpleNamespace(budget_id=b.id))
    with pytest.raises(RuleError, match="keyed differently"):
        _do(app, operations.publish_results, SimpleNamespace(budget_id=b.id))

    _do(app, operations.clear_paper_entries, b, resident)
    assert key(["สวนหย่อม"]) == "waiting"
    assert key(["สวนหย่อม"]) == "recorded"
    _do(app, operations.publish_results, SimpleNamespace(budget_id=b.id))
    assert _choices(app, b, resident) == ({"paper"}, {b.projects["สวนหย่อม"]})


def test_a_heading_is_counted_with_paper_and_online_ballots_together(app, budget, create_user):
    from participation.budgets import operations

    b = budget()
    registrar = create_user(roles=["facilitator"])
    lights, field, garden = (b.projects[n] for n in ("ไฟส่องสว่าง", "ลานกีฬา", "สวนหย่อม"))
    for _ in range(3):
        _do(app, lambda h, u: operations.cast_ballot(h, u, [lights]), b, create_user())
    for _ in range(2):
        _do(app, lambda h, u: operations.cast_ballot(h, u, [field, garden]), b, create_user())
    voter = create_user()
    for _ in range(2):
        _do(app, lambda h, v, r: operations.key_paper_ballot(h, v, r, [field]), b, voter, registrar)

    outcome, channels = _do(app, lambda h: operations.count(h), b)

    assert channels == {"online": 5, "paper": 1}
    # Field and lights have 3 votes each: the cheaper field goes first (300,000 baht left),
    # lights (350,000) no longer fit and are skipped, the garden (150,000) fits.
    assert outcome.chosen == [field, garden]
    assert [(s.key, s.action) for s in outcome.steps] == [
        (field, "chosen"),
        (lights, "skipped"),
        (garden, "chosen"),
    ]


@pytest.mark.slow
def test_fifty_simultaneous_ballots_from_one_resident_make_one(app, budget, resident):
    import threading

    from participation.budgets import operations
    from participation.budgets.models import Ballot, BallotChoice
    from participation.extensions import db

    b = budget(max_choices=3)
    picks = [[b.projects["ไฟส่องสว่าง"]], [b.projects["ลานกีฬา"]], list(b.projects.values())]
    barrier = threading.Barrier(50)
    errors = []

    def vote(index):
        barrier.wait()
        try:
            _do(app, lambda h, u: operations.cast_ballot(h, u, picks[index % 3]), b, resident)
        except Exception as error:  # noqa: BLE001 - every failure is reported below
            errors.append(error)

    threads = [threading.Thread(target=vote, args=(i,)) for i in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Ballot)) == 1
        chosen = set(db.session.scalars(sa.select(BallotChoice.project_id)))
        db.session.remove()
    assert chosen in [set(pick) for pick in picks]  # one whole ballot, never a mixture

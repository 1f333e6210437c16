"""Ballots of a participatory budget: cast, changed, refused, on paper keyed twice, counted."""

from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from participation.core.rules import RuleError
from tests.budgets.helpers import choices, do


def test_a_resident_votes_changes_their_ballot_and_the_last_one_counts(app, budget, resident):
    from participation.budgets import operations

    b = budget()
    first = do(app, lambda h, u: operations.cast_ballot(h, u, [b.projects["ไฟส่องสว่าง"]]).receipt,
                b, resident)  # fmt: skip
    second = do(app, lambda h, u: operations.cast_ballot(
        h, u, [b.projects["ลานกีฬา"], b.projects["สวนหย่อม"]]).receipt, b, resident)  # fmt: skip

    assert first == second  # one ballot, one receipt
    assert len(first) == operations.RECEIPT_LENGTH
    assert choices(app, b, resident) == ({"online"}, {b.projects["ลานกีฬา"], b.projects["สวนหย่อม"]})


@pytest.mark.parametrize(
    ("pick", "message"),
    [
        (["ไฟส่องสว่าง", "ลานกีฬา", "สวนหย่อม"], "เลือกได้ไม่เกิน 2 โครงการ"),
        ([], "อย่างน้อยหนึ่งโครงการ"),
        (["rejected"], "จากบัตรลงคะแนนนี้"),
        (["elsewhere"], "จากบัตรลงคะแนนนี้"),
        (["not-a-number"], "จากบัตรลงคะแนนนี้"),
    ],
)
def test_a_ballot_that_breaks_the_rules_is_refused_and_nothing_is_kept(
    app, budget, resident, pick, message
):
    from participation.budgets import operations

    b = budget()
    ids = {**b.projects, "rejected": b.rejected, "elsewhere": 10**6, "not-a-number": "x"}
    with pytest.raises(RuleError, match=message):
        do(app, lambda h, u: operations.cast_ballot(h, u, [ids[p] for p in pick]), b, resident)
    assert choices(app, b, resident) == (set(), set())


def test_a_knapsack_ballot_must_fit_the_money_and_spend_the_least_share(app, budget, resident):
    from participation.budgets import operations

    b = budget(style="knapsack", max_choices=None, min_spend_percent=70)
    cast = lambda *names: do(  # noqa: E731
        app, lambda h, u: operations.cast_ballot(h, u, [b.projects[n] for n in names]), b, resident
    )
    with pytest.raises(RuleError, match="ซึ่งมี 500,000 บาท"):
        cast("ไฟส่องสว่าง", "ลานกีฬา")  # 550,000
    with pytest.raises(RuleError, match="อย่างน้อย 350,000 บาท"):
        cast("ลานกีฬา")  # 200,000 of the 350,000 it must reach
    cast("ไฟส่องสว่าง", "สวนหย่อม")  # exactly 500,000
    assert choices(app, b, resident)[1] == {b.projects["ไฟส่องสว่าง"], b.projects["สวนหย่อม"]}


def test_nobody_votes_before_voting_opens_or_after_it_closes(app, budget, resident):
    from participation.budgets import operations

    b = budget(open_=False)
    vote = lambda: do(  # noqa: E731
        app, lambda h, u: operations.cast_ballot(h, u, [b.projects["ลานกีฬา"]]), b, resident
    )
    with pytest.raises(RuleError, match="ยังไม่เปิดลงคะแนน"):
        vote()
    do(app, operations.open_ballot, SimpleNamespace(budget_id=b.id))
    vote()
    do(app, operations.close_ballot, SimpleNamespace(budget_id=b.id))
    with pytest.raises(RuleError, match="ปิดลงคะแนนแล้ว"):
        vote()


def test_the_rules_and_projects_are_frozen_once_voting_opens(app, budget):
    from participation.budgets import operations
    from participation.budgets.models import BudgetProject
    from participation.extensions import db

    b = budget()
    with pytest.raises(RuleError, match="เปลี่ยนกติกา"):
        do(app, lambda h: operations.add_project(h, "ถนนใหม่"), b)
    with app.app_context():
        project = db.session.get(BudgetProject, b.projects["ลานกีฬา"])
        with pytest.raises(RuleError, match="เปลี่ยนกติกา"):
            operations.review_project(project, feasible=True, cost=1)
        db.session.rollback()
        db.session.remove()


def test_a_paper_ballot_counts_once_both_keyings_agree_and_replaces_the_online_one(
    app, budget, resident, create_user
):
    from participation.budgets import operations

    b = budget()
    registrars = [create_user(roles=["facilitator"]), create_user(roles=["facilitator"])]
    do(app, lambda h, u: operations.cast_ballot(h, u, [b.projects["ลานกีฬา"]]), b, resident)
    paper = [b.projects["ไฟส่องสว่าง"]]

    first = do(app, lambda h, v, r: operations.key_paper_ballot(h, v, r, paper).state,
                b, resident, registrars[0])  # fmt: skip
    assert first == "waiting"
    assert choices(app, b, resident) == ({"online"}, {b.projects["ลานกีฬา"]})

    second = do(app, lambda h, v, r: vars(operations.key_paper_ballot(h, v, r, paper)),
                 b, resident, registrars[1])  # fmt: skip
    assert (second["state"], second["replaced_online"]) == ("recorded", True)
    assert choices(app, b, resident) == ({"paper"}, set(paper))

    # and the reverse: after paper, an online ballot is refused and the paper one stands
    with pytest.raises(RuleError, match="ลงคะแนนด้วยบัตรกระดาษ"):
        do(app, lambda h, u: operations.cast_ballot(h, u, [b.projects["ลานกีฬา"]]), b, resident)
    assert choices(app, b, resident) == ({"paper"}, set(paper))


def test_paper_keyings_that_differ_are_flagged_and_block_publishing_until_keyed_again(
    app, budget, resident, create_user
):
    from participation.budgets import operations

    b = budget()
    registrar = create_user(roles=["facilitator"])
    key = lambda names: do(  # noqa: E731
        app, lambda h, v, r: operations.key_paper_ballot(h, v, r, [b.projects[n] for n in names]
                                                         ).state, b, resident, registrar
    )  # fmt: skip
    assert key(["ไฟส่องสว่าง"]) == "waiting"
    assert key(["สวนหย่อม"]) == "differs"
    assert choices(app, b, resident) == (set(), set())  # nothing counted
    with pytest.raises(RuleError, match="บันทึกครบสองครั้งแล้ว"):
        key(["ไฟส่องสว่าง"])

    do(app, operations.close_ballot, SimpleNamespace(budget_id=b.id))
    with pytest.raises(RuleError, match="บันทึกสองครั้งไม่ตรงกัน"):
        do(app, operations.publish_results, SimpleNamespace(budget_id=b.id))

    do(app, operations.clear_paper_entries, b, resident)
    assert key(["สวนหย่อม"]) == "waiting"
    assert key(["สวนหย่อม"]) == "recorded"
    do(app, operations.publish_results, SimpleNamespace(budget_id=b.id))
    assert choices(app, b, resident) == ({"paper"}, {b.projects["สวนหย่อม"]})


def test_a_heading_is_counted_with_paper_and_online_ballots_together(app, budget, create_user):
    from participation.budgets import operations

    b = budget()
    registrar = create_user(roles=["facilitator"])
    lights, field, garden = (b.projects[n] for n in ("ไฟส่องสว่าง", "ลานกีฬา", "สวนหย่อม"))
    for _ in range(3):
        do(app, lambda h, u: operations.cast_ballot(h, u, [lights]), b, create_user())
    for _ in range(2):
        do(app, lambda h, u: operations.cast_ballot(h, u, [field, garden]), b, create_user())
    voter = create_user()
    for _ in range(2):
        do(app, lambda h, v, r: operations.key_paper_ballot(h, v, r, [field]), b, voter, registrar)

    outcome, channels = do(app, lambda h: operations.count(h), b)

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
            do(app, lambda h, u: operations.cast_ballot(h, u, picks[index % 3]), b, resident)
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


def test_votes_are_counted_in_the_background_and_publishing_waits_for_the_count(
    app, budget, create_user, monkeypatch
):
    from participation.budgets import operations

    queued = []  # as in production: the job waits for a worker
    monkeypatch.setattr(operations, "enqueue", lambda name, **payload: queued.append(name))
    b = budget()
    do(app, lambda h, u: operations.cast_ballot(h, u, [b.projects["ลานกีฬา"]]), b, create_user())
    do(app, operations.close_ballot, SimpleNamespace(budget_id=b.id))
    assert queued == ["budgets.count"]
    with pytest.raises(RuleError, match="ยังนับคะแนนอยู่"):
        do(app, operations.publish_results, SimpleNamespace(budget_id=b.id))

    do(app, lambda: operations.count_budget(budget_id=b.id))  # what the worker does
    do(app, operations.publish_results, SimpleNamespace(budget_id=b.id))
    winners = do(app, lambda h: operations.winners(h), b)
    assert winners == [b.projects["ลานกีฬา"]]


def test_when_the_process_asks_verification_only_the_community_s_verified_residents_vote(
    app, budget, resident, create_user, municipality
):
    from participation.accounts.models import User
    from participation.budgets import operations
    from participation.extensions import db
    from participation.processes.models import Process
    from participation.verification import operations as verification

    b = budget()  # the heading is the north community's
    registrar = create_user(roles=["registrar"])
    with app.app_context():
        process = db.session.get(Process, b.process.id)
        verification.set_requirements(
            process, ["ballot"], False, db.session.get(User, registrar.id)
        )
        db.session.commit()
        db.session.remove()
    vote = lambda: do(  # noqa: E731
        app, lambda h, u: operations.cast_ballot(h, u, [b.projects["ลานกีฬา"]]), b, resident
    )
    with pytest.raises(RuleError, match="ยืนยันสิทธิ์ที่สำนักงานเทศบาล"):
        vote()

    def verify_for(area_id):
        with app.app_context():
            verification.verify_at_desk(db.session.get(User, resident.id), area_id,
                                        db.session.get(User, registrar.id))  # fmt: skip
            db.session.commit()
            db.session.remove()

    verify_for(municipality[1].id)  # the south community: not this heading's
    with pytest.raises(RuleError, match="ลงคะแนนได้เฉพาะผู้มีสิทธิ์ที่ยืนยันแล้วของชุมชนเหนือ"):
        vote()
    assert choices(app, b, resident) == (set(), set())
    verify_for(municipality[0].id)
    vote()
    assert choices(app, b, resident)[1] == {b.projects["ลานกีฬา"]}


def test_a_revoked_resident_s_ballot_is_withdrawn_while_voting_is_open(
    app, budget, resident, create_user, municipality
):
    from participation.accounts.models import User
    from participation.budgets import operations
    from participation.extensions import db
    from participation.processes.models import Process
    from participation.verification import operations as verification
    from participation.verification.models import Verification

    b = budget()
    registrar = create_user(roles=["registrar"])
    with app.app_context():
        staff = db.session.get(User, registrar.id)
        verification.set_requirements(db.session.get(Process, b.process.id), ["ballot"], False,
                                      staff)  # fmt: skip
        verification.verify_at_desk(db.session.get(User, resident.id), municipality[0].id, staff)
        db.session.commit()
        db.session.remove()
    do(app, lambda h, u: operations.cast_ballot(h, u, [b.projects["ลานกีฬา"]]), b, resident)
    assert choices(app, b, resident)[1] == {b.projects["ลานกีฬา"]}

    with app.app_context():
        record = db.session.scalar(sa.select(Verification))
        verification.revoke(record, db.session.get(User, registrar.id), "ใช้บัญชีซ้ำ")
        db.session.commit()
        db.session.remove()

    assert choices(app, b, resident) == (set(), set())

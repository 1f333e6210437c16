"""The demo seed: a believable municipality with one process in each phase."""

import sqlalchemy as sa


def test_demo_has_one_process_in_each_phase_with_real_content(runner, in_db, client):
    from participation.comments.models import Comment
    from participation.processes.models import Process
    from participation.proposals.models import Contribution, ImplementationUpdate, OfficialResponse
    from participation.votes.models import Support

    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output

    with in_db() as session:
        phases = sorted(session.scalars(sa.select(Process.phase)))
        assert phases == ["reframe", "reimagine", "remake"]
        count = lambda model: session.scalar(sa.select(sa.func.count()).select_from(model))  # noqa: E731
        assert count(Contribution) >= 10
        assert count(Comment) >= 5
        assert count(Support) >= 20
        assert count(OfficialResponse) == 4
        assert count(ImplementationUpdate) >= 2
        from participation.delivery.models import DeliveryRecord, Milestone
        from participation.photos.models import Photo

        # Remake shows delivery: budget lines, milestones with before and after photos, and
        # one item residents reopened by answering "not yet".
        records = session.scalars(sa.select(DeliveryRecord)).all()
        assert {record.status for record in records} == {"in_progress", "reopened"}
        assert all(record.plan_code and record.amount_baht for record in records)
        stages = set(session.scalars(sa.select(Photo.stage).where(Photo.milestone_id.is_not(None))))
        assert stages == {"before", "during", "after"}
        current = {r.current_milestone.position if r.current_milestone else None for r in records}
        assert len(current) >= 2  # items in different milestones
        assert count(Milestone) == 10
        statuses = set(session.scalars(sa.select(OfficialResponse.status)))
        assert statuses == {"accepted", "rejected", "evaluating"}
        slugs = list(session.scalars(sa.select(Process.slug)))
        # Nothing answers what was written after it.
        parent = sa.orm.aliased(Comment)
        assert not session.scalar(
            sa.select(sa.func.count())
            .select_from(Comment)
            .join(Contribution, Contribution.id == Comment.contribution_id)
            .where(Comment.created_dt < Contribution.created_dt)
        )
        assert not session.scalar(
            sa.select(sa.func.count())
            .select_from(Comment)
            .join(parent, parent.id == Comment.parent_id)
            .where(Comment.created_dt < parent.created_dt)
        )
        assert not session.scalar(
            sa.select(sa.func.count())
            .select_from(Support)
            .join(Contribution, Contribution.id == Support.proposal_id)
            .where(Support.created_dt < Contribution.created_dt)
        )
    for slug in slugs:
        assert client.get(f"/processes/{slug}").status_code == 200
        assert client.get(f"/processes/{slug}/proposals").status_code == 200
        assert client.get(f"/processes/{slug}/issues").status_code == 200


def _fresh_demo(config, tmp_path, make_app):
    from flask_migrate import upgrade

    config.SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path}/demo.sqlite3"
    app = make_app(config)
    with app.app_context():
        upgrade()
    return app


def test_demo_reset_puts_back_the_demo_as_it_was_seeded(config, tmp_path, make_app):
    from participation.accounts import operations as accounts
    from participation.accounts.models import User
    from participation.extensions import db

    app = _fresh_demo(config, tmp_path, make_app)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    with app.app_context():
        seeded = db.session.scalar(sa.select(sa.func.count()).select_from(User))
        accounts.register_user(email="tried@example.org", display_name="ลองใช้",
                               password="mango sticky rice at dusk", preferred_language="th",
                               consent=True)  # fmt: skip
        db.session.commit()
        db.session.remove()

    result = runner.invoke(args=["demo", "reset", "--yes"])

    assert result.exit_code == 0, result.output
    assert "somchai@ruamkid.test" in result.output
    with app.app_context():
        emails = set(db.session.scalars(sa.select(User.email)))
        assert len(emails) == seeded
        assert "tried@example.org" not in emails
        assert "council@ruamkid.test" in emails


def test_demo_reset_refuses_a_real_municipality(config, tmp_path, make_app):
    from participation.extensions import db
    from participation.municipality.models import Municipality

    app = _fresh_demo(config, tmp_path, make_app)
    with app.app_context():
        db.session.add(Municipality(name_th="เทศบาลจริง", name_en="A Real Municipality"))
        db.session.commit()
        db.session.remove()

    result = app.test_cli_runner().invoke(args=["demo", "reset", "--yes"])

    assert result.exit_code != 0
    assert "A Real Municipality" in result.output
    assert "nothing was erased" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(Municipality.name_en)) == "A Real Municipality"


def _tour():
    """(e-mail or None, [paths]) for each role of the README's "A tour of the demo"."""
    import re

    from participation.config import ROOT_DIR

    readme = (ROOT_DIR / "README.md").read_text(encoding="utf-8")
    section = readme.split("### A tour of the demo", 1)[1].split("\n## ", 1)[0]
    stops = []
    for bullet in section.split("\n- ")[1:]:
        email = re.search(r"`([a-z]+@ruamkid\.test)`", bullet)
        paths = re.findall(r"http://127\.0\.0\.1:5000(/[^\s;,)]*[^\s;,).])", bullet)
        stops.append((email and email.group(1), paths))
    return stops


def test_every_address_of_the_readme_tour_opens_for_its_role(app, runner):
    from participation.demo.seed import DEMO_PASSWORD

    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    tour = _tour()
    assert len(tour) == 5
    assert sum(len(paths) for _email, paths in tour) >= 12
    for email, paths in tour:
        client = app.test_client()
        if email:
            signed_in = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
            assert signed_in.status_code == 302, email
        for path in paths:
            assert client.get(path).status_code == 200, (email, path)


def test_the_demo_budget_has_three_communities_a_closed_ballot_and_explained_results(
    runner, in_db, client
):
    from participation.budgets.models import Ballot, Budget, BudgetProject, Heading

    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    with in_db() as session:
        budget = session.scalar(sa.select(Budget))
        assert budget.stage == "published"
        assert session.scalar(sa.select(sa.func.count()).select_from(Heading)) == 3
        assert all(h.area_id for h in session.scalars(sa.select(Heading)))
        channels = dict(session.execute(
            sa.select(Ballot.channel, sa.func.count()).group_by(Ballot.channel)).all())  # fmt: skip
        assert channels == {"online": 29, "paper": 8}
        reviews = set(session.scalars(sa.select(BudgetProject.review)))
        assert reviews == {"feasible", "not_feasible"}
        slug = budget.process.slug
    page = client.get(f"/processes/{slug}/budget/results").get_data(as_text=True)
    assert "วิธีแบ่งเงินเท่ากัน" in page  # the budget's rule, explained
    assert "ถ้าใช้กติกาอื่นจะเลือกโครงการใด" in page  # and greedy beside it
    assert "บัตรกระดาษ 3 ใบ" in page  # Ban Pa Chi's paper ballots, counted with the rest


def test_demo_has_a_needs_survey_in_reframe_with_published_results(runner, in_db, client):
    from participation.processes.models import Process
    from participation.surveys.models import Response, Survey

    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output

    with in_db() as session:
        survey = session.scalar(sa.select(Survey))
        assert session.get(Process, survey.process_id).phase == "reframe"
        assert survey.results_published
        channels = list(session.scalars(sa.select(Response.channel)))
        survey_id = survey.id
    assert len(channels) >= 40
    assert {"online", "paper"} == set(channels)
    page = client.get(f"/surveys/{survey_id}/results")
    assert page.status_code == 200
    assert "สนามเด็กเล่น" in page.get_data(as_text=True)

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

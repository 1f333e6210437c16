"""A council's summary of a finished process: the numbers, checked against a known process."""

import pytest

pytestmark = pytest.mark.usefixtures("finished_process")


@pytest.fixture
def figures(app, finished_process):
    from participation.extensions import db
    from participation.processes.models import Process
    from participation.summaries import compute

    with app.app_context():
        data = compute.process_summary(db.session.get(Process, finished_process.id))
        db.session.remove()
    return data


def test_people_are_counted_once_across_everything_they_did(figures):
    part = figures["participation"]
    assert part["participants"] == 8
    assert part["totals"] == {"issues": 2, "proposals": 3, "comments": 10, "supports": 10,
                              "registrations": 1}  # fmt: skip
    assert part["population"] == 1000
    assert part["share"] == 0.008


def test_each_phase_counts_what_happened_between_its_dates(figures):
    phases = {row["phase"]: row for row in figures["participation"]["phases"]}
    assert phases["reframe"] == {"phase": "reframe", "participants": 2, "issues": 2,
                                 "proposals": 0, "comments": 0, "supports": 0,
                                 "registrations": 0}  # fmt: skip
    assert phases["reimagine"]["participants"] == 8
    assert phases["reimagine"]["proposals"] == 3
    assert phases["reimagine"]["supports"] == 10
    assert phases["reimagine"]["registrations"] == 1
    assert phases["remake"]["participants"] == 0


def test_communities_show_their_share_of_the_population(figures, finished_process):
    areas = {row["id"]: row for row in figures["participation"]["areas"]}
    north, south = areas[finished_process.north], areas[finished_process.south]
    assert (north["issues"], north["proposals"], north["comments"], north["supports"]) == (
        1,
        2,
        6,
        6,
    )
    assert (south["issues"], south["proposals"], south["comments"], south["supports"]) == (
        1,
        1,
        4,
        4,
    )
    assert north["participants"] == 8
    assert north["share"] == 0.04
    assert south["share"] is None  # no population given for the south


def test_the_timeline_has_every_day_with_its_activity(figures):
    days = {row["day"]: row for row in figures["participation"]["timeline"]}
    assert days["2026-09-01"]["issues"] == 1
    assert days["2026-09-03"]["issues"] == 1
    assert days["2026-09-02"]["issues"] == 0  # quiet days are kept, so the chart is honest
    assert days["2026-09-12"]["supports"] == 10
    assert days["2026-09-13"]["comments"] == 10


def test_proposals_are_ranked_and_classed_by_the_stated_rules(figures, finished_process):
    ids = finished_process.ids
    wants = figures["wants"]
    assert [item["id"] for item in wants["ranked"]] == [ids.p1, ids.p2, ids.p3]
    assert [item["id"] for item in wants["consensus"]] == [ids.p1]
    assert [item["id"] for item in wants["contested"]] == [ids.p2]
    contested = wants["contested"][0]
    assert (contested["in_favour"], contested["against"], contested["against_share"]) == (2, 2, 0.5)
    assert wants["qualified"] == 2
    assert ids.p4 not in [item["id"] for item in wants["ranked"]]  # hidden by a moderator


@pytest.mark.parametrize(
    ("supports", "in_favour", "against", "expected"),
    [
        (3, 3, 0, "consensus"),
        (3, 4, 1, "consensus"),  # 20% against is still little opposition
        (3, 3, 2, "contested"),  # 40% against
        (3, 2, 1, None),  # 33%: neither
        (2, 9, 0, None),  # below the support threshold
        (9, 1, 1, None),  # too few comments took a side
    ],
)
def test_classification_rule(supports, in_favour, against, expected):
    from participation.summaries.compute import classify

    assert classify(supports, 3, in_favour, against) == expected


def test_themes_are_the_thai_phrases_residents_used(figures, finished_process):
    ids = finished_process.ids
    themes = {theme["phrase"]: theme for theme in figures["themes"]["th"]}
    assert "โรงเรียน" in themes
    assert set(themes["โรงเรียน"]["ids"]) == {ids.i1, ids.i2, ids.p2, ids.p3}
    assert (themes["โรงเรียน"]["issues"], themes["โรงเรียน"]["proposals"]) == (2, 2)
    assert "ไฟส่องสว่าง" in themes  # the phrase, not its fragment ส่องสว่าง
    assert "ส่องสว่าง" not in themes
    assert "ทางเท้า" in themes
    assert "ใน" not in themes
    assert "ให้" not in themes
    assert "โฆษณา" not in themes  # only in hidden content
    assert figures["themes"]["en"] == []
    scores = [theme["score"] for theme in figures["themes"]["th"]]
    assert scores == sorted(scores, reverse=True)
    examples = themes["ทางเท้า"]["examples"]
    assert [example["id"] for example in examples] == [ids.i2, ids.p3]
    assert examples[0]["title"] == "ทางเท้าชำรุดหน้าโรงเรียน"


def test_the_council_sees_unanswered_proposals_first(figures, app, finished_process):
    from participation.extensions import db
    from participation.processes.models import Process
    from participation.summaries import compute

    ids = finished_process.ids
    assert figures["decisions"]["total"] == 2
    assert figures["decisions"]["answered"] == 1
    assert figures["decisions"]["by_status"]["accepted"] == 1
    with app.app_context():
        rows = db.session.execute(
            compute.decisions_query(db.session.get(Process, finished_process.id))
        ).all()
    assert [(row.id, row.progress) for row in rows] == [(ids.p2, 0), (ids.p1, 40)]


def test_figures_are_kept_until_the_content_changes(app, finished_process):
    from participation.accounts.models import User
    from participation.extensions import db
    from participation.processes.models import Process
    from participation.proposals.models import Contribution
    from participation.summaries import operations
    from participation.votes.models import Support

    with app.app_context():
        summary = operations.summary_of(db.session.get(Process, finished_process.id))
        first = operations.figures(summary)
        db.session.commit()
        computed = summary.computed_dt
        assert operations.figures(summary) == first
        assert summary.computed_dt == computed  # not computed again
        # A support moves from P3 to P1 (same total): the fingerprint still notices.
        p1 = db.session.get(Contribution, finished_process.ids.p1)
        p3 = db.session.get(Contribution, finished_process.ids.p3)
        somebody = db.session.get(User, finished_process.people[6].id)
        db.session.add(Support(proposal_id=p1.id, process_id=p1.process_id, user_id=somebody.id))
        p1.support_count += 1
        p3.support_count -= 1
        db.session.commit()
        second = operations.figures(summary)
        assert summary.computed_dt > computed
        assert second["wants"]["ranked"][0]["supports"] == 6

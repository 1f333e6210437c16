"""The council's way in: its home shows what waits for its answer, the summaries are in the
menu of the roles that use them, and a proposal that qualified says when the answer comes."""

from datetime import date, timedelta

import sqlalchemy as sa

from participation.core.models import utcnow


def _qualify(in_db, proposal_id, supports, days_ago=0):
    """Give a proposal supports (as if residents had supported it) and an age."""
    from participation.proposals.models import Contribution

    with in_db() as session:
        proposal = session.get(Contribution, proposal_id)
        proposal.support_count = supports
        proposal.created_dt = utcnow() - timedelta(days=days_ago)
        session.commit()


def _queue(page):
    start = page.index("data-council-queue")
    return page[start : page.index("</section>", start)]


def test_council_member_sees_qualified_proposals_without_an_answer_oldest_first(
    client, auth, council, resident, create_process, create_contribution, move_to, in_db, thai
):
    remake = create_process("reimagine", support_threshold=3)
    older = create_contribution(remake, resident, title="ติดตั้งไฟส่องสว่างซอย 3")
    newer = create_contribution(remake, resident, title="ซ่อมท่อระบายน้ำตลาด")
    answered = create_contribution(remake, resident, title="ข้อเสนอที่ตอบแล้ว")
    too_few = create_contribution(remake, resident, title="ข้อเสนอที่เสียงยังไม่พอ")
    _qualify(in_db, older, 5, days_ago=20)
    _qualify(in_db, newer, 3, days_ago=2)
    _qualify(in_db, answered, 9, days_ago=30)
    _qualify(in_db, too_few, 2, days_ago=40)
    reimagine = create_process("reimagine", support_threshold=2)
    coming = create_contribution(reimagine, resident, title="ปลูกต้นไม้ริมคลอง")
    _qualify(in_db, coming, 2, days_ago=10)
    with in_db() as session:
        from participation.processes.models import Process

        session.get(Process, reimagine.id).remake_start = date(2026, 12, 20)
        session.commit()
    move_to(remake, "remake")
    auth.login(council)
    client.post(
        f"/processes/{remake.slug}/proposals/{answered}/response",
        data={"status": "accepted", "body": "รับไว้ดำเนินการ"},
    )

    queue = _queue(client.get("/").get_data(as_text=True))

    assert thai("Waiting for your answer") in queue
    titles = ["ติดตั้งไฟส่องสว่างซอย 3", "ปลูกต้นไม้ริมคลอง", "ซ่อมท่อระบายน้ำตลาด"]
    positions = [queue.index(title) for title in titles]
    assert positions == sorted(positions)  # the longest waiting first
    assert "ข้อเสนอที่ตอบแล้ว" not in queue
    assert "ข้อเสนอที่เสียงยังไม่พอ" not in queue
    assert f'href="/processes/{remake.slug}/proposals/{older}"' in queue
    assert thai("You can answer now") in queue
    # The one still in Reimagine says when its answer is due (20 Dec 2026 is 2569 BE).
    assert thai("Answer from %(date)s, when Remake opens", date="20 ธ.ค. 2569") in queue


def test_residents_and_visitors_get_no_council_queue(client, auth, resident):
    assert "data-council-queue" not in client.get("/").get_data(as_text=True)
    auth.login(resident)
    assert "data-council-queue" not in client.get("/").get_data(as_text=True)


def test_council_member_with_nothing_waiting_is_told_so(client, auth, council, thai):
    auth.login(council)

    queue = _queue(client.get("/").get_data(as_text=True))

    assert thai("No proposal is waiting for the council's answer.") in queue


def test_summaries_are_in_the_menu_of_council_facilitators_and_administrators(
    client, auth, council, facilitator, admin, resident
):
    def menu():
        page = client.get("/").get_data(as_text=True)
        return page[page.index('<nav class="site-nav"') : page.index("</nav>")]

    assert 'href="/summaries/"' not in menu()
    for person, listed in ((resident, False), (council, True), (facilitator, True), (admin, True)):
        auth.login(person)
        assert ('href="/summaries/"' in menu()) is listed, person.name
        auth.logout()


def test_proposal_over_the_threshold_in_reimagine_says_when_and_how_the_council_answers(
    client, resident, create_process, create_contribution, in_db, thai
):
    from participation.processes.models import Process

    process = create_process("reimagine", support_threshold=3)
    with in_db() as session:
        session.get(Process, process.id).remake_start = date(2027, 1, 15)
        session.commit()
    proposal = create_contribution(process, resident)
    url = f"/processes/{process.slug}/proposals/{proposal}"
    note = thai(
        "This proposal has the %(threshold)s supports it needs. The council will answer it "
        "publicly on this page in Remake, from %(date)s: accepted, under consideration, or not "
        "accepted with the reasons. Follow it to be told.",
        threshold=3, date="15 ม.ค. 2570",
    )  # fmt: skip

    before = client.get(url).get_data(as_text=True)
    _qualify(in_db, proposal, 3)
    after = client.get(url).get_data(as_text=True)

    # Below the threshold the note is there but hidden (the page script shows it in place).
    assert f"data-qualifies-note hidden>\n    {note}" in before
    assert f"data-qualifies-note>\n    {note}" in after


def test_waiting_list_counts_every_waiting_proposal_beyond_the_first_twenty(
    app, client, auth, council, resident, create_process, create_contribution, in_db
):
    from participation.proposals.models import Contribution

    process = create_process("reimagine", support_threshold=1)
    for number in range(22):
        create_contribution(process, resident, title=f"ข้อเสนอที่ {number}")
    with in_db() as session:
        session.execute(sa.update(Contribution).values(support_count=1))
        session.commit()
    auth.login(council)

    queue = _queue(client.get("/").get_data(as_text=True))

    assert queue.count('class="council-queue__item"') == 20
    assert 'href="/summaries/"' in queue

"""'What you can do now' promises only what exists in this process, and only residents' own
actions: no opinion map where none is open, and the council's answer is the council's."""


def _now(client, process):
    page = client.get(f"/processes/{process.slug}").get_data(as_text=True)
    start = page.index('class="stepper__now"')
    return page[start : page.index("</nav>", start)]


def _open_map(app, process):
    from participation.accounts.models import User
    from participation.extensions import db
    from participation.opinions import operations as ops
    from participation.processes.models import Process

    with app.app_context():
        ops.open_conversation(
            db.session.get(Process, process.id),
            db.session.get(User, process.facilitator.id),
            "ทำอย่างไรให้เด็กเดินไปโรงเรียนได้ปลอดภัย",
            ["ควรปิดถนนหน้าโรงเรียนช่วงเช้า"],
        )
        db.session.commit()
        db.session.remove()


def test_the_opinion_map_is_promised_only_where_one_is_open(app, client, create_process, thai):
    without, with_map = create_process("reframe"), create_process("reframe")
    _open_map(app, with_map)
    opinion = thai("Say where you stand on short statements and see the opinion map")

    assert opinion not in _now(client, without)
    assert opinion in _now(client, with_map)
    assert thai("Raise an issue: a need or problem you see") in _now(client, without)


def test_in_remake_the_council_answer_is_not_listed_as_a_residents_action(
    client, create_process, thai
):
    process = create_process("remake")

    now = _now(client, process)
    items = now[now.index("<ul>") : now.index("</ul>")]

    assert thai("The council answers every proposal that qualified") not in now
    assert thai("Discuss proposals") in items
    follow = thai("Follow the council's answers and the progress of the proposals it accepts")
    assert follow in items
    assert thai("Meanwhile the council answers every proposal that qualified, publicly on its "
                "page.") in now  # fmt: skip


def test_actions_come_in_the_order_residents_take_them(client, create_process, thai):
    now = _now(client, create_process("reimagine"))

    order = [thai("Propose a solution"), thai("Discuss proposals"),
             thai("Support the proposals you believe in")]  # fmt: skip
    assert [now.index(text) for text in order] == sorted(now.index(text) for text in order)

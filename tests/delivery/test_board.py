"""The execution board: every item in delivery across processes, filtered by fiscal year,
community, unit, status and timing, in pages, with the same number of queries for any size."""

from datetime import date, timedelta

from tests.delivery.test_delivery import _manage, _record


def _accept(client, auth, council, create_process, create_contribution, move_to, resident,
            titles, area=None):  # fmt: skip
    process = create_process("reimagine")
    extra = {"area_id": process.area_ids[area]} if area is not None else {}
    ids = [create_contribution(process, resident, title=title, **extra) for title in titles]
    move_to(process, "remake")
    auth.logout()
    auth.login(council)
    for proposal_id in ids:
        client.post(f"/processes/{process.slug}/proposals/{proposal_id}/response",
                    data={"status": "accepted", "body": "รับไว้ดำเนินการ"})  # fmt: skip
    return process, ids


def _board(client, **args):
    return client.get("/delivery", query_string=args).get_data(as_text=True)


def test_the_board_filters_by_year_unit_status_and_lateness(
    client, auth, council, resident, create_process, create_contribution, move_to, in_db
):
    _process, (road, light) = _accept(client, auth, council, create_process,
                                      create_contribution, move_to, resident,
                                      ["ซ่อมถนนซอย 9", "ติดไฟซอย 4"])  # fmt: skip
    _manage(client, road)
    client.post(f"/delivery/items/{road}/budget", data={"fiscal_year": "2569", "unit": "กองช่าง"})
    client.post(f"/delivery/items/{light}/budget",
                data={"fiscal_year": "2570", "unit": "กองสาธารณสุข"})  # fmt: skip
    late_day = (date.today() - timedelta(days=10)).isoformat()
    first = _record(in_db, road)[4][0]
    client.post(f"/delivery/items/{road}/milestones/{first}", data={"planned_date": late_day})

    assert "ซ่อมถนนซอย 9" in _board(client, year="2569")
    assert "ติดไฟซอย 4" not in _board(client, year="2569")
    assert "ซ่อมถนนซอย 9" in _board(client, year="2026")
    assert "ซ่อมถนนซอย 9" not in _board(client, unit="กองสาธารณสุข")
    late = _board(client, timing="late")
    assert "ซ่อมถนนซอย 9" in late
    assert "ติดไฟซอย 4" not in late
    assert "ติดไฟซอย 4" in _board(client, timing="on_time")
    assert "ซ่อมถนนซอย 9" not in _board(client, status="done")


def test_the_board_filters_by_community_and_is_public(
    client, auth, council, resident, create_process, create_contribution, move_to
):
    process, _ids = _accept(client, auth, council, create_process, create_contribution,
                            move_to, resident, ["ลานกีฬาชุมชนเหนือ"], area=0)  # fmt: skip
    auth.logout()

    assert "ลานกีฬาชุมชนเหนือ" in _board(client, area=str(process.area_ids[0]))
    assert "ลานกีฬาชุมชนเหนือ" not in _board(client, area=str(process.area_ids[1]))
    assert f"/processes/{process.slug}/map" in _board(client)


def test_the_board_runs_as_many_queries_for_thirty_items_as_for_three(
    client, auth, council, resident, create_process, create_contribution, move_to, statements
):
    _process, few = _accept(client, auth, council, create_process, create_contribution, move_to,
                            resident, [f"ข้อเสนอที่ {n}" for n in range(3)])  # fmt: skip
    for proposal_id in few:
        _manage(client, proposal_id)
    statements.clear()
    _board(client)
    small = len(statements)

    _process, many = _accept(client, auth, council, create_process, create_contribution,
                             move_to, resident, [f"โครงการที่ {n}" for n in range(27)])  # fmt: skip
    for proposal_id in many:
        _manage(client, proposal_id)
    statements.clear()
    page = _board(client)

    assert len(statements) == small
    assert "โครงการที่ 26" in page

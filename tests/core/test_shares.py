"""Percentages of a whole add up to 100, however the counts fall."""

import itertools

import pytest

from participation.core.shares import percentages


def test_three_equal_thirds_show_33_33_34():
    shown = percentages([1, 1, 1])

    assert sorted(shown) == [33, 33, 34]
    assert sum(shown) == 100


@pytest.mark.parametrize(
    ("counts", "decimals", "expected"),
    [
        ((1, 7), 0, [13, 87]),  # 12.5 and 87.5 would both round up
        ((2, 2, 2, 1), 0, [29, 29, 28, 14]),  # 28.57 ×3 and 14.29 naively add to 99
        ((1, 15), 1, [6.3, 93.7]),
        ((1, 2), 1, [33.3, 66.7]),
        ((0, 0), 0, [0, 0]),
        ((), 0, []),
        ((5,), 0, [100]),
    ],
)
def test_largest_remainders_get_the_missing_units(counts, decimals, expected):
    assert percentages(counts, decimals) == expected


def test_every_split_of_up_to_twenty_among_four_adds_up_to_100():
    for counts in itertools.product(range(6), repeat=4):
        if sum(counts):
            assert sum(percentages(counts)) == 100, counts
            assert round(sum(percentages(counts, decimals=1)), 6) == 100, counts


def test_live_poll_results_carry_percents_that_add_up(socket_for, create_townhall, create_user):
    from tests.townhall.test_live import call, events, joined

    townhall = create_townhall()
    host = socket_for(townhall.facilitator)
    joined(host, townhall)
    poll = call(host, "open_poll", townhall=townhall.slug, question="ควรเริ่มที่ซอยไหน",
                options=["ซอย 3", "ซอย 5", "ซอย 7"])["poll"]  # fmt: skip
    for option in poll["options"]:
        voter = socket_for(create_user())
        joined(voter, townhall)
        call(voter, "answer_poll", townhall=townhall.slug, poll_id=poll["id"],
             option_ids=[option["id"]])  # fmt: skip

    final = [e["data"] for e in events(host) if e["type"] == "poll.results"][-1]
    percents = [option["percent"] for option in final["options"]]
    assert sorted(percents) == [33, 33, 34]

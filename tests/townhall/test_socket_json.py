"""Socket.IO answers carry parts encoded once; what a client decodes is the same."""

import json

import pytest

from participation.core.socket_json import RawJSON, dumps, encode


def test_an_encoded_part_is_spliced_in_as_it_is():
    shared = encode({"questions": [{"body": "ถนนหน้าตลาดจะซ่อมเมื่อไร", "upvotes": 12}]})

    text = dumps([{"ok": True, "snapshot": RawJSON(shared), "present": 40}], separators=(",", ":"))

    assert json.loads(text) == [
        {"ok": True, "snapshot": {"questions": [{"body": "ถนนหน้าตลาดจะซ่อมเมื่อไร", "upvotes": 12}]},
         "present": 40}
    ]  # fmt: skip
    assert "ถนน" in text  # Thai as UTF-8, not \\u escapes


def test_text_that_looks_like_a_marker_is_left_alone():
    sly = "\0abcdef123456.0\0"

    text = dumps({"body": sly, "part": RawJSON("[1,2]")})

    assert json.loads(text) == {"body": sly, "part": [1, 2]}


def test_anything_else_unknown_is_still_refused():
    with pytest.raises(TypeError, match="object"):
        dumps({"when": object()})

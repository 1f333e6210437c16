"""The one cleaning of arriving text (forms, API, live events): what goes, what stays."""

import sys
import unicodedata

import pytest
import sqlalchemy as sa

from participation.core.sanitize import MAX_NESTING, NestingError, clean_input
from participation.proposals.models import Contribution

# Thai with every kind of mark a resident types: vowels above and below, tone marks, the
# mai han-akat, sara am, thanthakhat, and digits, as a keyboard produces them.
THAI = "ผู้ใหญ่บ้านแจ้งว่าน้ำท่วมขังที่ถนนเลียบคลองหน้าวัดศรีสุมังคล์ ๓ วันแล้ว ต้องการให้เทศบาลสูบน้ำออกด่วน"


def test_a_thai_sentence_survives_byte_for_byte():
    assert clean_input(THAI).encode() == THAI.encode()
    assert unicodedata.is_normalized("NFC", THAI)


@pytest.mark.parametrize(
    "invisible",
    [
        "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e", "\u034f",
        "\u3164", "\u115f", "\u200b\u200c\u200d\u2060\ufeff",
    ],
)  # fmt: skip
def test_text_of_only_invisible_characters_becomes_empty(invisible):
    assert clean_input(invisible) == ""
    assert clean_input(f" {invisible} ").strip() == ""


@pytest.mark.parametrize(
    "control",
    [
        "\u202e",
        "\u202d",
        "\u202a",
        "\u202b",
        "\u202c",
        "\u2066",
        "\u2067",
        "\u2068",
        "\u2069",
        "\u200e",
        "\u200f",
        "\u061c",
    ],
)
def test_direction_controls_are_removed(control):
    assert clean_input(f"ไฟถนน{control}exe.gnp") == "ไฟถนนexe.gnp"


def test_every_format_character_is_removed_outside_emoji():
    format_characters = [chr(code) for code in range(sys.maxunicode + 1)
                         if unicodedata.category(chr(code)) == "Cf"]  # fmt: skip
    assert len(format_characters) > 150
    kept = [hex(ord(char)) for char in format_characters if clean_input(f"ก{char}ข") != "กข"]
    assert kept == []


def test_emoji_sequences_keep_their_joiners_and_tags():
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    scotland = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
    rainbow = "\U0001f3f3\ufe0f\u200d\U0001f308"
    assert clean_input(f"ครอบครัว {family} {scotland} {rainbow}") == (
        f"ครอบครัว {family} {scotland} {rainbow}"
    )
    assert clean_input("ก\u200dข") == "กข"


def test_unpaired_surrogates_and_control_characters_go_line_breaks_stay():
    assert clean_input("ไฟ\ud800ถนน\udfff\x00\x1b\tซอย 3\r\nดับ") == "ไฟถนน\tซอย 3\r\nดับ"


def test_text_is_normalised_to_one_form():
    assert clean_input("Cafe\u0301") == "Caf\u00e9"
    assert clean_input("\u212b") == "\u00c5"  # the Angstrom sign, canonically A with ring


def test_lists_and_objects_are_cleaned_inside_and_bounded_in_depth():
    assert clean_input({"body\u200b": ["\u200b", {"x": "ก\u202eข"}], "n": 3}) == {
        "body": ["", {"x": "กข"}], "n": 3}  # fmt: skip
    nested = []
    for _level in range(MAX_NESTING + 1):
        nested = [nested]
    with pytest.raises(NestingError):
        clean_input(nested)


def test_a_form_title_of_only_invisible_characters_is_refused(
    client, auth, resident, create_process, in_db
):
    process = create_process("reimagine")
    auth.login(resident)

    response = client.post(f"/processes/{process.slug}/proposals/new",
                           data={"title": "\u200b\u200c\u200d\u2060", "body": "ติดไฟ"})  # fmt: skip

    assert response.status_code == 422
    with in_db() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Contribution)) == 0


def test_a_form_keeps_thai_and_drops_direction_overrides(client, auth, resident, create_process,
                                                        in_db):  # fmt: skip
    process = create_process("reimagine")
    auth.login(resident)

    response = client.post(f"/processes/{process.slug}/proposals/new",
                           data={"title": "ไฟถนน \u202egnp.exe", "body": THAI})  # fmt: skip

    assert response.status_code == 302
    with in_db() as session:
        item = session.scalar(sa.select(Contribution))
        assert item.title == "ไฟถนน gnp.exe"
        assert item.body.encode() == THAI.encode()

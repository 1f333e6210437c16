"""Themes on their own (a planted corpus), and the demo's published summaries."""

import pytest

from participation.summaries.themes import characteristic_phrases, phrase_tokens, stopwords
from tests.summaries.planted import ENGLISH, TOPICS, corpus

FRAGMENTS = ("ติด", "ทำ", "หน้า", "การ", "ตั้งไฟ", "ส่องสว่าง", "ไฟส่องสว่าง", "ถังขยะ", "ชำ")

# One worker segments the planted corpus (a module fixture) once for every test here.
pytestmark = pytest.mark.xdist_group("planted-themes")


@pytest.fixture(scope="module")
def planted():
    documents = [
        (number, "issue" if number % 2 else "proposal", title, phrase_tokens(f"{title}\n{body}"))
        for number, (title, body) in enumerate(corpus(), start=1)
    ]
    return documents, characteristic_phrases(documents)


def test_the_planted_topics_come_out_on_top_as_whole_phrases(planted):
    _documents, themes = planted

    top = [theme["phrase"] for theme in themes["th"][:3]]
    assert set(top) == set(TOPICS)
    assert [theme["documents"] for theme in themes["th"][:3]] == [15, 15, 15]


def test_no_stop_word_or_piece_of_a_word_is_a_theme(planted):
    _documents, themes = planted

    phrases = [theme["phrase"] for theme in themes["th"]]
    assert len(phrases) >= 10  # the noise gives themes too, below the planted ones
    for phrase in phrases:
        assert phrase not in FRAGMENTS, phrase
        assert phrase not in stopwords(), phrase
        assert not any(phrase in other for other in phrases if other != phrase), phrase


def test_thai_and_english_themes_are_found_separately_and_never_mixed(planted):
    _documents, themes = planted

    assert [theme["phrase"] for theme in themes["en"]] == ["street lights"]
    assert themes["en"][0]["documents"] == len(ENGLISH)
    for theme in themes["th"]:
        assert not any("a" <= letter <= "z" for letter in theme["phrase"]), theme["phrase"]


def test_each_theme_has_two_examples_that_contain_it(planted):
    documents, themes = planted
    texts = {number: tokens.replace(" ", "") for number, _kind, _title, tokens in documents}

    for theme in themes["th"][:3]:
        assert len(theme["examples"]) == 2
        for example in theme["examples"]:
            assert theme["phrase"] in texts[example["id"]]
            assert example["title"]
        assert theme["issues"] + theme["proposals"] == theme["documents"]


def test_words_are_cut_where_residents_mean_them():
    assert phrase_tokens("ติดตั้งไฟส่องสว่างในซอยมืด").split() == [
        "ติดตั้ง", "ไฟ", "ส่องสว่าง", "ใน", "ซอย", "มืด"]  # fmt: skip
    assert "ทางม้าลาย" in phrase_tokens("ทาสีทางม้าลายหน้าตลาด").split()
    assert "ชำรุด" in phrase_tokens("ซ่อมถนนชำรุดหน้าโรงเรียน").split()
    assert (
        phrase_tokens("ไฟ LED เสีย, street lights 3 ดวง") == "ไฟ | led | เสีย | street lights | ดวง"
    )


def test_the_demo_has_published_summaries_that_read_well_in_both_languages(runner, client):
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    listing = client.get("/summaries/").get_data(as_text=True)
    assert "เส้นทางเดินปลอดภัยไปโรงเรียน" in listing
    thai = client.get("/summaries/processes/safe-routes-to-school").get_data(as_text=True)
    for text in ("ขอบคุณชาวแม่เหียะทุกคน", "ข้อเสนอที่เป็นฉันทามติ", "ข้อเสนอที่มีความเห็นต่างชัดเจน",
                 "ติดตั้งไฟส่องสว่างพลังงานแสงอาทิตย์", "ไม่รับ", "data-chart="):  # fmt: skip
        assert text in thai, text
    assert client.get("/summaries/processes/safe-routes-to-school.pdf").status_code == 200
    client.post("/language", data={"language": "en", "next": "/"})
    english = client.get("/summaries/processes/safe-routes-to-school").get_data(as_text=True)
    assert "Thank you to everyone in Mae Hia" in english
    assert "What residents want" in english
    hall = client.get("/summaries/townhalls/school-routes-hearing").get_data(as_text=True)
    assert "Most people present at once" in hall
    assert "52" in hall

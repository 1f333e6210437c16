"""Themes on their own, and the demo's published summaries."""

from participation.summaries.themes import characteristic_terms


def test_a_word_inside_a_phrase_found_as_often_gives_way_to_the_phrase():
    documents = [
        (1, "issue", ["โรงเรียน", "โรง", "เรียน", "ถนน"]),
        (2, "proposal", ["โรงเรียน", "โรง", "เรียน", "ไฟ"]),
        (3, "proposal", ["โรงเรียน", "โรง", "เรียน", "ไฟ", "ถนน"]),
        (4, "proposal", ["ตลาด"]),
    ]
    terms = [theme["term"] for theme in characteristic_terms(documents)]
    assert "โรงเรียน" in terms
    assert "โรง" not in terms
    assert "เรียน" not in terms
    assert "ตลาด" not in terms  # in one contribution only
    assert set(terms) == {"โรงเรียน", "ไฟ", "ถนน"}


def test_stop_words_numbers_and_single_letters_are_not_themes():
    documents = [(n, "issue", ["และ", "the", "2569", "a", "น้ำท่วม"]) for n in range(3)]
    assert [theme["term"] for theme in characteristic_terms(documents)] == ["น้ำท่วม"]


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

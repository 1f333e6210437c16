"""The ``words`` filter: a Thai line may break between words, never inside one (the layout
itself is measured in a browser: tests/browser/test_thai_line_breaks.py)."""

from markupsafe import Markup

from participation.core.thai import keep_words, line_groups


def test_compounds_and_trailing_words_stay_together():
    assert "อาสาสมัคร" in line_groups("รับสมัครอาสาสมัครดูแลผู้สูงอายุ")
    assert "ข้อเสนอ" in line_groups("ข้อเสนอของชุมชน")
    assert "เป็นทางการ" in line_groups("คำตอบอย่างเป็นทางการ")
    assert line_groups("สรุปผลเผยแพร่แล้ว")[-1] == "เผยแพร่แล้ว"


def test_community_names_the_dictionary_does_not_know_stay_whole():
    assert "แม่เหียะ" not in line_groups("ชุมชนแม่เหียะใน")
    assert "แม่เหียะใน" in line_groups("ชุมชนแม่เหียะใน", ("แม่เหียะใน",))


def test_groups_become_unbreakable_spans_with_break_points_between_them():
    html = keep_words("ข้อเสนอชุมชน")

    assert html == '<span class="tw">ข้อเสนอ</span><wbr><span class="tw">ชุมชน</span>'


def test_text_is_escaped_and_text_without_thai_is_left_alone():
    assert keep_words("ถนน<script>") == '<span class="tw">ถนน</span>&lt;script&gt;'
    assert keep_words("Road & <b>") == "Road &amp; &lt;b&gt;"
    assert keep_words("") == ""
    assert keep_words(None) == ""


def test_a_translated_message_is_segmented_and_its_escaped_variables_stay_escaped():
    message = Markup("ระงับการใช้งานของ %s") % "<b>x</b>"

    html = keep_words(message)

    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert '<span class="tw">ระงับ</span>' in html
    assert keep_words(Markup("<em>ถนน</em>")) == Markup("<em>ถนน</em>")  # own markup: untouched

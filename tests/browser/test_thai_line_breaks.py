"""On a phone, a Thai title wraps between words, never inside one: not inside a compound
(อาสา/สมัคร, ข้อ/เสนอ), not before a word that leans on the one before (เผยแพร่/แล้ว), and not
inside the name of one of the municipality's communities (แม่เหี/ยะ), which Chromium's own
dictionary does not know.

The headings are written here already cut into words by hand; Chromium lays them out at
390 CSS px and the test reads, character by character (Range.getClientRects), where each new
line starts.
"""

import pytest
import sqlalchemy as sa
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec

from tests.browser.pages import Page

pytestmark = pytest.mark.slow

# Each title as a resident reads it: the pieces a line may break between.
TITLES = [
    "รับสมัคร|อาสาสมัคร|ดูแล|ผู้สูงอายุ|ใน|ชุมชน|แม่เหียะใน|ทุก|วันเสาร์",
    "ข้อเสนอ|ปรับปรุง|ถนน|สายหลัก|ชุมชน|หนองควาย|เผยแพร่แล้ว",
    "คำตอบ|อย่าง|เป็นทางการ|จาก|สภาเทศบาล|เรื่อง|ไฟส่องสว่าง|ชุมชน|สันป่าสัก",
    "ติดตั้ง|ไฟ|ส่องสว่าง|ใน|ซอย|มืด|ชุมชน|ป่าพร้าว|ก่อน|หน้าฝน",
    "อาสาสมัคร|ป้องกัน|ไข้เลือดออก|บ้านป่าจี้|และ|ชุมชน|ต้นขาม",
    "เวที|ประชาคม|เทศบาลเมือง|แม่เหียะ|เรื่อง|งบประมาณ|ของ|ชุมชน",
]
PROCESS_TITLE = "เวที|ประชาคม|เทศบาลเมือง|แม่เหียะ|ชวน|อาสาสมัคร|เสนอ|ข้อเสนอ|เผยแพร่แล้ว"
COMMUNITIES = ["ชุมชนบ้านป่าจี้", "ชุมชนแม่เหียะใน", "ชุมชนต้นขาม", "ชุมชนหนองควาย",
               "ชุมชนป่าพร้าว", "ชุมชนสันป่าสัก"]  # fmt: skip

LINE_STARTS = """
const el = arguments[0];
const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
const starts = [];
let offset = 0, lineTop = null;
while (walker.nextNode()) {
  const node = walker.currentNode;
  for (let i = 0; i < node.length; i++) {
    const range = document.createRange();
    range.setStart(node, i);
    range.setEnd(node, i + 1);
    const rects = range.getClientRects();
    if (!rects.length || rects[0].width === 0) continue;  // marks above and below the line
    const top = rects[0].top;
    if (lineTop !== null && top > lineTop + rects[0].height / 2) starts.push(offset + i);
    if (lineTop === null || top > lineTop + rects[0].height / 2) lineTop = top;
  }
  offset += node.length;
}
return [el.textContent, starts];
"""


def _word_starts(title):
    starts, offset = set(), 0
    for word in title.split("|"):
        starts.add(offset)
        offset += len(word)
    return starts


def _breaks_inside_words(driver, selector, titles):
    """Return (title, where it broke) for each line break inside a word; and how many lines."""
    by_text = {title.replace("|", ""): title for title in titles}
    bad, lines = [], 0
    for element in driver.find_elements(By.CSS_SELECTOR, selector):
        text, starts = driver.execute_script(LINE_STARTS, element)
        text = text.strip() if text.strip() in by_text else text
        title = by_text.get(text.strip())
        if title is None:
            continue
        lead = len(text) - len(text.lstrip())
        allowed = _word_starts(title)
        lines += len(starts) + 1
        for start in starts:
            if start - lead not in allowed:
                plain = text.strip()
                bad.append(f"{plain[: start - lead]}/{plain[start - lead :]}")
    return bad, lines


def test_thai_titles_break_only_between_words_on_a_phone(
    app, browser, socket_server, resident, create_process, create_contribution
):
    from participation.extensions import db
    from participation.municipality.models import Area, Municipality
    from participation.processes.models import Process

    process = create_process("reimagine")
    with app.app_context():
        place = db.session.scalar(sa.select(Municipality))
        place.name_th = "เทศบาลเมืองแม่เหียะ"
        for position, name in enumerate(COMMUNITIES, start=10):
            place.areas.append(Area(slug=f"c{position}", name_th=name, name_en=name,
                                    position=position))  # fmt: skip
        db.session.get(Process, process.id).title_th = PROCESS_TITLE.replace("|", "")
        db.session.commit()
    items = [create_contribution(process, resident, title=title.replace("|", ""))
             for title in TITLES]  # fmt: skip
    server = socket_server()
    page = Page(browser, server.url)

    bad, lines = [], 0
    for path, selector, titles in [
        (f"/processes/{process.slug}", "h1", [PROCESS_TITLE]),
        (f"/processes/{process.slug}/proposals", ".card__title", TITLES),
        (f"/processes/{process.slug}/proposals/{items[0]}", "h1", TITLES),
        (f"/processes/{process.slug}/proposals/{items[2]}", "h1", TITLES),
    ]:
        page.open(path)
        page.wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "footer")))
        assert browser.execute_script("return window.innerWidth") == 390
        found, counted = _breaks_inside_words(browser, selector, titles)
        bad += found
        lines += counted

    # The titles do wrap (so the test measures something), and only between words.
    assert lines >= 2 * (len(TITLES) + 3)
    assert bad == []


def test_emphasis_in_thai_text_is_not_slanted_by_the_browser(
    app, browser, socket_server, resident, create_process, create_contribution
):
    # Thai fonts have no italic; Chromium would slant the letters itself.
    process = create_process("reimagine")
    item = create_contribution(process, resident, title="ขอทางม้าลายหน้าโรงเรียน",
                               body="เด็กข้ามถนน *ทุกเช้า* ตอนเจ็ดโมง")  # fmt: skip
    server = socket_server()
    page = Page(browser, server.url)

    page.open(f"/processes/{process.slug}/proposals/{item}")
    emphasis = page.wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "main em")))

    assert emphasis.text == "ทุกเช้า"
    style = browser.execute_script(
        "const s = getComputedStyle(arguments[0]);"
        "return [s.fontStyle, s.fontSynthesisStyle, s.fontWeight];", emphasis
    )  # fmt: skip
    assert style[0] == "normal"
    assert style[1] == "none"
    assert int(style[2]) > 400  # still stands out, by weight

"""Thai search: segmented-word index for recall, no fragment matches for precision.

The query set below is measured through the real index (SQLite FTS5 here, PostgreSQL tsvector
when the suite runs on PostgreSQL); recall and precision are printed with -s.
"""

import pytest

from participation.search.thai import index_terms, query_terms


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("ติดตั้งไฟส่องสว่างในซอยมืด", "ไฟ"),
        ("สร้างสวนสาธารณะสำหรับเด็กเล็ก", "เด็ก"),
        ("ซ่อมถนนชำรุดหน้าโรงเรียน", "ถนน"),
        ("ซ่อมถนนชำรุดหน้าโรงเรียน", "ชำรุด"),
        ("น้ำท่วมขังทางเท้าทุกหน้าฝน", "ท่วม"),
        ("น้ำท่วมขังทางเท้าทุกหน้าฝน", "ทางเท้า"),
        ("ชุมชนแม่เหียะในขอ CCTV", "cctv"),
    ],
)
def test_words_inside_compounds_are_indexed(text, word):
    assert word in index_terms(text)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("ห้องพยาบาลประจำชุมชน", "ยา"),
        ("ตารางเวลารถเมล์", "ตา"),
        ("รถชนกันบ่อยหน้าตลาด", "อย"),
        ("ประชุมประชาคมหมู่บ้าน", "ชุม"),
        ("สวนสาธารณะสำหรับเด็กเล็ก", "หรับ"),
    ],
)
def test_fragments_of_words_are_not_indexed(text, fragment):
    assert fragment not in index_terms(text)


def test_queries_are_split_into_words_that_must_all_match():
    assert query_terms("ไฟ ส่องสว่าง") == ["ไฟ", "ส่องสว่าง"]
    assert query_terms("ถนนชำรุด") == ["ถนน", "ชำรุด"]
    assert query_terms("  ") == []


CORPUS = {
    "light": "ติดตั้งไฟส่องสว่างในซอยมืด",
    "road": "ซ่อมถนนชำรุดหน้าโรงเรียน",
    "park": "สร้างสวนสาธารณะสำหรับเด็กเล็ก",
    "clinic": "ปรับปรุงห้องพยาบาลประจำชุมชน",
    "medicine": "จัดยาสามัญประจำบ้านให้ผู้สูงอายุ",
    "bus": "ตารางเวลารถเมล์ไม่ตรงเวลา",
    "eyes": "ตรวจตาเด็กนักเรียนฟรี",
    "flood": "น้ำท่วมขังทางเท้าหน้าตลาด",
    "footpath": "ทางเท้าแคบ รถจักรยานยนต์ขี่บนทางเท้า",
    "waste": "ถังขยะล้นหน้าตลาดทุกเช้าวันเสาร์",
    "compost": "ทำปุ๋ยหมักจากเศษอาหารในชุมชน",
    "crossing": "ทำทางม้าลายยกระดับหน้าโรงเรียน",
    "lamp": "เปลี่ยนหลอดไฟถนนเป็นแอลอีดี",
    "electric": "สายไฟฟ้าห้อยต่ำเกะกะ",
    "nursery": "ศูนย์พัฒนาเด็กเล็กขาดครู",
    "dog": "สุนัขจรจัดคุ้ยขยะ",
    "english": "Install CCTV cameras at the market",
    "crash": "รถชนกันบ่อยที่สี่แยกวัด",
    "meeting": "ประชุมประชาคมหมู่บ้านทุกเดือน",
    "canal": "ขุดลอกคูคลองระบายน้ำ",
    "tree": "ปลูกต้นไม้ให้ร่มเงาลานกีฬา",
}

# query → the documents a resident would expect (by their key above)
QUERIES = {
    "ไฟ": {"light", "lamp", "electric"},
    "เด็ก": {"park", "eyes", "nursery"},
    "ถนน": {"road", "lamp"},
    "ยา": {"medicine"},
    "ตา": {"eyes"},
    "ทางเท้า": {"flood", "footpath"},
    "ขยะ": {"waste", "dog"},
    "ตลาด": {"flood", "waste"},
    "โรงเรียน": {"road", "crossing"},
    "ชำรุด": {"road"},
    "ท่วม": {"flood"},
    "ชุมชน": {"clinic", "compost"},
    "หน้าโรงเรียน": {"road", "crossing"},
    "เด็กเล็ก": {"park", "nursery"},
    "พยาบาล": {"clinic"},
    "cctv": {"english"},
    "market": {"english"},
    "ไฟฟ้า": {"electric"},
    "ชน": {"crash"},
    "รถ": {"bus", "footpath", "crash"},
    "ประชุม": {"meeting"},
    "คลอง": {"canal"},
    "น้ำ": {"flood", "canal"},
    "ต้นไม้": {"tree"},
    "ร่มเงา": {"tree"},
    "สาธารณะ": {"park"},
    "วัด": {"crash"},
    "เวลา": {"bus"},
}


@pytest.fixture
def corpus(app, resident, create_process, create_contribution):
    process = create_process("reimagine")
    ids = {key: create_contribution(process, resident, title=text, body=text)
           for key, text in CORPUS.items()}  # fmt: skip
    return process, ids


def _search(app, process_id, query):
    from participation.extensions import db
    from participation.processes.models import Process
    from participation.proposals.listing import Filters, list_contributions

    with app.test_request_context():
        process = db.session.get(Process, process_id)
        page = list_contributions(process, "proposal", Filters(q=query, per_page=100))
        return {item.id for item in page.items}


def test_thai_search_finds_words_inside_compounds_through_the_database(app, corpus):
    process, ids = corpus

    assert ids["light"] in _search(app, process.id, "ไฟ")
    assert ids["park"] in _search(app, process.id, "เด็ก")
    assert ids["road"] in _search(app, process.id, "ถนน")
    assert ids["clinic"] not in _search(app, process.id, "ยา")


def test_thai_search_recall_and_precision_on_a_query_set(app, corpus, capsys):
    process, ids = corpus
    by_id = {value: key for key, value in ids.items()}
    relevant_found = found_total = relevant_total = 0
    misses, extras = [], []
    for query, expected in QUERIES.items():
        found = {by_id[i] for i in _search(app, process.id, query)}
        relevant_found += len(found & expected)
        found_total += len(found)
        relevant_total += len(expected)
        misses += [(query, key) for key in expected - found]
        extras += [(query, key) for key in found - expected]
    recall = relevant_found / relevant_total
    precision = relevant_found / found_total
    with capsys.disabled():
        print(f"\nThai search over {len(QUERIES)} queries: recall {recall:.3f}, "
              f"precision {precision:.3f}; missed {misses}; extra {extras}")  # fmt: skip

    assert recall >= 0.95, misses
    assert precision >= 0.95, extras


def test_search_combines_with_filters_and_counts_results(app, corpus, client):
    process, ids = corpus

    page = client.get(f"/processes/{process.slug}/proposals?q=ทางเท้า").get_data(as_text=True)

    assert CORPUS["flood"] in page
    assert CORPUS["footpath"] in page
    assert CORPUS["light"] not in page


def test_search_input_with_quotes_and_operators_is_safe(app, corpus, client):
    process, _ids = corpus
    for query in ('"', "ไฟ OR ถนน", "NEAR(ไฟ)", "' OR 1=1 --", "*", 'ไฟ"ถนน', "a & b | !c"):
        response = client.get(f"/processes/{process.slug}/proposals", query_string={"q": query})
        assert response.status_code == 200, query

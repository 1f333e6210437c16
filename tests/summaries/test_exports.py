"""A published summary as PDF (Thai intact), CSV and JSON, and the open data beneath it."""

import csv
import io
import json
import shutil
import subprocess
import unicodedata

import pytest


@pytest.fixture
def published(client, auth, finished_process):
    slug = finished_process.slug
    auth.login(finished_process.council)
    client.post(f"/summaries/processes/{slug}/review")
    client.post(f"/summaries/processes/{slug}/statement", data={
        "statement_th": "สภาเทศบาลขอบคุณทุกความคิดเห็น จะติดตั้งไฟส่องสว่างและซ่อมทางเท้า",
        "statement_en": "The council thanks everyone who took part.",
    })  # fmt: skip
    client.post(f"/summaries/processes/{slug}/publish")
    auth.logout()
    return finished_process


def pdf_text(data, tmp_path):
    assert data.startswith(b"%PDF-")
    path = tmp_path / "summary.pdf"
    path.write_bytes(data)
    tool = shutil.which("pdftotext")
    assert tool, "pdftotext (poppler-utils) is installed by the test set-up"
    return subprocess.run([tool, "-raw", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip


def same_text(text):
    """Thai as a reader sees it: compatibility form (ำ = ํ + า), spaces and line breaks aside."""
    return unicodedata.normalize("NFKD", "".join(text.split()))


def test_the_pdf_renders_thai_titles_and_statement_intact(client, published, tmp_path):
    response = client.get(f"/summaries/processes/{published.slug}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = same_text(pdf_text(response.data, tmp_path))
    for expected in ("กระบวนการ 1", "ประชาชนพูดอะไร และสภาเทศบาลตัดสินใจอย่างไร",
                     "ติดตั้งไฟส่องสว่างพลังงานแสงอาทิตย์ในซอย", "ขยายถนนหน้าโรงเรียน",
                     "สภาเทศบาลขอบคุณทุกความคิดเห็น จะติดตั้งไฟส่องสว่างและซ่อมทางเท้า",
                     "ข้อเสนอที่เป็นฉันทามติ", "ประเด็นหลักที่พูดถึง", "ชุมชนเหนือ"):  # fmt: skip
        assert same_text(expected) in text, expected


def test_the_pdf_follows_the_readers_language(client, published, tmp_path):
    client.post("/language", data={"language": "en", "next": "/"})
    response = client.get(f"/summaries/processes/{published.slug}.pdf")
    text = pdf_text(response.data, tmp_path)
    assert "What residents said and what the council decided" in " ".join(text.split())
    assert "The council thanks everyone who took part." in " ".join(text.split())


def test_the_json_summary_has_the_figures_and_every_decision(client, published):
    document = client.get(f"/summaries/processes/{published.slug}.json").get_json()
    assert document["state"] == "published"
    assert document["subject"]["slug"] == published.slug
    assert document["figures"]["participation"]["participants"] == 8
    assert [d["proposal_id"] for d in document["decisions"]] == [published.ids.p2, published.ids.p1]
    assert "@" not in json.dumps(document)  # no e-mail addresses


def test_the_csv_summary_is_long_format_and_opens_in_spreadsheets(client, published):
    response = client.get(f"/summaries/processes/{published.slug}.csv")
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeffsection,key,metric,value")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert ["participation", "all", "participants", "8"] in rows
    assert ["theme", "โรงเรียน", "documents", "4"] in rows
    assert ["decision", str(published.ids.p1), "progress", "40"] in rows


@pytest.mark.parametrize("dataset", ["issues", "proposals", "comments", "responses"])
def test_open_data_holds_public_content_only(client, published, dataset):
    csv_text = client.get(f"/summaries/processes/{published.slug}/data/{dataset}.csv").get_data(
        as_text=True
    )
    rows = list(csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff"))))
    items = client.get(f"/summaries/processes/{published.slug}/data/{dataset}.json").get_json()
    assert len(items) == len(rows) > 0
    assert "@" not in csv_text
    assert "example.org" not in csv_text
    assert "ข้อเสนอที่ถูกซ่อน" not in csv_text  # hidden by a moderator
    if dataset == "proposals":
        assert {row["title"] for row in rows} == {
            "ติดตั้งไฟส่องสว่างพลังงานแสงอาทิตย์ในซอย",
            "ขยายถนนหน้าโรงเรียน",
            "ปลูกต้นไม้ริมทางเท้า",
        }
        assert {row["author"] for row in rows} <= {p.name for p in published.people}


def test_an_unknown_dataset_is_not_found(client, published):
    assert client.get(f"/summaries/processes/{published.slug}/data/users.csv").status_code == 404


def test_csv_cells_cannot_run_as_spreadsheet_formulas():
    from participation.core.exports import safe_cell

    assert safe_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert safe_cell("+1") == "'+1"
    assert safe_cell(5) == 5
    assert safe_cell("ไฟ") == "ไฟ"


@pytest.mark.parametrize("page", [str(10**20), "-1", "abc"])
def test_a_summary_page_number_out_of_range_shows_the_first_decisions(client, published, page):
    answer = client.get(f"/summaries/processes/{published.slug}", query_string={"page": page})
    assert answer.status_code == 200
    assert "ติดตั้งไฟส่องสว่างพลังงานแสงอาทิตย์ในซอย" in answer.get_data(as_text=True)


def test_the_council_pdf_has_a_letterhead_the_reasons_and_no_rows_of_zeros(
    app, client, auth, published, tmp_path, in_db
):
    from participation.proposals.models import OfficialResponse

    with in_db() as session:  # the council gives its reasons for the accepted proposal
        session.query(OfficialResponse).update({"body": "รับไว้ดำเนินการ ใช้งบประมาณปี 2570 ติดตั้ง 12 จุด"})
        session.commit()
    # How long a PDF takes is measured in bench/summary_bench.py, not here.
    response = client.get(f"/summaries/processes/{published.slug}.pdf")
    assert response.status_code == 200
    pages = pdf_text(response.data, tmp_path).split("\f")
    text = same_text(" ".join(pages))

    first_page = same_text(pages[0])
    assert first_page.startswith(same_text("เทศบาลทดสอบ"))  # the municipality heads the letter
    assert same_text("รับไว้ดำเนินการ ใช้งบประมาณปี 2570 ติดตั้ง 12 จุด") in text
    # Nothing happened in Remake: its row of zeros is left out, as are statuses nobody got.
    assert same_text("สร้างใหม่") not in text
    assert same_text("ไม่รับ") not in text
    assert same_text("อยู่ระหว่างพิจารณา") not in text
    assert all(page.strip() for page in pages[:-1])  # no empty page (the last is after \f)

"""Messages are written as bytes by Ruamkid itself; any mail client must read them as meant."""

import email.header

import pytest

from participation.core.mail import compose, outbox, read_message, send_mail

THAI = "ความเห็นใหม่ 3 รายการในข้อเสนอ “ทางเท้าหน้าตลาดสดแม่เหียะ” ที่คุณติดตาม"


def _read(data):
    return read_message(data)


@pytest.fixture
def context(app):
    app.config["MAIL_SENDER"] = "เทศบาลตำบลแม่เหียะ <no-reply@maehia.example>"
    with app.app_context():
        yield app


def test_a_thai_digest_reads_back_exactly_as_written(context):
    text = f"สวัสดีค่ะ คุณมาลี\n\n{THAI}\nhttps://ruamkid.example/p/1\n" * 40
    html = f"<p>{THAI}</p>\n" * 200

    data = compose("malee@example.org", THAI, text, html=html,
                   headers={"List-Unsubscribe": "<https://ruamkid.example/u/abc.def>"})  # fmt: skip
    message = _read(data)

    assert message["Subject"] == THAI
    assert message["To"] == "malee@example.org"
    # As RFC 2047 reads a name in several encoded words (the standard library's address
    # parser keeps a space between them that mail clients drop).
    raw_from = data.split(b"\r\nTo:")[0].decode().removeprefix("From: ")
    assert str(email.header.make_header(email.header.decode_header(raw_from))) == (
        "เทศบาลตำบลแม่เหียะ <no-reply@maehia.example>"
    )
    assert message["List-Unsubscribe"] == "<https://ruamkid.example/u/abc.def>"
    assert message["Message-ID"].endswith("@maehia.example>")
    assert message["Date"].datetime is not None
    assert message.get_content_type() == "multipart/alternative"
    assert message.get_body(("plain",)).get_content() == text
    assert message.get_body(("html",)).get_content() == html
    assert message.get_body(("html",)) is message.get_body()  # HTML is the preferred one
    assert not message.defects
    for part in message.walk():
        assert not part.defects


def test_no_line_of_the_message_is_longer_than_mail_servers_take(context):
    data = compose("malee@example.org", THAI * 3, "ก" * 5000, html="<p>" + "x" * 5000 + "</p>")

    lines = data.split(b"\r\n")
    assert max(len(line) for line in lines) <= 78
    assert b"\n" not in data.replace(b"\r\n", b"")  # every line ends in CRLF
    assert _read(data)["Subject"] == THAI * 3


def test_a_subject_cannot_add_a_header_of_its_own(context):
    data = compose("malee@example.org", "Hello\r\nBcc: everyone@example.org\nX-Evil: 1", "body")
    message = _read(data)

    assert message["Bcc"] is None
    assert message["X-Evil"] is None
    assert message["Subject"] == "Hello Bcc: everyone@example.org X-Evil: 1"


def test_two_messages_never_share_a_message_id(context):
    first = _read(compose("a@example.org", "s", "t", html="<p>t</p>"))
    second = _read(compose("a@example.org", "s", "t", html="<p>t</p>"))

    assert first["Message-ID"] != second["Message-ID"]


def test_an_english_text_only_message_stays_readable_as_plain_text(context):
    data = compose("malee@example.org", "Reset your password", "Open this link:\nhttps://x/r/1\n")

    assert b"Content-Transfer-Encoding: 7bit" in data
    assert b"https://x/r/1" in data
    assert _read(data).get_content() == "Open this link:\nhttps://x/r/1\n"


def test_an_address_beyond_ascii_still_gets_its_message(context):
    app = context
    app.config["MAIL_BACKEND"] = "memory"
    before = len(outbox())

    send_mail("มาลี@ตัวอย่าง.ไทย", THAI, "สวัสดี", html="<p>สวัสดี</p>")

    message = outbox()[before]
    assert message["To"] == "มาลี@ตัวอย่าง.ไทย"
    assert message["Subject"] == THAI
    assert message.get_body(("plain",)).get_content().strip() == "สวัสดี"

"""Mail goes out over SMTP in production and to the log in development; CLI commands work."""

import logging
import socketserver
import threading

import pytest

from participation.core.mail import send_mail


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough of SMTP (RFC 5321) to receive one message."""

    def handle(self):
        self.wfile.write(b"220 test ESMTP\r\n")
        data_mode, lines = False, []
        for raw in self.rfile:
            line = raw.decode().rstrip("\r\n")
            if data_mode:
                if line == ".":
                    self.server.received.append("\n".join(lines))
                    data_mode = False
                    self.wfile.write(b"250 queued\r\n")
                else:
                    lines.append(line)
                continue
            verb = line.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.wfile.write(b"250 test\r\n")
            elif verb == "DATA":
                data_mode = True
                self.wfile.write(b"354 go ahead\r\n")
            elif verb == "QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def smtp_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTPHandler)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_production_mail_goes_out_over_smtp(config, make_app, smtp_server):
    config.MAIL_BACKEND = "smtp"
    config.MAIL_SERVER, config.MAIL_PORT = smtp_server.server_address
    config.MAIL_USE_TLS = False
    app = make_app(config)

    with app.app_context():
        send_mail("malee@example.org", "ทดสอบ", "สวัสดีจากร่วมคิด")

    assert len(smtp_server.received) == 1
    assert "To: malee@example.org" in smtp_server.received[0]


def test_development_mail_is_printed_to_the_log(config, make_app, caplog):
    config.MAIL_BACKEND = "log"
    app = make_app(config)

    with app.app_context(), caplog.at_level(logging.INFO, logger="participation.core.mail"):
        send_mail("malee@example.org", "Subject here", "The link: http://x/reset/abc")

    assert "http://x/reset/abc" in caplog.text


def test_translate_extract_collects_strings(runner, tmp_path, monkeypatch):
    from participation.core import cli

    monkeypatch.setattr(cli, "TEMPLATE", tmp_path / "messages.pot")

    result = runner.invoke(args=["translate", "extract"])

    assert result.exit_code == 0, result.output
    template = (tmp_path / "messages.pot").read_text()
    assert 'msgid "Sign in"' in template
    assert "#: templates/base.html" in template


def test_demo_seed_creates_people_of_every_role_once(runner):
    first = runner.invoke(args=["demo", "seed"])
    again = runner.invoke(args=["demo", "seed", "--if-empty"])
    refused = runner.invoke(args=["demo", "seed"])

    assert first.exit_code == 0, first.output
    for email in ("admin@ruamkid.test", "facilitator@ruamkid.test", "council@ruamkid.test"):
        assert email in first.output
    assert again.exit_code == 0
    assert "skipped" in again.output
    assert refused.exit_code != 0


def test_demo_logins_work(client, runner):
    from participation.demo.seed import DEMO_PASSWORD

    runner.invoke(args=["demo", "seed"])

    response = client.post(
        "/login", data={"email": "council@ruamkid.test", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302

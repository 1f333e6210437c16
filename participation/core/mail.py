"""Sending e-mail: to the log in development, to memory in tests, over SMTP in production.

A message has a plain-text part and, when given, an HTML part (multipart/alternative), plus
any extra headers (``List-Unsubscribe``). Over SMTP, a failure is classified for the caller:
:class:`TemporaryMailError` (a 4xx answer, a refused or dropped connection, a timeout: try
again later) or :class:`PermanentMailError` (a 5xx answer about this message or address, i.e.
a bounce at sending time: trying again will not help).

Many messages at once (a digest run) go through one SMTP connection: ``with
mail_connection(): send_mail(...)`` reuses it for every message sent in the block, and
connects again once when the server dropped it between messages.

Messages are written as bytes by :func:`compose` (MIME, RFC 2045-2047 and 5322) rather than
built with the standard library's ``EmailMessage``: a daily digest hands 100,000 messages to
the server, and ``EmailMessage`` took about 1.3 ms to build each one and as long again to
turn it into bytes, against about 0.1 ms here. The ``memory`` backend parses what was written
with the standard library, so tests read every message as a client would.
"""

import binascii
import email
import email.policy
import email.utils
import functools
import logging
import re
import secrets
import smtplib
from contextlib import contextmanager
from contextvars import ContextVar
from email.message import EmailMessage

from flask import current_app

logger = logging.getLogger(__name__)


class MailError(Exception):
    """The message was not sent."""


class TemporaryMailError(MailError):
    """Not sent now; the same message may well go through later."""


class PermanentMailError(MailError):
    """Refused for good (a 5xx answer: unknown address, message refused)."""


class Outbox(list):
    """What the ``memory`` backend sent: each message parsed back from its bytes."""

    def append_sent(self, data):
        """Keep ``data`` as a mailbox would (lines ending in LF), parsed."""
        self.append(read_message(data))


def read_message(data):
    """A message written by :func:`compose`, parsed as a mail client reads it."""
    return email.message_from_bytes(data.replace(b"\r\n", b"\n"), policy=email.policy.default)


def outbox():
    """Return the :class:`Outbox` that the ``memory`` backend appends sent messages to."""
    return current_app.extensions.setdefault("ruamkid_outbox", Outbox())


# --- Writing a message --------------------------------------------------------------------------

_LINE_BREAKS = re.compile(r"[\r\n]+")
_CHUNK = 57  # bytes of content per base64 line of 76 characters


def _one_line(value):
    """A header value on one line: a line break in it would start a header of its own."""
    return _LINE_BREAKS.sub(" ", str(value)).strip()


def _encoded_words(value):
    """``value`` as RFC 2047 encoded words (UTF-8, base64), each at most 64 characters (a line
    stays under 78 with its header's name) and never splitting a character, folded onto
    continuation lines."""
    words, chunk, size = [], [], 0
    for character in value:
        length = len(character.encode())
        if size + length > 39:  # 39 bytes: 52 base64 characters, 64 with "=?utf-8?b??="
            words.append("".join(chunk))
            chunk, size = [], 0
        chunk.append(character)
        size += length
    if chunk:
        words.append("".join(chunk))
    return "\r\n ".join(
        "=?utf-8?b?" + binascii.b2a_base64(word.encode(), newline=False).decode() + "?="
        for word in words
    )


@functools.lru_cache(maxsize=1024)  # a digest run writes the same few subjects 100,000 times
def _header_value(value):
    """Unstructured header text (a subject): as it is when plain ASCII, else encoded words."""
    value = _one_line(value)
    if value.isascii() and value.isprintable() and len(value) <= 900:
        return value
    return _encoded_words(value)


@functools.lru_cache(maxsize=8)
def _sender(configured):
    """``(From header, envelope address, Message-ID domain)`` of MAIL_SENDER."""
    name, address = email.utils.parseaddr(configured)
    address = address or "no-reply@localhost"
    domain = address.rpartition("@")[2] or "localhost"
    if name and not name.isascii():
        header = f"{_encoded_words(_one_line(name))} <{address}>"
    else:
        header = email.utils.formataddr((_one_line(name), address))
    return header, address, domain


def _body(text):
    """``(Content-Transfer-Encoding, encoded bytes)`` of a text part: 7bit for ASCII lines a
    mail server takes as they are, base64 otherwise (Thai: quoted-printable would triple it)."""
    data = text.replace("\r\n", "\n").replace("\r", "\n").encode()
    if text.isascii() and all(len(line) <= 990 for line in data.split(b"\n")):
        return "7bit", data.replace(b"\n", b"\r\n")
    encoded = binascii.b2a_base64(data, newline=False)
    return "base64", b"\r\n".join([encoded[i : i + 76] for i in range(0, len(encoded), 76)])


def _part(subtype, text):
    encoding, data = _body(text)
    head = (
        f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
        f"Content-Transfer-Encoding: {encoding}\r\n\r\n"
    )
    return head.encode() + data + b"\r\n"


def compose(to, subject, body, html=None, headers=None):
    """The message as it is sent, in bytes: the plain text, then the HTML as the preferred
    alternative. ``to`` is one ASCII address; ``headers`` are extra headers (ASCII values,
    such as ``List-Unsubscribe``)."""
    from_header, _address, domain = _sender(current_app.config["MAIL_SENDER"])
    lines = [
        f"From: {from_header}",
        f"To: {_one_line(to)}",
        f"Subject: {_header_value(subject)}",
        f"Date: {email.utils.formatdate(usegmt=True)}",
        f"Message-ID: <{secrets.token_hex(16)}@{domain}>",
        "MIME-Version: 1.0",
    ]
    lines += [f"{name}: {_header_value(value)}" for name, value in (headers or {}).items()]
    if html is None:
        data = ("\r\n".join(lines) + "\r\n").encode() + _part("plain", body)
        return data[:-2] if data.endswith(b"\r\n\r\n") else data
    boundary = "=_ruamkid_" + secrets.token_hex(12)  # never in base64 or in our 7bit text
    lines.append(f'Content-Type: multipart/alternative;\r\n boundary="{boundary}"')
    separator = f"--{boundary}\r\n".encode()
    return b"".join(
        (
            ("\r\n".join(lines) + "\r\n\r\n").encode(),
            separator,
            _part("plain", body),
            separator,
            _part("html", html),
            f"--{boundary}--\r\n".encode(),
        )
    )


def build_message(to, subject, body, html=None, headers=None):
    """The message as the standard library builds it: for an address beyond ASCII, which
    needs SMTPUTF8 (rare, and ``smtplib`` then does the work)."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = _one_line(subject)
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def _text(answer):
    return answer.decode(errors="replace") if isinstance(answer, bytes) else str(answer)


def _classify(error):
    """Turn an smtplib/socket error into a temporary or permanent :class:`MailError`."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _text in error.recipients.values()]
        reason = "; ".join(
            f"{address}: {code} {_text(text)}" for address, (code, text) in error.recipients.items()
        )
        if codes and all(500 <= code < 600 for code in codes):
            return PermanentMailError(reason)
        return TemporaryMailError(reason)
    if isinstance(error, smtplib.SMTPAuthenticationError):
        # Our own credentials are wrong: not the recipient's fault, so the message waits for
        # an administrator to fix the settings (the job fails visibly at /admin/jobs).
        return TemporaryMailError(f"authentication failed: {error.smtp_code}")
    if isinstance(error, smtplib.SMTPResponseException):
        reason = f"{error.smtp_code} {_text(error.smtp_error)}"
        if 500 <= error.smtp_code < 600:
            return PermanentMailError(reason)
        return TemporaryMailError(reason)
    # Disconnected, refused, timed out, name not resolved: the server, not the message.
    return TemporaryMailError(f"{type(error).__name__}: {error}")


def _connect():
    config = current_app.config
    smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=20)
    try:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    except BaseException:
        smtp.close()
        raise
    return smtp


class Connection:
    """One SMTP connection for many messages, opened at the first message."""

    def __init__(self):
        self.smtp = None
        self.opened = 0  # connections opened (for tests and the log)

    def _open(self):
        self.smtp = _connect()
        self.opened += 1

    def drop(self):
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None

    def _hand(self, message, to):
        if isinstance(message, bytes):
            envelope = _sender(current_app.config["MAIL_SENDER"])[1]
            self.smtp.sendmail(envelope, [to], message)
        else:
            self.smtp.send_message(message)

    def send(self, message, to=None):
        """Send ``message``: bytes from :func:`compose` (to ``to``) or an ``EmailMessage``."""
        try:
            reused = self.smtp is not None
            if not reused:
                self._open()
            try:
                self._hand(message, to)
            except (smtplib.SMTPServerDisconnected, ConnectionError):
                if not reused:
                    raise
                # The server closed the connection since the last message (idle timeout,
                # restart): connect once more and send this message again.
                self.smtp.close()
                self.smtp = None
                self._open()
                self._hand(message, to)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException) as error:
            # An answer about this message: the connection stays good for the next ones
            # (smtplib has reset the transaction).
            if isinstance(error, smtplib.SMTPResponseException) and error.smtp_code == 421:
                self.drop()  # 421: the server is closing the channel
            raise _classify(error) from error
        except (TimeoutError, smtplib.SMTPException, OSError) as error:
            if self.smtp is not None:
                self.smtp.close()
                self.smtp = None
            raise _classify(error) from error


_connection = ContextVar("ruamkid_mail_connection", default=None)


@contextmanager
def mail_connection():
    """Send every message of the block over one SMTP connection (any backend: nothing to
    open for ``memory`` and ``log``); yields the :class:`Connection`."""
    current = _connection.get()
    if current is not None:
        yield current
        return
    connection = Connection()
    token = _connection.set(connection)
    try:
        yield connection
    finally:
        _connection.reset(token)
        connection.drop()


def _send_smtp(message, to):
    connection = _connection.get()
    if connection is not None:
        connection.send(message, to)
        return
    single = Connection()
    try:
        single.send(message, to)
    finally:
        single.drop()


def send_mail(to, subject, body, html=None, headers=None):
    """Send a message through the configured backend; raises :class:`MailError` when the
    SMTP server did not take it."""
    if to.isascii():
        message = compose(to, subject, body, html=html, headers=headers)
    else:
        message = build_message(to, subject, body, html=html, headers=headers)
    backend = current_app.config["MAIL_BACKEND"]
    if backend == "memory":
        if isinstance(message, bytes):
            outbox().append_sent(message)
        else:
            outbox().append(message)
    elif backend == "log":
        logger.info(
            "E-mail (not sent, MAIL_BACKEND=log)\nTo: %s\nSubject: %s\n%s\n%s",
            to,
            subject,
            "".join(f"{name}: {value}\n" for name, value in (headers or {}).items()),
            body,
        )
    else:
        _send_smtp(message, to)

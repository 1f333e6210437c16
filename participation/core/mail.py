"""Sending e-mail: to the log in development, to memory in tests, over SMTP in production.

A message has a plain-text part and, when given, an HTML part (multipart/alternative), plus
any extra headers (``List-Unsubscribe``). Over SMTP, a failure is classified for the caller:
:class:`TemporaryMailError` (a 4xx answer, a refused or dropped connection, a timeout: try
again later) or :class:`PermanentMailError` (a 5xx answer about this message or address, i.e.
a bounce at sending time: trying again will not help).

Many messages at once (a digest run) go through one SMTP connection: ``with
mail_connection(): send_mail(...)`` reuses it for every message sent in the block, and
connects again once when the server dropped it between messages.
"""

import logging
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


def outbox():
    """Return the list that the ``memory`` backend appends sent messages to."""
    return current_app.extensions.setdefault("ruamkid_outbox", [])


def build_message(to, subject, body, html=None, headers=None):
    """The message as it is sent: text, then HTML as the preferred alternative."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body, cte=_transfer_encoding(body))
    if html is not None:
        message.add_alternative(html, subtype="html", cte=_transfer_encoding(html))
    return message


def _transfer_encoding(text):
    """Base64 for text beyond ASCII (Thai), as the e-mail package would choose after encoding
    it both ways and comparing (half the cost of a digest e-mail); ASCII as it chooses."""
    return None if text.isascii() else "base64"


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

    def send(self, message):
        try:
            reused = self.smtp is not None
            if not reused:
                self._open()
            try:
                self.smtp.send_message(message)
            except (smtplib.SMTPServerDisconnected, ConnectionError):
                if not reused:
                    raise
                # The server closed the connection since the last message (idle timeout,
                # restart): connect once more and send this message again.
                self.smtp.close()
                self.smtp = None
                self._open()
                self.smtp.send_message(message)
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


def _send_smtp(message):
    connection = _connection.get()
    if connection is not None:
        connection.send(message)
        return
    single = Connection()
    try:
        single.send(message)
    finally:
        single.drop()


def send_mail(to, subject, body, html=None, headers=None):
    """Send a message through the configured backend; raises :class:`MailError` when the
    SMTP server did not take it."""
    message = build_message(to, subject, body, html=html, headers=headers)
    backend = current_app.config["MAIL_BACKEND"]
    if backend == "memory":
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
        _send_smtp(message)

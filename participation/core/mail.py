"""Sending e-mail: to the log in development, to memory in tests, over SMTP in production."""

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app

logger = logging.getLogger(__name__)


def outbox():
    """Return the list that the ``memory`` backend appends sent messages to."""
    return current_app.extensions.setdefault("ruamkid_outbox", [])


def send_mail(to, subject, body):
    """Send a plain-text message through the configured backend."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)

    backend = config["MAIL_BACKEND"]
    if backend == "memory":
        outbox().append(message)
    elif backend == "log":
        logger.info(
            "E-mail (not sent, MAIL_BACKEND=log)\nTo: %s\nSubject: %s\n\n%s", to, subject, body
        )
    else:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=20) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(message)

"""Talking to LINE: LINE Login (OAuth 2.0 / OpenID Connect) and the Messaging API.

LINE Login: :func:`authorize_url` sends the resident to LINE with ``state`` and ``nonce``;
:func:`exchange_code` swaps the code LINE sends back for an ID token at the token endpoint;
:func:`verify_id_token` checks that token as LINE's documentation says (HS256 signed with the
LINE Login channel secret; ``iss``, ``aud`` = the channel id, ``exp``, ``nonce``).

Messaging API, through ``line-bot-sdk`` (``linebot.v3.messaging``): :func:`send_text` makes one
call, a push for one person or a multicast for up to :data:`MULTICAST_MAX`. Every address comes
from the configuration (``LINE_API_URL``, ``LINE_ACCESS_URL``), so tests talk to a fake server.
"""

import base64
import binascii
import hashlib
import hmac
import json
import logging
import time
from urllib.parse import urlencode

import requests
from flask import current_app

logger = logging.getLogger(__name__)

#: Seconds LINE has to answer one call.
TIMEOUT = 10
#: LINE's limit of recipients in one multicast.
MULTICAST_MAX = 500
#: LINE's limit of characters in one text message.
TEXT_MAX = 5000
#: Seconds of clock difference allowed when checking an ID token's times.
LEEWAY = 60


class LoginError(Exception):
    """LINE Login failed; ``reason`` says where (``exchange``, ``token``, ``nonce``)."""

    def __init__(self, reason, detail=""):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason


class SendError(Exception):
    """The Messaging API refused or did not answer. ``temporary``: worth trying again later
    (429 too many requests, a 5xx, no answer); otherwise the message will never go."""

    def __init__(self, status, detail=""):
        super().__init__(f"LINE answered {status or 'nothing'}: {detail}"[:500])
        self.status = status
        self.temporary = status in (0, 429) or status >= 500


def _config():
    return current_app.config


# --- LINE Login ---------------------------------------------------------------------------------


def authorize_url(redirect_uri, state, nonce):
    """LINE Login's page, where the resident allows Ruamkid to know their LINE user id.

    ``bot_prompt=aggressive`` offers to add the municipality's Official Account as a friend
    on the same page, where the LINE Login channel is linked to it."""
    params = {
        "response_type": "code",
        "client_id": _config()["LINE_LOGIN_CHANNEL_ID"],
        "redirect_uri": redirect_uri,
        "state": state,
        "scope": "openid profile",
        "nonce": nonce,
        "bot_prompt": "aggressive",
    }
    return f"{_config()['LINE_ACCESS_URL']}/oauth2/v2.1/authorize?{urlencode(params)}"


def exchange_code(code, redirect_uri):
    """The ID token (a JWT, still to verify) that LINE gives for ``code``."""
    config = _config()
    try:
        response = requests.post(
            f"{config['LINE_API_URL']}/oauth2/v2.1/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "client_id": config["LINE_LOGIN_CHANNEL_ID"],
                "client_secret": config["LINE_LOGIN_CHANNEL_SECRET"],
            },
            timeout=TIMEOUT,
        )
    except requests.RequestException as error:
        raise LoginError("exchange", repr(error)) from None
    if response.status_code != 200:
        raise LoginError("exchange", f"HTTP {response.status_code}: {response.text[:200]}")
    try:
        token = response.json()["id_token"]
    except (ValueError, KeyError, TypeError):
        raise LoginError("exchange", "no id_token in the answer") from None
    if not isinstance(token, str):
        raise LoginError("exchange", "no id_token in the answer")
    return token


def _b64decode(part):
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def verify_id_token(token, nonce, now=None):
    """The ID token's claims, once its signature, issuer, audience, times and nonce are right.

    Raises :class:`LoginError` with reason ``nonce`` for a nonce that is not this attempt's,
    ``token`` for anything else."""
    config = _config()
    try:
        header_part, claims_part, signature_part = token.split(".")
        header = json.loads(_b64decode(header_part))
        claims = json.loads(_b64decode(claims_part))
        signature = _b64decode(signature_part)
    except (ValueError, binascii.Error):
        raise LoginError("token", "not a JWT") from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise LoginError("token", "not a JWT")
    if header.get("alg") != "HS256":
        raise LoginError("token", f"algorithm {header.get('alg')!r}")
    expected = hmac.new(
        config["LINE_LOGIN_CHANNEL_SECRET"].encode(),
        f"{header_part}.{claims_part}".encode(),
        hashlib.sha256,
    ).digest()
    if not hmac.compare_digest(expected, signature):
        raise LoginError("token", "bad signature")
    now = time.time() if now is None else now
    if claims.get("iss") != config["LINE_ACCESS_URL"]:
        raise LoginError("token", f"issuer {claims.get('iss')!r}")
    if claims.get("aud") != config["LINE_LOGIN_CHANNEL_ID"]:
        raise LoginError("token", f"audience {claims.get('aud')!r}")
    expires, issued = claims.get("exp"), claims.get("iat")
    if not isinstance(expires, int | float) or expires + LEEWAY < now:
        raise LoginError("token", "expired")
    if isinstance(issued, int | float) and issued - LEEWAY > now:
        raise LoginError("token", "issued in the future")
    if not isinstance(claims.get("nonce"), str) or not hmac.compare_digest(
        claims["nonce"].encode(), (nonce or "").encode()
    ):
        raise LoginError("nonce", "not this attempt's nonce")
    subject = claims.get("sub")
    if not isinstance(subject, str) or not 0 < len(subject) <= 64:
        raise LoginError("token", "no subject")
    return claims


# --- Messaging API ------------------------------------------------------------------------------


def _api_client():
    from linebot.v3.messaging import ApiClient, Configuration

    config = _config()
    return ApiClient(
        Configuration(host=config["LINE_API_URL"], access_token=config["LINE_CHANNEL_ACCESS_TOKEN"])
    )


def send_text(line_user_ids, text, retry_key=None):
    """Send ``text`` to ``line_user_ids`` (1 to :data:`MULTICAST_MAX`) in one call.

    ``retry_key`` (a UUID) makes a repeated call harmless: LINE answers 409 to a key it
    already accepted, which counts as sent. Raises :class:`SendError`."""
    import urllib3
    from linebot.v3.messaging import (
        MessagingApi,
        MulticastRequest,
        PushMessageRequest,
        TextMessage,
    )
    from linebot.v3.messaging.exceptions import ApiException

    if not 0 < len(line_user_ids) <= MULTICAST_MAX:
        raise ValueError(f"{len(line_user_ids)} recipients in one call")
    message = TextMessage(text=text[:TEXT_MAX])
    try:
        with _api_client() as client:
            api = MessagingApi(client)
            if len(line_user_ids) == 1:
                api.push_message(
                    PushMessageRequest(to=line_user_ids[0], messages=[message]),
                    x_line_retry_key=retry_key, _request_timeout=TIMEOUT,
                )  # fmt: skip
            else:
                api.multicast(
                    MulticastRequest(to=list(line_user_ids), messages=[message]),
                    x_line_retry_key=retry_key, _request_timeout=TIMEOUT,
                )  # fmt: skip
    except ApiException as error:
        if error.status == 409 and retry_key:
            logger.info("LINE had already accepted request %s", retry_key)
            return
        raise SendError(error.status or 0, str(error.body or error.reason)[:300]) from None
    except (urllib3.exceptions.HTTPError, OSError) as error:
        raise SendError(0, repr(error)) from None


def is_friend(line_user_id):
    """True when the person has the Official Account as a friend (LINE gives their profile
    only then), False when not, None when LINE did not say."""
    import urllib3
    from linebot.v3.messaging import MessagingApi
    from linebot.v3.messaging.exceptions import ApiException

    try:
        with _api_client() as client:
            MessagingApi(client).get_profile(line_user_id, _request_timeout=TIMEOUT)
    except ApiException as error:
        return False if error.status == 404 else None
    except (urllib3.exceptions.HTTPError, OSError):
        return None
    return True


def signature_is_valid(body, signature):
    """``X-Line-Signature``: base64 of the HMAC-SHA256 of the raw body, keyed with the
    Messaging API channel's secret; compared in constant time."""
    if not signature or not isinstance(body, bytes):
        return False
    digest = hmac.new(_config()["LINE_CHANNEL_SECRET"].encode(), body, hashlib.sha256).digest()
    return hmac.compare_digest(base64.b64encode(digest), signature.encode("ascii", "replace"))

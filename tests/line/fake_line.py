"""A fake of LINE's servers, a real HTTP server on 127.0.0.1 (a thread, a free port).

It plays LINE Login (the resident's consent, the token endpoint issuing HS256 ID tokens signed
with the LINE Login channel secret) and the Messaging API (profile, push, multicast), and checks
what it receives as LINE would: the bearer token, the body's shape, at most 500 recipients. It
records every call, and answers with an error status when a test asks it to.
"""

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def id_token(secret, claims):
    """An ID token as LINE Login makes them: a JWT signed HS256 with the channel secret."""
    header = b64url(json.dumps({"typ": "JWT", "alg": "HS256"}).encode())
    payload = b64url(json.dumps(claims).encode())
    signature = hmac.new(secret.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{b64url(signature)}"


def new_line_user_id():
    return "U" + secrets.token_hex(16)


@dataclass
class Call:
    method: str
    path: str
    headers: dict
    body: object


@dataclass
class FakeLine:
    channel_id: str = "1650000001"
    login_secret: str = "line-login-channel-secret"
    channel_secret: str = "messaging-api-channel-secret"
    access_token: str = "long-lived-channel-access-token"
    url: str = ""
    calls: list = field(default_factory=list)
    friends: dict = field(default_factory=dict)  # LINE user id -> display name
    codes: dict = field(default_factory=dict)
    failures: list = field(default_factory=list)  # statuses to answer the next message calls
    retry_keys: set = field(default_factory=set)
    issued: list = field(default_factory=list)  # every ID token made, oldest first
    lock: threading.Lock = field(default_factory=threading.Lock)

    # --- what a test asks of the fake ---------------------------------------------------------

    def approve(self, authorize_url, line_user_id, name="สมชาย LINE", nonce=None, expires_in=600,
                token=None):  # fmt: skip
        """The resident says yes on LINE's page: return the callback path LINE would send them
        to. ``nonce``/``expires_in``/``token`` change what the ID token will say."""
        parts = urlsplit(authorize_url)
        assert f"{parts.scheme}://{parts.netloc}" == self.url, authorize_url
        assert parts.path == "/oauth2/v2.1/authorize"
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        assert query["response_type"] == "code"
        assert query["client_id"] == self.channel_id
        assert set(query["scope"].split()) >= {"openid"}
        assert query["state"]
        assert query["nonce"]
        code = secrets.token_urlsafe(12)
        now = int(time.time())
        claims = {
            "iss": self.url, "sub": line_user_id, "aud": self.channel_id, "exp": now + expires_in,
            "iat": now, "nonce": query["nonce"] if nonce is None else nonce, "name": name,
        }  # fmt: skip
        self.codes[code] = {
            "redirect_uri": query["redirect_uri"],
            "id_token": token or id_token(self.login_secret, claims),
        }
        self.issued.append(self.codes[code]["id_token"])
        callback = urlsplit(query["redirect_uri"])
        return f"{callback.path}?{urlencode({'code': code, 'state': query['state']})}"

    def fail_next(self, status, times=1):
        with self.lock:
            self.failures.extend([status] * times)

    def messages(self):
        """The push and multicast calls LINE accepted, in order."""
        return [call for call in self.calls if call.path.startswith("/v2/bot/message/")
                and getattr(call, "accepted", False)]  # fmt: skip

    def recipients(self):
        found = []
        for call in self.messages():
            to = call.body["to"]
            found.extend(to if isinstance(to, list) else [to])
        return found

    def sign(self, body):
        digest = hmac.new(self.channel_secret.encode(), body, hashlib.sha256).digest()
        return base64.b64encode(digest).decode()


def _handler(fake):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def _answer(self, status, body=None):
            data = json.dumps(body if body is not None else {}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _read(self):
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _authorised(self):
            return self.headers.get("Authorization") == f"Bearer {fake.access_token}"

        def do_GET(self):  # noqa: N802 - http.server's name
            path = urlsplit(self.path).path
            fake.calls.append(Call("GET", path, dict(self.headers), None))
            if path.startswith("/v2/bot/profile/"):
                if not self._authorised():
                    return self._answer(401, {"message": "Authentication failed"})
                user_id = path.rsplit("/", 1)[1]
                if user_id not in fake.friends:
                    return self._answer(404, {"message": "Not found"})
                return self._answer(200, {"userId": user_id, "displayName": fake.friends[user_id]})
            return self._answer(404, {"message": "Not found"})

        def do_POST(self):  # noqa: N802
            path = urlsplit(self.path).path
            raw = self._read()
            if path == "/oauth2/v2.1/token":
                form = {key: values[0] for key, values in parse_qs(raw.decode()).items()}
                fake.calls.append(Call("POST", path, dict(self.headers), form))
                grant = fake.codes.pop(form.get("code"), None)
                if (
                    form.get("grant_type") != "authorization_code"
                    or form.get("client_id") != fake.channel_id
                    or form.get("client_secret") != fake.login_secret
                    or grant is None
                    or form.get("redirect_uri") != grant["redirect_uri"]
                ):
                    return self._answer(400, {"error": "invalid_grant"})
                return self._answer(200, {
                    "access_token": secrets.token_urlsafe(16), "token_type": "Bearer",
                    "expires_in": 2592000, "scope": "openid profile", "id_token": grant["id_token"],
                })  # fmt: skip
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
            call = Call("POST", path, dict(self.headers), body)
            fake.calls.append(call)
            if path not in ("/v2/bot/message/push", "/v2/bot/message/multicast"):
                return self._answer(404, {"message": "Not found"})
            if not self._authorised():
                return self._answer(401, {"message": "Authentication failed"})
            problem = _shape_problem(path, body)
            if problem:
                return self._answer(400, {"message": problem})
            with fake.lock:
                status = fake.failures.pop(0) if fake.failures else None
            if status:
                return self._answer(status, {"message": f"fake LINE answers {status}"})
            key = self.headers.get("X-Line-Retry-Key")
            if key and key in fake.retry_keys:
                return self._answer(409, {"message": "The retry key is already accepted"})
            if key:
                fake.retry_keys.add(key)
            call.accepted = True
            if path.endswith("/push"):
                return self._answer(200, {"sentMessages": [{"id": "1", "quoteToken": "q"}]})
            return self._answer(200, {})

    return Handler


def _shape_problem(path, body):
    if not isinstance(body, dict):
        return "The request body has 1 error(s)"
    messages = body.get("messages")
    if not isinstance(messages, list) or not 1 <= len(messages) <= 5:
        return "messages: size must be between 1 and 5"
    for message in messages:
        if message.get("type") != "text" or not 0 < len(message.get("text") or "") <= 5000:
            return "messages: a text message of 1 to 5000 characters"
    to = body.get("to")
    if path.endswith("/push"):
        return None if isinstance(to, str) and to.startswith("U") else "to: a user id"
    if not isinstance(to, list) or not 1 <= len(to) <= 500:
        return "to: size must be between 1 and 500"
    if len(set(to)) != len(to) or not all(isinstance(u, str) and u.startswith("U") for u in to):
        return "to: user ids, each once"
    return None


def start():
    """Start a fake LINE; returns ``(fake, stop)``."""
    fake = FakeLine()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="fake-line", daemon=True)
    thread.start()

    def stop():
        server.shutdown()
        server.server_close()
        thread.join(5)

    return fake, stop

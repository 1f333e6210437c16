"""HTTP security headers for every response."""

from urllib.parse import urlsplit

from flask import current_app

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)


def content_security_policy(config):
    """The policy, with the map tiles' server (MAP_TILE_URL) allowed to give images."""
    parts = urlsplit(config.get("MAP_TILE_URL") or "")
    if parts.scheme in ("http", "https") and parts.netloc:
        origin = f"{parts.scheme}://{parts.netloc}".replace("{s}", "*")
        return CONTENT_SECURITY_POLICY.replace("img-src 'self' data:",
                                               f"img-src 'self' data: {origin}")  # fmt: skip
    return CONTENT_SECURITY_POLICY


def security_headers(config):
    """The headers every response carries, as (name, value) pairs."""
    headers = [
        ("Content-Security-Policy", content_security_policy(config)),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("X-Frame-Options", "DENY"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)"),
    ]
    if config.get("SESSION_COOKIE_SECURE"):
        headers.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
    return headers


def set_security_headers(response):
    for name, value in security_headers(current_app.config):
        response.headers.setdefault(name, value)
    return response


class SocketIOHeaders:
    """WSGI middleware: the security headers on the answers that never reach Flask (Socket.IO's
    long-polling, under ``/socket.io/``), where they are missing."""

    def __init__(self, wsgi_app, config, path="/socket.io/"):
        self.wsgi_app = wsgi_app
        self.path = path
        self.headers = security_headers(config)

    def __call__(self, environ, start_response):
        if not environ.get("PATH_INFO", "").startswith(self.path):
            return self.wsgi_app(environ, start_response)

        def with_headers(status, headers, exc_info=None):
            present = {name.lower() for name, _value in headers}
            extra = [(n, v) for n, v in self.headers if n.lower() not in present]
            return start_response(status, [*headers, *extra], exc_info)

        return self.wsgi_app(environ, with_headers)

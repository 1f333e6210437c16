"""The production layout of docs/deploy.md, on loopback: nginx with TLS in front of a threaded
web pool and two live processes that share town halls through Redis.

The nginx site is docs/deploy/nginx-ruamkid.conf with only what the guide says to change
(domain, ports and paths for this machine, a self-signed certificate)."""

import os
import shutil
import ssl
import subprocess
import urllib.request

import pytest
import socketio

from participation.config import ROOT_DIR
from tests.live import LiveServer, SocketServer, free_port

pytestmark = pytest.mark.slow
SITE = ROOT_DIR / "docs" / "deploy" / "nginx-ruamkid.conf"


@pytest.fixture
def layout(app, database_url, redis_url, tmp_path):
    http_port, https_port = free_port(), free_port()
    env = {"REDIS_URL": redis_url, "PROXY_COUNT": "1", "RUAMKID_ENV": "production",
           "SESSION_COOKIE_SECURE": "true", "PUBLIC_URL": f"https://localhost:{https_port}",
           "TRUSTED_HOSTS": "127.0.0.1"}  # fmt: skip
    web = LiveServer(database_url, tmp_path, workers=2, worker_class="gthread", extra_env=env)
    live = [SocketServer(database_url, tmp_path, redis_url=redis_url, name=f"live{i}",
                         extra_env=env) for i in (1, 2)]  # fmt: skip
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
         "/CN=localhost", "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    site = (
        SITE.read_text()
        .replace("ruamkid.example.go.th", "localhost")
        .replace("/etc/letsencrypt/live/localhost/fullchain.pem", str(tmp_path / "cert.pem"))
        .replace("/etc/letsencrypt/live/localhost/privkey.pem", str(tmp_path / "key.pem"))
        .replace("127.0.0.1:8000", f"127.0.0.1:{web.port}")
        .replace("127.0.0.1:8101", f"127.0.0.1:{live[0].port}")
        .replace("127.0.0.1:8102", f"127.0.0.1:{live[1].port}")
        .replace("/srv/ruamkid/app/static/", f"{ROOT_DIR}/static/")
        .replace("/var/log/nginx/", f"{tmp_path}/")
        .replace("/var/www/letsencrypt", str(tmp_path))
        .replace("listen 80 default_server;", f"listen {http_port} default_server;")
        .replace("listen [::]:80 default_server;", "")
        .replace("listen 443 ssl http2 default_server;",
                 f"listen {https_port} ssl http2 default_server;")
        .replace("listen [::]:443 ssl http2 default_server;", "")
        .replace("listen 80;", f"listen {http_port};").replace("listen [::]:80;", "")
        .replace("listen 443 ssl http2;", f"listen {https_port} ssl http2;")
        .replace("listen [::]:443 ssl http2;", "")
        .replace("https://$host$request_uri", f"https://$host:{https_port}$request_uri")
    )  # fmt: skip
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(f"""
        worker_processes 1;
        error_log {tmp_path}/error.log;
        pid {tmp_path}/nginx.pid;
        {"user root;" if os.geteuid() == 0 else ""}
        events {{ worker_connections 256; }}
        http {{
            include /etc/nginx/mime.types;
            client_body_temp_path {tmp_path}/body;
            proxy_temp_path {tmp_path}/proxy;
            include {tmp_path}/site.conf;
        }}
    """)
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    check = subprocess.run([nginx, "-t", "-c", str(tmp_path / "nginx.conf")],
                           capture_output=True, text=True)  # fmt: skip
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen([nginx, "-c", str(tmp_path / "nginx.conf"), "-g", "daemon off;"])
    _wait_for_port(http_port)
    _wait_for_port(https_port)
    try:
        yield {"https": f"https://localhost:{https_port}", "http": f"http://localhost:{http_port}",
               "live": live, "web": web}  # fmt: skip
    finally:
        process.terminate()
        process.wait(timeout=10)
        for server in (web, *live):
            server.stop()


def _wait_for_port(port, seconds=10):
    import socket
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nginx is not listening on {port}")


def _insecure():
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _get(url):
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=_insecure()),
                                         NoRedirect)  # fmt: skip
    try:
        response = opener.open(url, timeout=10)
    except urllib.error.HTTPError as error:
        response = error
    with response:
        return response.status, dict(response.headers), response.read()


def test_pages_static_files_and_redirect_through_nginx(layout):
    status, headers, body = _get(layout["https"] + "/")
    assert status == 200
    assert '<html lang="th">' in body.decode()
    assert "Strict-Transport-Security" in headers

    status, headers, body = _get(layout["https"] + "/static/css/main.css")
    assert status == 200
    assert "Content-Security-Policy" not in headers  # served by nginx, not by the app
    assert "max-age=604800" in headers.get("Cache-Control", "")

    status, headers, _body = _get(layout["http"] + "/healthz")
    assert status == 301
    assert headers["Location"].startswith("https://localhost:")

    status, _headers, body = _get(layout["https"] + "/healthz")
    assert status == 200
    assert b'"redis"' in body


def test_requests_for_other_host_names_are_dropped(layout):
    import http.client

    port = int(layout["http"].rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("GET", "/", headers={"Host": "evil.example"})
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        connection.getresponse()
    connection.close()


def test_a_town_hall_spans_both_live_processes_through_nginx(
    layout, create_townhall, resident, create_user, token_for
):
    import queue

    townhall = create_townhall()
    received = queue.Queue()
    import requests

    http_session = requests.Session()
    http_session.verify = False
    through_nginx = socketio.Client(reconnection=False, http_session=http_session,
                                    ssl_verify=False)  # fmt: skip
    direct = socketio.Client(reconnection=False)
    direct.on("event", received.put, namespace="/townhall")
    direct.on("events", lambda events: [received.put(event) for event in events],
              namespace="/townhall")  # fmt: skip
    through_nginx.connect(layout["https"], namespaces=["/townhall"], transports=["websocket"],
                          auth={"token": token_for(resident)})  # fmt: skip
    # The second person reaches whichever live process nginx did not pick, directly.
    direct.connect(layout["live"][1].url, namespaces=["/townhall"], transports=["websocket"],
                   auth={"token": token_for(create_user())})  # fmt: skip
    try:
        assert through_nginx.call("join", {"townhall": townhall.slug}, namespace="/townhall")["ok"]
        assert direct.call("join", {"townhall": townhall.slug}, namespace="/townhall")["ok"]
        question = {"townhall": townhall.slug, "body": "ผ่าน nginx ได้ไหม", "client_id": "n-1"}
        through_nginx.call("ask", question, namespace="/townhall")
        event = received.get(timeout=10)
        assert event["type"] == "question"
        assert event["data"]["body"] == "ผ่าน nginx ได้ไหม"
    finally:
        through_nginx.disconnect()
        direct.disconnect()
        http_session.close()

"""The production layout of docs/deploy.md, on loopback, built from the guide's own files:
nginx with TLS in front of the threaded web pool and two live processes sharing town halls
through Redis, each started with its systemd unit's ExecStart and the example environment file;
the `ruamkid` command wrapper, the logrotate configuration and the unit files themselves.

Only what differs on this machine is changed: the domain (localhost), ports, paths (this
checkout instead of /srv/ruamkid/app, a temporary folder instead of /var/log and /etc), the
certificate (self-signed), the service account (the user running the tests), the secrets and
the addresses of the database, Redis and the mail server started for the test."""

import os
import secrets
import shlex
import shutil
import signal
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import socketio

from participation.config import ROOT_DIR
from tests.live import free_port

# One worker runs the whole module: its server (a module fixture) starts once, not on each.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("nginx-layout")]
DEPLOY = ROOT_DIR / "docs" / "deploy"
SITE = DEPLOY / "nginx-ruamkid.conf"
BIN = Path(sys.executable).parent


def unit_command(name, instance=None, replacements=()):
    """The ExecStart of a unit in docs/deploy, as an argument list, with ``%i`` filled in."""
    text = (DEPLOY / name).read_text().replace("\\\n", " ")
    (line,) = [line for line in text.splitlines() if line.startswith("ExecStart=")]
    command = line.removeprefix("ExecStart=")
    if instance is not None:
        command = command.replace("%i", str(instance))
    for old, new in (("/srv/ruamkid/app/.venv/bin/", f"{BIN}/"), *replacements):
        command = command.replace(old, new)
    return shlex.split(command)


def example_environment(replacements):
    """docs/deploy/ruamkid.env.example with the given values replaced: the file's text and
    the variables it sets (read as systemd's EnvironmentFile= and sh's ``.`` both read it)."""
    lines, values = [], {}
    for line in (DEPLOY / "ruamkid.env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, value = line.split("=", 1)
            if key in replacements:
                value = replacements[key]
                line = f"{key}={value}"
            values[key] = value[1:-1] if value[:1] == value[-1:] == '"' else value
        lines.append(line)
    unknown = set(replacements) - set(values)
    assert not unknown, f"the example has no {unknown}"
    return "\n".join(lines) + "\n", values


class Service:
    """A gunicorn started as its unit would: the unit's command, the environment file only."""

    def __init__(self, command, env, log, host):
        self.port = int(command[command.index("--bind") + 1].rsplit(":", 1)[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self.public_url = f"http://{host}:{self.port}"  # the host name the app accepts
        self.host = host
        self.log = log
        with log.open("w") as output:
            self.process = subprocess.Popen(
                command, cwd=ROOT_DIR, env=env, stdout=output, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip

    def wait(self, seconds=60):
        deadline = time.monotonic() + seconds
        request = urllib.request.Request(  # noqa: S310 - loopback
            self.url + "/healthz", headers={"Host": self.host}
        )
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                with urllib.request.urlopen(request, timeout=2):  # noqa: S310 - loopback
                    return
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"{self.url} did not start: {self.log.read_text()}")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def layout(database_url, redis_url, smtp_port, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("layout")
    http_port, https_port, web_port = free_port(), free_port(), free_port()
    live_ports = [free_port(), free_port()]
    logs = tmp_path / "log"
    logs.mkdir()
    domain = f"localhost:{https_port}"
    text, settings = example_environment({
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "RUAMKID_INSTANCE_DIR": str(tmp_path / "instance"),
        "PHOTO_STORAGE_DIR": str(tmp_path / "photos"),
        "PUBLIC_URL": f"https://{domain}",
        "ALLOWED_ORIGINS": f"https://{domain}",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_port),
    })  # fmt: skip
    env_file = tmp_path / "ruamkid.env"
    env_file.write_text(text)
    # systemd starts services with a clean environment plus the environment file.
    env = {"PATH": os.environ["PATH"], "LANG": "C.UTF-8", **settings}
    if os.environ.get("PYTHONPATH"):
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    log_dir = (("/var/log/ruamkid/", f"{logs}/"),)
    web = Service(unit_command("ruamkid-web.service", replacements=(
        ("127.0.0.1:8000", f"127.0.0.1:{web_port}"), *log_dir)), env, tmp_path / "web.log",
        "localhost")  # fmt: skip
    live = [Service(unit_command("ruamkid-live@.service", port), env,
                    tmp_path / f"live-{port}.log", "localhost") for port in live_ports]  # fmt: skip
    # The job worker, as its unit starts it (the doctor checks that one is alive).
    with (tmp_path / "worker.log").open("w") as output:
        worker = subprocess.Popen(
            unit_command("ruamkid-worker.service"), cwd=ROOT_DIR,
            env={**env, "FLASK_APP": "wsgi.py"}, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    for service in (web, *live):
        service.wait()
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
        .replace("127.0.0.1:8000", f"127.0.0.1:{web_port}")
        .replace("127.0.0.1:8101", f"127.0.0.1:{live_ports[0]}")
        .replace("127.0.0.1:8102", f"127.0.0.1:{live_ports[1]}")
        .replace("/srv/ruamkid/app/static/", f"{ROOT_DIR}/static/")
        .replace("/srv/ruamkid/photos/", f"{tmp_path}/photos/")
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
    try:
        _wait_for_port(http_port)
        _wait_for_port(https_port)
        yield {"https": f"https://localhost:{https_port}", "http": f"http://localhost:{http_port}",
               "live": live, "web": web, "env_file": env_file, "logs": logs,
               "instance": tmp_path / "instance", "photos": tmp_path / "photos",
               "tmp": tmp_path}  # fmt: skip
    finally:
        process.terminate()
        process.wait(timeout=10)
        for service in (web, *live):
            service.stop()
        worker.send_signal(signal.SIGINT)  # the unit's KillSignal: running jobs finish
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)


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


def test_a_photo_is_checked_by_the_app_and_sent_by_nginx(
    layout, app, create_process, create_contribution, resident
):
    """With the example's PHOTO_ACCEL_REDIRECT_PREFIX, nginx sends the file the app allowed,
    with the app's headers; its internal location answers nothing from outside, and a hidden
    photo is refused by the app at once."""
    import io

    from werkzeug.datastructures import FileStorage

    from participation.accounts.models import User
    from participation.extensions import db
    from participation.photos.models import Photo
    from participation.photos.operations import add_photos
    from participation.proposals.models import Contribution
    from tests.photos import images

    process = create_process("reframe")
    issue_id = create_contribution(process, resident, kind="issue")
    app.config["PHOTO_STORAGE_DIR"] = str(layout["photos"])  # where the services read
    with app.test_request_context():
        upload = FileStorage(io.BytesIO(images.phone_jpeg()), "IMG_0001.JPG")
        [photo] = add_photos(db.session.get(Contribution, issue_id),
                             db.session.get(User, resident.id), [(upload, "")])  # fmt: skip
        db.session.commit()
        token, photo_id = photo.token, photo.id
        db.session.remove()
    url = f"{layout['https']}/photos/{token}/thumb.jpg"

    status, headers, body = _get(url)

    assert status == 200
    assert body == (layout["photos"] / token[:2] / f"{token}-thumb.jpg").read_bytes()
    assert headers["Content-Type"] == "image/jpeg"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Disposition"] == "inline"
    assert "private" in headers["Cache-Control"]
    assert "X-Accel-Redirect" not in headers
    assert _get(f"{layout['https']}/_photos/{token[:2]}/{token}-thumb.jpg")[0] == 404
    with app.app_context():
        db.session.get(Photo, photo_id).is_hidden = True
        db.session.commit()
        db.session.remove()
    assert _get(url)[0] == 404


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
    # Connected straight to a live process, with the site's origin as a browser would send.
    direct = socketio.Client(reconnection=False,
                             websocket_extra_options={"origin": layout["https"]})  # fmt: skip
    direct.on("event", received.put, namespace="/townhall")
    direct.on("events", lambda events: [received.put(event) for event in events],
              namespace="/townhall")  # fmt: skip
    through_nginx.connect(layout["https"], namespaces=["/townhall"], transports=["websocket"],
                          auth={"token": token_for(resident)})  # fmt: skip
    # The second person reaches whichever live process nginx did not pick, directly.
    direct.connect(
        layout["live"][1].public_url,
        namespaces=["/townhall"],
        transports=["websocket"],
        auth={"token": token_for(create_user())},
    )
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


def _wrapper(layout, *args):
    """docs/deploy/ruamkid (/usr/local/bin/ruamkid) with this machine's paths and account."""
    script = (
        (DEPLOY / "ruamkid").read_text()
        .replace("!= ruamkid ]", f"!= {_account()} ]")
        .replace("/srv/ruamkid/app", str(ROOT_DIR))
        .replace("/etc/ruamkid/ruamkid.env", str(layout["env_file"]))
        .replace(".venv/bin/", f"{BIN}/")
    )  # fmt: skip
    path = layout["tmp"] / "ruamkid"
    path.write_text(script)
    path.chmod(0o755)
    env = {"PATH": os.environ["PATH"], "LANG": "C.UTF-8"}
    if os.environ.get("PYTHONPATH"):
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    return subprocess.run([str(path), *args], capture_output=True, text=True, env=env,
                          timeout=120)  # fmt: skip


def _account():
    import pwd

    return pwd.getpwuid(os.geteuid()).pw_name


def test_the_documented_configuration_passes_the_doctor_and_backs_up(layout):
    checked = _wrapper(layout, "doctor")
    deadline = time.monotonic() + 30  # the worker's first heartbeat may still be on its way
    while "FAIL  job worker" in checked.stdout and time.monotonic() < deadline:
        time.sleep(1)
        checked = _wrapper(layout, "doctor")
    backed_up = _wrapper(layout, "backup", "create")

    assert checked.returncode == 0, checked.stdout + checked.stderr
    lines = checked.stdout.splitlines()[:-1]
    sqlite = "sqlite" in layout["env_file"].read_text()
    warned = [line for line in lines if line.startswith("WARN")]
    assert warned == ([line for line in lines if "database kind" in line] if sqlite else [])
    assert [line for line in lines if line.startswith("FAIL")] == []
    assert backed_up.returncode == 0, backed_up.stdout + backed_up.stderr
    assert list((layout["instance"] / "backups").glob("ruamkid-*.json"))


def test_access_logs_are_rotated_and_the_servers_write_to_the_new_files(layout):
    _get(layout["https"] + "/healthz?before")
    web_log = layout["logs"] / "web-access.log"
    _wait_for(lambda: "GET /healthz?before" in web_log.read_text())
    master = layout["web"].process.pid
    config = _logrotate_config().replace("/var/log/ruamkid/", f"{layout['logs']}/")
    (line,) = [line for line in config.splitlines() if "systemctl kill" in line]
    config = config.replace(line, f"        kill -USR1 {master}")
    (layout["tmp"] / "logrotate.conf").write_text(config)

    rotated = subprocess.run(["logrotate", "--force", "--state", str(layout["tmp"] / "state"),
                              str(layout["tmp"] / "logrotate.conf")],
                             capture_output=True, text=True)  # fmt: skip
    assert rotated.returncode == 0, rotated.stderr
    _wait_for(lambda: web_log.exists())
    _get(layout["https"] + "/healthz?after")
    _wait_for(lambda: "GET /healthz?after" in web_log.read_text())

    (old,) = layout["logs"].glob("web-access.log-*")
    assert "GET /healthz?before" in old.read_text()
    assert "GET /healthz?after" not in old.read_text()


def _logrotate_config():
    """docs/deploy/ruamkid.logrotate with this machine's account instead of ruamkid."""
    return (
        (DEPLOY / "ruamkid.logrotate").read_text()
        .replace("su ruamkid ruamkid", f"su {_account()} {_account()}")
        .replace("create 0640 ruamkid ruamkid", f"create 0640 {_account()} {_account()}")
    )  # fmt: skip


def _wait_for(condition, seconds=10):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _verifiable(tmp_path, name):
    text = (DEPLOY / name).read_text().replace("/srv/ruamkid/app/.venv/bin/", f"{BIN}/")
    (tmp_path / name).write_text(text)
    return str(tmp_path / name)


def test_the_systemd_units_and_the_logrotate_configuration_verify(tmp_path):
    units = sorted(path.name for path in DEPLOY.glob("*.service")) + sorted(
        path.name for path in DEPLOY.glob("*.timer")
    )
    assert "ruamkid-web.service" in units
    assert "ruamkid-worker.service" in units
    assert "ruamkid-backup.timer" in units

    verified = subprocess.run(["systemd-analyze", "verify",
                               *(_verifiable(tmp_path, name) for name in units)],
                              capture_output=True, text=True, cwd=tmp_path)  # fmt: skip
    (tmp_path / "logrotate.conf").write_text(_logrotate_config())
    debugged = subprocess.run(["logrotate", "--debug", "--state", str(tmp_path / "state"),
                               str(tmp_path / "logrotate.conf")],
                              capture_output=True, text=True)  # fmt: skip

    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert verified.stderr.strip() == ""
    assert debugged.returncode == 0, debugged.stderr
    assert "error" not in debugged.stderr.lower()

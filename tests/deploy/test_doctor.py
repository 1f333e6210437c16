"""`flask doctor` (and `make prod-check`): a PASS/WARN/FAIL line per check, exit 1 on failure."""

import os
import subprocess
import sys

import pytest
import sqlalchemy as sa

from participation.config import ROOT_DIR
from participation.extensions import db

STRONG_KEY = "Zq8v3XkP1tYw9LmR4sHc7NbE2uJf6GdA0oVi5KxQ"


@pytest.fixture
def production(config, redis_url, smtp_port):
    """The test configuration turned into a production one that passes every check."""
    config.ENV_NAME = "production"
    config.SECRET_KEY = STRONG_KEY
    config.PUBLIC_URL = "https://ruamkid.example.go.th"
    config.SESSION_COOKIE_SECURE = config.REMEMBER_COOKIE_SECURE = True
    config.PROXY_COUNT = 1
    config.REDIS_URL = redis_url
    config.RATELIMIT_ENABLED = True
    config.RATELIMIT_STORAGE_URI = redis_url
    config.MAIL_BACKEND = "smtp"
    config.MAIL_SERVER, config.MAIL_PORT = "127.0.0.1", smtp_port
    config.JOBS_IMMEDIATE = False
    return config


def _worker_seen(app, seconds_ago):
    """Leave one job worker's heartbeat as if it beat ``seconds_ago`` (None: no worker)."""
    from datetime import timedelta

    from participation.core.models import utcnow
    from participation.jobs.models import JobWorker

    with app.app_context():
        db.session.execute(sa.delete(JobWorker))  # these apps share one database
        if seconds_ago is not None:
            seen = utcnow() - timedelta(seconds=seconds_ago)
            db.session.add(JobWorker(name="host:1", started_dt=seen, seen_dt=seen))
        db.session.commit()


def _doctor(app, *args):
    result = app.test_cli_runner().invoke(args=["doctor", *args])
    lines = {}
    for line in result.output.splitlines()[:-1]:
        status, name = line[:4], line[6:22].strip()
        lines[name] = (status, line[23:])
    return result, lines


def test_a_production_configuration_passes_every_check(production, make_app):
    app = make_app(production)
    _worker_seen(app, 1)
    result, lines = _doctor(app)

    assert result.exit_code == 0, result.output
    expected = {"environment", "secret key", "public address", "secure cookies", "proxy",
                "database", "database kind", "migrations", "redis", "rate limits", "mail",
                "job worker", "LINE", "instance folder", "translations", "static files",
                "PDF summaries"}  # fmt: skip
    assert set(lines) == expected
    sqlite = production.SQLALCHEMY_DATABASE_URI.startswith("sqlite")
    for name, (status, detail) in lines.items():
        # SQLite is allowed, with a warning that PostgreSQL is recommended.
        wanted = "WARN" if sqlite and name == "database kind" else "PASS"
        assert status == wanted, (name, detail)
    assert result.output.splitlines()[-1].startswith("17 checks: ")
    assert STRONG_KEY not in result.output


def test_line_set_up_completely_passes_and_names_the_addresses_to_give_line(app):
    app.config.update(
        PUBLIC_URL="https://ruamkid.example.go.th", LINE_LOGIN_CHANNEL_ID="1650000001",
        LINE_LOGIN_CHANNEL_SECRET="a", LINE_CHANNEL_SECRET="b", LINE_CHANNEL_ACCESS_TOKEN="c",
    )  # fmt: skip
    from participation.core.doctor import check_line

    result = check_line(app)
    assert result.status == "PASS"
    assert "https://ruamkid.example.go.th/line/callback" in result.detail
    assert "https://ruamkid.example.go.th/line/webhook" in result.detail


def _generated_key(app):
    path = os.path.join(app.config["INSTANCE_DIR"], "secret_key")
    with open(path, "w") as handle:
        handle.write(app.config["SECRET_KEY"])


def _uncompiled(app, tmp_path):
    folder = tmp_path / "translations" / "th" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text("")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(tmp_path / "translations")


def _stale_catalogue(app, tmp_path):
    import shutil

    source = app.config["BABEL_TRANSLATION_DIRECTORIES"]
    shutil.copytree(source, tmp_path / "translations")
    po = tmp_path / "translations" / "th" / "LC_MESSAGES" / "messages.po"
    po.write_text(po.read_text().replace('msgstr "ร่วมคิด"', 'msgstr "ร่วมคิด!"', 1))
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(tmp_path / "translations")


def _no_vendor(app, tmp_path):
    app.static_folder = str(tmp_path / "static")


def _instance_is_a_file(app, tmp_path):
    (tmp_path / "not-a-folder").write_text("")
    app.config["INSTANCE_DIR"] = str(tmp_path / "not-a-folder")


# (what goes wrong, the check that must fail, words its line must hold)
BROKEN_SETTINGS = [
    ({"ENV_NAME": "development"}, "environment", "set RUAMKID_ENV=production"),
    ({"SECRET_KEY": "change-me-to-64-random-characters-change-me"}, "secret key", "placeholder"),
    ({"SECRET_KEY": "ab" * 20}, "secret key", "guessable"),
    ({"PUBLIC_URL": None}, "public address", "PUBLIC_URL is not set"),
    ({"PUBLIC_URL": "http://ruamkid.example.go.th"}, "public address", "HTTPS only"),
    ({"SESSION_COOKIE_SECURE": False}, "secure cookies", "SESSION_COOKIE_SECURE off"),
    ({"REDIS_URL": None}, "redis", "REDIS_URL is not set"),
    ({"REDIS_URL": "redis://127.0.0.1:1/0"}, "redis", "redis://127.0.0.1:1 is unreachable"),
    ({"MAIL_PORT": 1}, "mail", "SMTP server 127.0.0.1:1 does not answer"),
    ({"MAIL_BACKEND": "memory"}, "mail", "set MAIL_BACKEND=smtp"),
    # LINE half set up: Login without the Official Account's Messaging API channel.
    (
        {"LINE_LOGIN_CHANNEL_ID": "1650000001", "LINE_LOGIN_CHANNEL_SECRET": "s"},
        "LINE",
        "LINE_CHANNEL_SECRET, LINE_CHANNEL_ACCESS_TOKEN missing",
    ),
]


@pytest.mark.parametrize(("settings", "check", "words"), BROKEN_SETTINGS)
def test_a_bad_setting_fails_its_check_and_the_command(
    production, make_app, settings, check, words
):
    app = make_app(production)
    _worker_seen(app, 1)
    app.config.update(settings)

    result, lines = _doctor(app)

    assert result.exit_code == 1
    assert lines[check][0] == "FAIL"
    assert words in lines[check][1]
    failed = [name for name, (status, _detail) in lines.items() if status == "FAIL"]
    assert failed == [check]
    assert result.output.splitlines()[-1].endswith("1 failed.")


@pytest.mark.parametrize(
    ("breakage", "check", "words"),
    [
        (_generated_key, "secret key", "generated on first start"),
        (_uncompiled, "translations", "th is not compiled"),
        (_stale_catalogue, "translations", "th changed after it was compiled"),
        (_no_vendor, "static files", "socket.io/socket.io.min.js"),
        (_instance_is_a_file, "instance folder", "is not writable"),
    ],
)
def test_a_broken_installation_fails_its_check(
    production, make_app, tmp_path, breakage, check, words
):
    app = make_app(production)
    _worker_seen(app, 1)
    if breakage is _generated_key:
        breakage(app)
    else:
        breakage(app, tmp_path)

    result, lines = _doctor(app)

    assert result.exit_code == 1
    assert lines[check][0] == "FAIL", lines[check]
    assert words in lines[check][1]


def test_warnings_do_not_fail_the_command(production, make_app):
    app = make_app(production)
    _worker_seen(app, 1)
    app.config.update(PROXY_COUNT=0, RATELIMIT_ENABLED=False, MAIL_BACKEND="log")

    result, lines = _doctor(app)

    assert result.exit_code == 0, result.output
    assert [lines[name][0] for name in ("proxy", "rate limits", "mail")] == ["WARN"] * 3
    assert "nobody receives them" in lines["mail"][1]


def test_one_process_without_redis_passes_when_said_so(production, make_app):
    app = make_app(production)
    _worker_seen(app, 1)
    app.config["REDIS_URL"] = None

    result, lines = _doctor(app, "--single-process")

    assert result.exit_code == 0, result.output
    assert lines["redis"] == ("PASS", "not configured; one server process needs none")


def test_an_unreachable_database_fails(production, make_app):
    production.SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://ruamkid:hunter2@127.0.0.1:1/none"
    app = make_app(production)

    result, lines = _doctor(app)

    assert result.exit_code == 1
    assert lines["database"][0] == "FAIL"
    assert "127.0.0.1:1/none is unreachable" in lines["database"][1]
    assert lines["migrations"][0] == "FAIL"
    assert "hunter2" not in result.output


def test_a_database_behind_or_ahead_of_the_code_fails_the_migration_check(
    production, make_app, tmp_path
):
    from flask_migrate import upgrade

    from participation.core.backup import migration_scripts

    production.SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    app = make_app(production)
    with app.app_context():
        first = list(migration_scripts().walk_revisions())[-1].revision
        upgrade(revision=first)
    _result, behind = _doctor(app)
    with app.app_context():
        db.session.execute(sa.text("UPDATE alembic_version SET version_num = 'fffffffffff0'"))
        db.session.commit()
        db.session.remove()
    _result, ahead = _doctor(app)
    with app.app_context():
        db.session.execute(sa.text("DELETE FROM alembic_version"))
        db.session.commit()
        db.session.remove()
    _result, empty = _doctor(app)

    assert behind["migrations"][0] == "FAIL"
    assert f"the database is at {first}" in behind["migrations"][1]
    assert "run flask db upgrade" in behind["migrations"][1]
    assert "which this code does not know" in ahead["migrations"][1]
    assert "has no schema" in empty["migrations"][1]


def test_prod_check_reports_a_configuration_that_does_not_load(tmp_path):
    env = {**os.environ, "RUAMKID_ENV": "production", "RUAMKID_INSTANCE_DIR": str(tmp_path),
           "PYTHONPATH": str(ROOT_DIR)}  # fmt: skip
    env.pop("SECRET_KEY", None)

    result = subprocess.run([sys.executable, "-m", "participation.core.doctor"], env=env,
                            capture_output=True, text=True, timeout=60)  # fmt: skip

    assert result.returncode == 1
    assert "FAIL  configuration" in result.stdout
    assert "In production SECRET_KEY must be set" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize(("seconds_ago", "words"), [(None, "no job worker"), (31, "no job worker")])
def test_a_job_worker_that_stopped_fails_its_check(production, make_app, seconds_ago, words):
    app = make_app(production)
    _worker_seen(app, seconds_ago)  # JOBS_HEARTBEAT_SECONDS=10: dead after 30 s
    result, lines = _doctor(app)
    assert result.exit_code == 1
    assert lines["job worker"][0] == "FAIL"
    assert words in lines["job worker"][1]


def test_jobs_run_inside_requests_fail_the_check(production, make_app):
    production.JOBS_IMMEDIATE = True
    result, lines = _doctor(make_app(production))
    assert lines["job worker"][0] == "FAIL"
    assert "JOBS_IMMEDIATE" in lines["job worker"][1]

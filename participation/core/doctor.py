"""`flask doctor` / `make prod-check`: is this deployment's configuration fit for production?

Each check prints one line, PASS, WARN or FAIL, with what it found and, when it fails, what to
do. The command exits with status 1 when any check fails (warnings do not fail it).

``python -m participation.core.doctor`` runs the same checks and also reports a configuration
that does not load at all (``flask`` stops with a traceback before any command runs then);
``make prod-check`` calls it.
"""

import logging
import os
import smtplib
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import click
import sqlalchemy as sa

from participation.config import ROOT_DIR, SUPPORTED_LOCALES
from participation.extensions import db

PASS, WARN, FAIL = "PASS", "WARN", "FAIL"

# What the pages load from static/vendor (installed from npm by `make setup`).
VENDOR_FILES = [
    "socket.io/socket.io.min.js",
    "chart.js/chart.umd.min.js",
    "leaflet/leaflet.js",
    "leaflet/leaflet.css",
    "leaflet/leaflet.markercluster.js",
    *(
        f"sarabun/files/sarabun-{script}-{weight}-normal.woff2"
        for script in ("thai", "latin")
        for weight in (400, 600, 700)
    ),
]
PLACEHOLDERS = ("change-me", "changeme", "secret", "example")


@dataclass
class Result:
    status: str
    name: str
    detail: str


def check_environment(app):
    name = app.config["ENV_NAME"]
    if name == "production":
        return Result(PASS, "environment", "RUAMKID_ENV=production")
    return Result(FAIL, "environment",
                  f"RUAMKID_ENV is {name!r}: set RUAMKID_ENV=production (secure cookies, HSTS, "
                  "the production checks at start-up)")  # fmt: skip


def check_secret_key(app):
    key = app.config["SECRET_KEY"] or ""
    generated = Path(app.config["INSTANCE_DIR"]) / "secret_key"
    if generated.is_file() and generated.read_text().strip() == key:
        return Result(FAIL, "secret key",
                      f"generated on first start into {generated}: set SECRET_KEY in the "
                      "environment (every server process must share it)")  # fmt: skip
    if any(word in key.lower() for word in PLACEHOLDERS):
        return Result(FAIL, "secret key",
                      "SECRET_KEY is still the example's placeholder: generate one with "
                      "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'")  # fmt: skip
    if len(key) < 32 or len(set(key)) < 16:
        return Result(FAIL, "secret key",
                      "SECRET_KEY is guessable (short or repetitive): use at least 32 random "
                      "characters")  # fmt: skip
    return Result(PASS, "secret key", f"set, {len(key)} characters")


def check_public_url(app):
    url = app.config["PUBLIC_URL"]
    if not url:
        return Result(FAIL, "public address",
                      "PUBLIC_URL is not set: set it to https://your.domain")  # fmt: skip
    if urlsplit(url).scheme != "https":
        return Result(FAIL, "public address",
                      f"PUBLIC_URL is {url}: production is served over HTTPS only")  # fmt: skip
    return Result(PASS, "public address", url)


def check_cookies(app):
    insecure = [name for name in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE")
                if not app.config[name]]  # fmt: skip
    if insecure:
        return Result(
            FAIL,
            "secure cookies",
            f"{', '.join(insecure)} off: sign-in cookies would travel over plain "
            "HTTP; run with RUAMKID_ENV=production and without SESSION_COOKIE_SECURE=false",
        )
    return Result(PASS, "secure cookies", "session and remember-me cookies are HTTPS-only")


def check_proxy(app):
    count = app.config["PROXY_COUNT"]
    if not count:
        return Result(WARN, "proxy",
                      "PROXY_COUNT is 0: behind nginx set PROXY_COUNT=1, or the app sees "
                      "http:// and nginx's address instead of the visitor's")  # fmt: skip
    return Result(PASS, "proxy", f"X-Forwarded-* trusted from {count} proxy(ies)")


def _safe_url():
    return db.engine.url.render_as_string(hide_password=True)


def check_database(app):
    try:
        with db.engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
            version = connection.dialect.server_version_info
    except sa.exc.SQLAlchemyError as error:
        reason = str(getattr(error, "orig", error)).strip().splitlines()[0]
        return Result(FAIL, "database", f"{_safe_url()} is unreachable: {reason}")
    shown = ".".join(str(part) for part in version or ())
    return Result(PASS, "database", f"{_safe_url()} answers ({db.engine.dialect.name} {shown})")


def check_database_kind(app):
    if db.engine.dialect.name == "postgresql":
        return Result(PASS, "database kind", "PostgreSQL")
    return Result(WARN, "database kind",
                  "SQLite: enough for one server process and a small municipality; PostgreSQL "
                  "is recommended in production (docs/deploy.md)")  # fmt: skip


def check_migrations(app):
    from alembic.migration import MigrationContext

    from participation.core.backup import migration_scripts

    scripts = migration_scripts()  # reads every revision file: once
    head = scripts.get_current_head()
    try:
        with db.engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    except sa.exc.SQLAlchemyError:
        return Result(FAIL, "migrations", "cannot read the schema revision (database unreachable)")
    if current == head:
        return Result(PASS, "migrations", f"the database is at the code's revision {head}")
    if current is None:
        return Result(FAIL, "migrations", "the database has no schema: run flask db upgrade")
    try:
        known = scripts.get_revision(current) is not None
    except Exception:  # noqa: BLE001 - alembic raises several kinds for unknown revisions
        known = False
    if not known:
        return Result(FAIL, "migrations",
                      f"the database is at {current}, which this code does not know (a newer "
                      "version ran on it): deploy that version")  # fmt: skip
    return Result(
        FAIL,
        "migrations",
        f"the database is at {current}, the code at {head}: run flask db upgrade",
    )


def check_redis(app, single_process=False):
    url = app.config["REDIS_URL"]
    if not url:
        if single_process:
            return Result(PASS, "redis", "not configured; one server process needs none")
        return Result(FAIL, "redis",
                      "REDIS_URL is not set: with several server processes town halls and rate "
                      "limits are not shared between them; set REDIS_URL (or pass "
                      "--single-process if you run exactly one)")  # fmt: skip
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
        client.ping()
        version = client.info("server").get("redis_version", "?")
        client.close()
    except redis.RedisError as error:
        return Result(FAIL, "redis", f"{_redis_shown(url)} is unreachable: {error}")
    return Result(PASS, "redis", f"{_redis_shown(url)} answers (Redis {version})")


def _redis_shown(url):
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}{':' if parts.port else ''}{parts.port or ''}"


def check_rate_limits(app):
    if app.config["RATELIMIT_ENABLED"]:
        storage = "Redis" if app.config["RATELIMIT_STORAGE_URI"].startswith("redis") else "memory"
        return Result(PASS, "rate limits", f"on, counted in {storage}")
    return Result(WARN, "rate limits", "RATELIMIT_ENABLED=false: writes are not rate-limited")


def check_mail(app):
    backend = app.config["MAIL_BACKEND"]
    if backend == "log":
        return Result(WARN, "mail",
                      "MAIL_BACKEND=log: e-mails (password resets, notifications) are written "
                      "to the log and nobody receives them")  # fmt: skip
    if backend != "smtp":
        return Result(FAIL, "mail", f"MAIL_BACKEND={backend}: set MAIL_BACKEND=smtp")
    host, port = app.config["MAIL_SERVER"], app.config["MAIL_PORT"]
    try:
        with smtplib.SMTP(host, port, timeout=5) as smtp:
            smtp.ehlo()
    except (OSError, smtplib.SMTPException) as error:
        return Result(FAIL, "mail", f"SMTP server {host}:{port} does not answer: {error}")
    return Result(PASS, "mail", f"SMTP server {host}:{port} answers")


def check_instance_dir(app):
    folder = Path(app.config["INSTANCE_DIR"])
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".doctor-"):
            pass
    except OSError as error:
        return Result(FAIL, "instance folder", f"{folder} is not writable: {error.strerror}")
    return Result(PASS, "instance folder", f"{folder} is writable")


def _translations(catalog):
    def plain(value):  # plural forms come as lists or tuples
        return value if isinstance(value, str) else tuple(value)

    def filled(value):
        return bool(value) if isinstance(value, str) else all(value)

    return {plain(message.id): plain(message.string) for message in catalog
            if message.id and filled(message.string) and not message.fuzzy}  # fmt: skip


def check_translations(app):
    from babel.messages.mofile import read_mo
    from babel.messages.pofile import read_po

    folder = Path(app.config["BABEL_TRANSLATION_DIRECTORIES"])
    problems = []
    for locale in SUPPORTED_LOCALES:
        po = folder / locale / "LC_MESSAGES" / "messages.po"
        mo = po.with_suffix(".mo")
        if not mo.is_file():
            problems.append(f"{locale} is not compiled")
            continue
        if not po.is_file():
            continue
        # Compare contents, not file times: a checkout sets times as it likes.
        with po.open("rb") as source, mo.open("rb") as compiled:
            written, served = _translations(read_po(source)), _translations(read_mo(compiled))
            if any(served.get(key) != text for key, text in written.items()):
                problems.append(f"{locale} changed after it was compiled")
    if problems:
        return Result(FAIL, "translations",
                      f"{'; '.join(problems)}: run flask translate compile")  # fmt: skip
    return Result(PASS, "translations", f"compiled: {', '.join(SUPPORTED_LOCALES)}")


def check_static_files(app):
    vendor = Path(app.static_folder) / "vendor"
    missing = [name for name in VENDOR_FILES if not (vendor / name).is_file()]
    if missing:
        return Result(FAIL, "static files",
                      f"missing from {vendor}: {', '.join(missing)}; run make setup")  # fmt: skip
    return Result(PASS, "static files", f"{len(VENDOR_FILES)} vendor files in {vendor}")


def check_pdf(app):
    try:
        import weasyprint  # noqa: F401
    except OSError as error:
        return Result(FAIL, "PDF summaries",
                      f"WeasyPrint cannot load Pango/HarfBuzz ({error}): install "
                      "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0")  # fmt: skip
    return Result(PASS, "PDF summaries", "WeasyPrint loads")


def check_jobs_worker(app):
    """A job worker sent a heartbeat lately (participation/jobs/worker.py)."""
    from datetime import timedelta

    import sqlalchemy as sa

    from participation.core.models import utcnow
    from participation.extensions import db
    from participation.jobs.models import Job, JobState, JobWorker
    from participation.jobs.worker import stale_after

    if app.config["JOBS_IMMEDIATE"]:
        return Result(FAIL, "job worker",
                      "JOBS_IMMEDIATE=true: notifications run inside requests; unset it and "
                      "run `flask jobs worker` (docs/deploy.md)")  # fmt: skip
    seen = db.session.scalar(sa.select(sa.func.max(JobWorker.seen_dt)))
    limit = stale_after(app)
    if seen is None or utcnow() - seen > timedelta(seconds=limit):
        return Result(FAIL, "job worker",
                      f"no job worker has been alive in the last {limit} s: start "
                      "ruamkid-worker.service or `flask jobs worker` (docs/deploy.md)")  # fmt: skip
    failed = db.session.scalar(
        sa.select(sa.func.count()).select_from(Job).where(Job.state == JobState.FAILED)
    )
    age = round((utcnow() - seen).total_seconds())
    if failed:
        return Result(WARN, "job worker",
                      f"alive ({age} s ago); {failed} jobs failed: see /admin/jobs")  # fmt: skip
    return Result(PASS, "job worker", f"alive (heartbeat {age} s ago)")


LINE_SETTINGS = (
    "LINE_LOGIN_CHANNEL_ID", "LINE_LOGIN_CHANNEL_SECRET", "LINE_CHANNEL_SECRET",
    "LINE_CHANNEL_ACCESS_TOKEN",
)  # fmt: skip


def check_line(app):
    """LINE is set up completely, or not at all (docs/notifications.md, "LINE")."""
    given = [name for name in LINE_SETTINGS if app.config.get(name)]
    if not given:
        return Result(PASS, "LINE", "not set up (optional): no LINE option is shown")
    missing = [name for name in LINE_SETTINGS if name not in given]
    if missing:
        return Result(FAIL, "LINE",
                      f"only half set up: {', '.join(missing)} missing (set all four LINE "
                      "settings, or none; docs/notifications.md)")  # fmt: skip
    insecure = [name for name in ("LINE_API_URL", "LINE_ACCESS_URL")
                if urlsplit(app.config[name]).scheme != "https"]  # fmt: skip
    if insecure:
        return Result(FAIL, "LINE",
                      f"{', '.join(insecure)} must be LINE's https:// address "
                      "(unset to use LINE's)")  # fmt: skip
    site = app.config.get("PUBLIC_URL") or "https://<PUBLIC_URL>"
    return Result(PASS, "LINE",
                  f"set up; LINE Login callback {site}/line/callback, webhook "
                  f"{site}/line/webhook, {app.config['LINE_MONTHLY_QUOTA']} messages a "
                  "month")  # fmt: skip


CHECKS = [
    check_environment, check_secret_key, check_public_url, check_cookies, check_proxy,
    check_database, check_database_kind, check_migrations, check_redis, check_rate_limits,
    check_mail, check_jobs_worker, check_line, check_instance_dir, check_translations,
    check_static_files, check_pdf,
]  # fmt: skip


def run_checks(app, single_process=False):
    """Run every check; a check that crashes is reported as failed, never raised."""
    results = []
    quiet = [logging.getLogger(name) for name in ("alembic", "weasyprint", "fontTools")]
    levels = [logger.level for logger in quiet]
    for logger in quiet:  # their INFO lines would interleave with the report
        logger.setLevel(logging.WARNING)
    for check in CHECKS:
        try:
            if check is check_redis:
                result = check(app, single_process=single_process)
            else:
                result = check(app)
        except Exception as error:  # noqa: BLE001 - the doctor must report, not crash
            name = check.__name__.removeprefix("check_").replace("_", " ")
            result = Result(FAIL, name, f"the check itself failed: {error!r}")
        results.append(result)
    for logger, level in zip(quiet, levels, strict=True):
        logger.setLevel(level)
    return results


def report(results, echo=click.echo):
    """Print one line per check and a summary; return the exit status."""
    colours = {PASS: "green", WARN: "yellow", FAIL: "red"}
    for result in results:
        echo(f"{click.style(result.status, fg=colours[result.status])}  "
             f"{result.name:<16} {result.detail}")  # fmt: skip
    failed = sum(result.status == FAIL for result in results)
    warned = sum(result.status == WARN for result in results)
    echo(f"{len(results)} checks: {len(results) - failed - warned} passed, {warned} warnings, "
         f"{failed} failed.")  # fmt: skip
    return 1 if failed else 0


def main(argv=None):
    """Like `flask doctor`, but a configuration that does not load is reported too."""
    from participation import create_app
    from participation.config import ConfigError

    argv = sys.argv[1:] if argv is None else argv
    single_process = "--single-process" in argv
    os.chdir(ROOT_DIR)
    try:
        app = create_app()
    except ConfigError as error:
        return report([Result(FAIL, "configuration", str(error))])
    with app.app_context():
        return report(run_checks(app, single_process=single_process))


if __name__ == "__main__":
    sys.exit(main())

"""Ruamkid (ร่วมคิด): citizen participation and live dialogue for Thai local governments."""

import logging
import sqlite3
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from participation.config import ROOT_DIR, Config
from participation.extensions import babel, csrf, db, limiter, login_manager, migrate, socketio

__all__ = ["create_app"]


def create_app(config_class=Config):
    """Create the Ruamkid application.

    ``config_class`` is a :class:`~participation.config.Config` class or instance; settings come
    from the environment and a bad one stops the start with a clear message.
    """
    config = config_class() if isinstance(config_class, type) else config_class
    app = Flask(
        __name__,
        template_folder=str(ROOT_DIR / "templates"),
        static_folder=str(ROOT_DIR / "static"),
        instance_path=config.INSTANCE_DIR,
    )
    app.config.from_object(config)
    from participation.core.http import Request

    app.request_class = Request  # text arrives without control characters
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    _configure_logging(app)
    _configure_database(app)
    _configure_accounts(app)
    _configure_i18n(app)
    _configure_security(app)
    _configure_socketio(app)
    _register_blueprints(app)
    _configure_jobs(app)
    _register_cli(app)
    _configure_templates(app)

    from participation.core.errors import register_error_handlers

    register_error_handlers(app)
    _configure_proxy(app)
    return app


def _configure_proxy(app):
    """Trust X-Forwarded-* from the configured number of proxies (outermost, so Socket.IO's
    same-origin check sees the public scheme and host too)."""
    count = app.config["PROXY_COUNT"]
    if count:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def _configure_logging(app):
    if not app.debug and not app.testing and not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )


@sa.event.listens_for(sa.engine.Engine, "connect")
def _set_sqlite_pragmas(dbapi_connection, connection_record):
    """Give every SQLite connection WAL, foreign keys and a busy timeout."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        from participation.core.transactions import BUSY_TIMEOUT_MS

        # We issue BEGIN ourselves (see _begin_sqlite_transaction).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        # Survives a process crash; the last commits may be lost only on power loss.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


@sa.event.listens_for(sa.engine.Engine, "begin")
def _begin_sqlite_transaction(connection):
    """Start SQLite transactions that will write with BEGIN IMMEDIATE.

    In WAL mode a transaction that reads first and writes later fails at once, without waiting
    for the busy timeout, when another connection wrote in between. Taking the write lock at
    BEGIN makes concurrent writers queue (up to the busy timeout) instead of failing.
    """
    if connection.dialect.name == "sqlite":
        from participation.core.transactions import begin_sqlite

        begin_sqlite(connection)


@sa.event.listens_for(sa.engine.Engine, "commit")
@sa.event.listens_for(sa.engine.Engine, "rollback")
def _end_sqlite_transaction(connection):
    if connection.dialect.name == "sqlite":
        from participation.core.transactions import end_sqlite

        end_sqlite(connection)


def _configure_database(app):
    # Importing the models registers them on the metadata that Alembic compares against.
    import participation.models  # noqa: F401
    from participation.core import jobs
    from participation.core.database import configure_timeouts

    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = configure_timeouts(
        app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
        app.config["SQLALCHEMY_DATABASE_URI"],
        app.config.get("DATABASE_TIMEOUT"),
    )
    db.init_app(app)
    jobs.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT_DIR / "migrations"), render_as_batch=True)


def _configure_accounts(app):
    from flask_babel import lazy_gettext as _l

    from participation.accounts.operations import load_session_user
    from participation.core.errors import error_response, wants_json

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_session_user)

    @login_manager.unauthorized_handler
    def unauthorized():
        from flask import flash, redirect, request, url_for

        if wants_json():
            return error_response(401)
        flash(str(login_manager.login_message), login_manager.login_message_category)
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


def _configure_i18n(app):
    from participation.core.i18n import select_locale

    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=lambda: app.config["BABEL_DEFAULT_TIMEZONE"],
    )


def _configure_security(app):
    csrf.init_app(app)
    limiter.init_app(app)

    from participation.core.security import set_security_headers

    app.after_request(set_security_headers)


def _configure_socketio(app):
    # Handlers must be registered before the first init_app, so every app gets them.
    from participation.core import socket_json
    from participation.core.outage import socketio_queue
    from participation.core.security import SocketIOHeaders
    from participation.notifications import events as _notification_events  # noqa: F401
    from participation.opinions import events as _opinion_events  # noqa: F401
    from participation.townhall import events

    queue = app.config["SOCKETIO_MESSAGE_QUEUE"]
    socketio.init_app(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        message_queue=queue,
        # Short Redis timeouts; and reset explicitly without a queue: Flask-SocketIO keeps an
        # earlier app's queue otherwise.
        client_manager=socketio_queue(queue) if queue else None,
        cors_allowed_origins=app.config["ALLOWED_ORIGINS"] or None,
        manage_session=False,
        json=socket_json,  # parts encoded once (a town hall's shared snapshot), Thai as UTF-8
    )
    # Socket.IO's own answers (long-polling) bypass Flask: give them the pages' headers.
    app.wsgi_app = SocketIOHeaders(app.wsgi_app, app.config)
    events.init_app(app)


def _register_blueprints(app):
    from participation.core.forms import IdConverter

    app.url_map.converters["int"] = IdConverter
    from participation.accounts.views import bp as accounts_bp
    from participation.admin.views import bp as admin_bp
    from participation.api.views import bp as api_bp
    from participation.budgets.views import bp as budgets_bp
    from participation.comments.views import bp as comments_bp
    from participation.delivery.views import bp as delivery_bp
    from participation.home.views import bp as home_bp
    from participation.line.views import bp as line_bp
    from participation.moderation.views import bp as moderation_bp
    from participation.notifications.views import bp as notifications_bp
    from participation.notifications.views import settings_bp as notification_settings_bp
    from participation.opinions.views import bp as opinions_bp
    from participation.photos.views import bp as photos_bp
    from participation.places.views import bp as places_bp
    from participation.privacy.views import bp as privacy_bp
    from participation.processes.views import bp as processes_bp
    from participation.proposals.views import bp as proposals_bp
    from participation.share.views import bp as share_bp
    from participation.summaries.views import bp as summaries_bp
    from participation.surveys.views import bp as surveys_bp
    from participation.townhall.views import bp as townhall_bp
    from participation.townhall.views import join_bp
    from participation.verification.views import bp as verification_bp

    for blueprint in (
        home_bp, accounts_bp, admin_bp, processes_bp, proposals_bp, comments_bp,
        notifications_bp, townhall_bp, moderation_bp, privacy_bp, summaries_bp, api_bp,
        opinions_bp, notification_settings_bp, line_bp, join_bp, share_bp, photos_bp,
        places_bp, budgets_bp, verification_bp, delivery_bp, surveys_bp,
    ):  # fmt: skip
        app.register_blueprint(blueprint)


def _configure_jobs(app):
    from participation import jobs

    jobs.init_app(app)


def _register_cli(app):
    from participation.accounts.cli import users_cli
    from participation.core.cli import backup_cli, doctor_command, translate_cli
    from participation.demo.cli import demo_cli
    from participation.opinions.cli import opinions_cli
    from participation.processes.cli import processes_cli
    from participation.verification.cli import verification_cli

    app.cli.add_command(processes_cli)
    app.cli.add_command(translate_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(opinions_cli)
    app.cli.add_command(doctor_command)
    app.cli.add_command(backup_cli)
    app.cli.add_command(verification_cli)


def _has_a_figure(row):
    """A chart's row ``[label, value, ...]`` says something: a number in it is not zero."""
    numbers = [value for value in row[1:] if isinstance(value, int | float)]
    return not numbers or any(numbers)


def _configure_templates(app):
    from flask_login import current_user

    from participation.config import SUPPORTED_LOCALES
    from participation.core import i18n
    from participation.core.cache import either, member_view, request_unread_count
    from participation.core.cache import value as hole_value
    from participation.core.forms import form_started_token, public_url_for
    from participation.core.permissions import Permission, can
    from participation.core.rules import suspension_message
    from participation.core.sanitize import render_markdown
    from participation.core.thai import keep_words
    from participation.moderation.operations import can_see_hidden
    from participation.municipality.models import place_names
    from participation.photos.operations import can_delete as can_delete_photo
    from participation.verification.operations import required as verification_required

    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters.update(
        date=i18n.format_date,
        datetime=i18n.format_datetime,
        time=i18n.format_time,
        iso=i18n.iso,
        localized=i18n.localized,
        markdown=render_markdown,
        number=i18n.format_number,
        share=i18n.format_share,
        # Thai titles, headings, badges, buttons and names: a line breaks only between words.
        words=lambda text: keep_words(text, place_names()),
    )

    app.jinja_env.tests["has_a_figure"] = _has_a_figure

    # Globals, not context: macros imported without context use it.
    app.jinja_env.globals["form_started_token"] = form_started_token
    from participation.summaries.views import summary_url

    app.jinja_env.globals["summary_url"] = summary_url

    app.jinja_env.globals.update(member_view=member_view, either=either, hole=hole_value)

    @app.context_processor
    def inject_globals():
        return {
            # Once per request (a page renders several templates), none in a shared member
            # view: its bell is a hole filled per reader.
            "unread_notifications": request_unread_count(),
            "current_language": i18n.current_language(),
            "languages": [(code, i18n.LANGUAGE_NAMES[code]) for code in SUPPORTED_LOCALES],
            "can": lambda permission, obj=None: can(current_user, permission, obj),
            "Permission": Permission,
            "public_url_for": public_url_for,
            "can_see_hidden": lambda item: can_see_hidden(current_user, item),
            "can_delete_photo": lambda photo: can_delete_photo(photo, current_user),
            "suspension_notice": lambda: suspension_message(current_user),
            "verification_required": verification_required,
        }

"""The home page, the language switch, the privacy notice and the health check."""

import logging

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify, redirect, render_template, request
from flask_login import current_user

from participation.config import SUPPORTED_LOCALES
from participation.core.forms import is_safe_next
from participation.core.i18n import LANGUAGE_COOKIE
from participation.core.permissions import Permission, can
from participation.extensions import csrf, db
from participation.municipality.models import current_municipality

logger = logging.getLogger(__name__)

bp = Blueprint("home", __name__)

LANGUAGE_COOKIE_DAYS = 365


@bp.route("/")
def index():
    from participation.processes.models import Process

    processes = db.session.scalars(
        sa.select(Process)
        .where(Process.is_published.is_(True))
        .order_by(Process.created_dt.desc())
        .limit(12)
    ).all()
    from participation.townhall.views import upcoming_townhalls

    waiting = None
    if can(current_user, Permission.RESPOND_AS_COUNCIL):
        from participation.proposals.operations import waiting_for_answer

        waiting = waiting_for_answer()
    return render_template(
        "home/index.html",
        municipality=current_municipality(),
        processes=processes,
        townhalls=upcoming_townhalls(),
        waiting=waiting,
    )


@bp.route("/privacy")
def privacy():
    return render_template(
        "home/privacy.html", version=current_app.config["PRIVACY_NOTICE_VERSION"]
    )


@bp.route("/language", methods=["POST"])
def set_language():
    """Switch the reader's language; a signed-in user's preference is saved too."""
    language = request.form.get("language", "")
    target = request.form.get("next")
    response = redirect(target if is_safe_next(target) else "/")
    if language not in SUPPORTED_LOCALES:
        return response
    if current_user.is_authenticated and current_user.preferred_language != language:
        current_user.preferred_language = language
        db.session.commit()
    response.set_cookie(
        LANGUAGE_COOKIE,
        language,
        max_age=LANGUAGE_COOKIE_DAYS * 24 * 3600,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
    )
    return response


def _check_database():
    try:
        db.session.execute(sa.text("SELECT 1"))
        return {"ok": True, "dialect": db.engine.dialect.name}
    except Exception as error:  # noqa: BLE001 - any failure means unhealthy
        logger.warning("Health check: database unreachable: %s", error)
        db.session.rollback()
        return {"ok": False, "dialect": db.engine.dialect.name, "error": type(error).__name__}


def _check_redis(url):
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
        return {"ok": True}
    except redis.RedisError as error:
        logger.warning("Health check: Redis unreachable: %s", error)
        return {"ok": False, "error": type(error).__name__}


@bp.route("/healthz")
@csrf.exempt
def healthz():
    checks = {"database": _check_database()}
    if current_app.config["REDIS_URL"]:
        checks["redis"] = _check_redis(current_app.config["REDIS_URL"])
    healthy = all(check["ok"] for check in checks.values())
    response = jsonify({"status": "ok" if healthy else "unavailable", "checks": checks})
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response

"""The home page, the language switch, the privacy notice and the health check."""

import contextlib
import functools
import logging

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify, render_template, request
from flask_login import current_user

from participation.config import SUPPORTED_LOCALES
from participation.core.forms import safe_redirect
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
    response = safe_redirect(target, "/")
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


# What each kind of database trouble means, for the operator reading /healthz.
DATABASE_REASONS = {
    "busy": "the database is busy: another writer held the lock too long",
    "full": "the database cannot write: the disk is full",
    "read_only": "the database is read-only",
    "timeout": "the database did not answer in time",
    "unreachable": "the database cannot be reached",
    "schema": "the database schema is missing or out of date: run flask db upgrade",
}
REDIS_TIMEOUT_SECONDS = 1


def _check_database():
    """Write the heartbeat row and commit: a full disk or a read-only database fails this,
    where a read (or a write rolled back before it reached the disk) would pass."""
    from participation.core.models import utcnow
    from participation.core.transactions import database_problem, writing
    from participation.home.models import HEARTBEAT_ID, Heartbeat

    dialect = db.engine.dialect.name
    try:
        with writing():
            now = utcnow()
            updated = db.session.execute(
                sa.update(Heartbeat).where(Heartbeat.id == HEARTBEAT_ID).values(checked_dt=now)
            ).rowcount
            if not updated:
                db.session.add(Heartbeat(id=HEARTBEAT_ID, checked_dt=now))
            db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()  # another process wrote the first heartbeat at the same moment
    except Exception as error:  # noqa: BLE001 - any failure means the site cannot work
        with contextlib.suppress(Exception):
            db.session.rollback()
        problem = database_problem(error)
        logger.warning("Health check: database %s: %s", problem, error)
        return {
            "ok": False, "dialect": dialect, "error": type(error).__name__,
            "problem": problem, "reason": DATABASE_REASONS[problem],
        }  # fmt: skip
    return {"ok": True, "dialect": dialect}


def _check_redis(url):
    """PING with a short timeout; the site works without Redis, so failing it degrades."""
    import redis

    client = redis.Redis.from_url(
        url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS
    )
    try:
        client.ping()
        return {"ok": True}
    except redis.RedisError as error:
        logger.warning("Health check: Redis unreachable: %s", error)
        timed_out = isinstance(error, redis.exceptions.TimeoutError)
        return {
            "ok": False, "error": type(error).__name__,
            "reason": "Redis did not answer in time" if timed_out else "Redis cannot be reached",
        }  # fmt: skip
    finally:
        client.close()


@bp.route("/healthz")
@csrf.exempt
def healthz():
    """The site's health for load balancers and operators: ``ok``; ``degraded`` (Redis away:
    the site works, rate limits and live rooms run per process; 200); or ``down`` (the
    database cannot write; 503). Each check says why it failed."""
    checks = {"database": _check_database()}
    if current_app.config["REDIS_URL"]:
        checks["redis"] = _check_redis(current_app.config["REDIS_URL"])
    if not checks["database"]["ok"]:
        status = "down"
    elif all(check["ok"] for check in checks.values()):
        status = "ok"
    else:
        status = "degraded"
    reasons = [check["reason"] for check in checks.values() if not check["ok"]]
    response = jsonify({"status": status, "checks": checks, "reasons": reasons})
    response.status_code = 503 if status == "down" else 200
    response.headers["Cache-Control"] = "no-store"
    if status == "down":
        response.headers["Retry-After"] = "30"
    return response


# The mark of static/img/favicon.svg (a white ร-like letter on a green disc), in its 32-unit
# grid: browsers that ask for /favicon.ico get the same drawing, rendered here.
FAVICON_GREEN = (0x1F, 0x6F, 0x43, 255)
FAVICON_SIZES = (16, 32, 48)


@functools.cache
def favicon_bytes():
    """Draw the favicon with Pillow at 8x and shrink it (smooth edges) into an .ico file."""
    import io
    import math

    from PIL import Image, ImageDraw

    scale = 8
    image = Image.new("RGBA", (32 * scale, 32 * scale), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((0, 0, 32 * scale - 1, 32 * scale - 1), fill=FAVICON_GREEN)
    # The letter: a bowl (half circle of radius 5 around (19, 14)) with a stem and a leg.
    bowl = [
        (19 + 5 * math.sin(math.pi * step / 16), 14 - 5 * math.cos(math.pi * step / 16))
        for step in range(17)
    ]
    outline = [(10, 9), *bowl, (16, 19), (21, 24), (17, 24), (12, 19), (12, 24), (10, 24)]
    draw.polygon([(x * scale, y * scale) for x, y in outline], fill=(255, 255, 255, 255))
    output = io.BytesIO()
    image.save(output, format="ICO", sizes=[(size, size) for size in FAVICON_SIZES])
    return output.getvalue()


@bp.route("/favicon.ico")
def favicon():
    """Browsers, feed readers and bookmarks ask for /favicon.ico whatever the page says."""
    response = current_app.response_class(favicon_bytes(), mimetype="image/vnd.microsoft.icon")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response

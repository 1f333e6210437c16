"""The reader's notifications (only ever their own)."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from participation.core.paging import requested_page
from participation.extensions import configured_limit, csrf, db, limiter
from participation.notifications import mail, reminders  # noqa: F401 - declare the e-mail channel, the periodic job
from participation.notifications.models import Notification
from participation.notifications.operations import mark_all_read, mark_read
from participation.proposals.models import Contribution
from participation.summaries.models import Summary

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
settings_bp = Blueprint("notification_settings", __name__, url_prefix="/account/notifications")

PAGE_SIZE = 30


@bp.route("/")
@login_required
def index():
    page = requested_page()
    pagination = db.paginate(
        sa.select(Notification)
        .where(Notification.user_id == current_user.id)
        .options(
            sa.orm.joinedload(Notification.actor),
            sa.orm.joinedload(Notification.contribution).joinedload(Contribution.process),
            sa.orm.joinedload(Notification.process),
            sa.orm.joinedload(Notification.townhall),
            # A town hall's summary names its town hall: loaded with it, not one by one.
            sa.orm.joinedload(Notification.summary).joinedload(Summary.townhall),
        )
        .order_by(Notification.id.desc()),
        page=page,
        per_page=PAGE_SIZE,
        error_out=False,
    )
    return render_template("notifications/index.html", pagination=pagination)


@bp.route("/read", methods=["POST"])
@login_required
def read_all():
    mark_all_read(current_user)
    db.session.commit()
    flash(_("All notifications are marked as read."), "success")
    return redirect(url_for("notifications.index"))


def target_url(note):
    """Where a notification leads: the summary, the comment, the item, the town hall or the
    process."""
    if note.summary is not None:
        summary = note.summary
        return url_for("summaries.show", kind=summary.kind_path, slug=summary.subject.slug)
    if note.contribution is not None:
        item = note.contribution
        url = url_for(
            "proposals.show",
            slug=item.process.slug,
            kind_path="proposals" if item.kind == "proposal" else "issues",
            item_id=item.id,
        )
        return url + (f"#comment-{note.comment_id}" if note.comment_id else "")
    if note.townhall is not None:
        return url_for("townhall.show", slug=note.townhall.slug)
    if note.process is not None:
        return url_for("processes.show", slug=note.process.slug)
    return url_for("notifications.index")


@bp.route("/<int:notification_id>")
@login_required
def open_one(notification_id):
    """Open a notification: it is read, and the reader goes to what it is about."""
    note = db.session.get(Notification, notification_id)
    if note is None or note.user_id != current_user.id:
        abort(404)
    mark_read(current_user, note)
    url = target_url(note)
    db.session.commit()
    return redirect(url)


@settings_bp.route("", methods=["GET", "POST"])
@login_required
@limiter.limit(configured_limit("RATELIMIT_POST"), methods=["POST"])
def edit():
    """Per kind of event and channel: at once, a daily or weekly digest, or never."""
    from participation.core.rules import RuleError
    from participation.notifications import settings
    from participation.notifications.models import NotificationKind

    error = None
    if request.method == "POST":
        wanted = {
            (kind, channel): request.form[f"{kind.value}-{channel}"]
            for kind in NotificationKind
            for channel in (*settings.channels(), "line")
            if f"{kind.value}-{channel}" in request.form
        }
        try:
            settings.save_choices(current_user, wanted)
        except RuleError as rule:
            db.session.rollback()
            error = str(rule.message)
        else:
            db.session.commit()
            flash(_("Your notification settings are saved."), "success")
            return redirect(url_for("notification_settings.edit"))
    return render_template(
        "notifications/settings.html",
        kinds=list(NotificationKind),
        channels=settings.channels(),
        frequencies=settings.frequencies,
        choices=settings.choices_of(current_user),
        line=settings.line_configured(),
        error=error,
    ), (422 if error else 200)


# --- Unsubscribing from e-mail, without signing in ----------------------------------------------


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@limiter.limit(configured_limit("RATELIMIT_POST"), methods=["POST"])
def unsubscribe(token):
    """Turn off e-mail for the kinds of news a signed link names (RFC 8058 one-click).

    GET shows what the link will turn off and a button; POST does it. The link itself is the
    proof: it is signed with SECRET_KEY and names one person and the kinds, so it needs no
    sign-in, and a changed or foreign link is refused with nothing changed.
    """
    from participation.accounts.models import User
    from participation.notifications.mail import describe_kinds, read_unsubscribe_token
    from participation.notifications.models import Channel, Frequency
    from participation.notifications.settings import save_choices

    found = read_unsubscribe_token(token)
    user = db.session.get(User, found[0]) if found else None
    if user is None:
        return render_template("notifications/unsubscribe.html", state="invalid"), 400
    kinds = describe_kinds(found[1])
    if request.method == "POST":
        save_choices(user, {(kind, Channel.EMAIL): Frequency.NEVER for kind in found[1]})
        db.session.commit()
        return render_template("notifications/unsubscribe.html", state="done", kinds=kinds)
    return render_template(
        "notifications/unsubscribe.html", state="confirm", kinds=kinds, token=token
    )


# Mail programs that offer "Unsubscribe" (RFC 8058) POST "List-Unsubscribe=One-Click" to the
# link themselves, with no cookie and no form of ours, so they cannot send a CSRF token. CSRF
# protects a signed-in session from forged requests; this address needs no session at all,
# and its signed token is the proof that the request comes from the person's own mail.
csrf.exempt(unsubscribe)

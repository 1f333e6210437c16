"""The reader's notifications (only ever their own)."""

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from participation.core.paging import requested_page
from participation.extensions import db
from participation.notifications.models import Notification
from participation.notifications.operations import mark_all_read
from participation.proposals.models import Contribution
from participation.summaries.models import Summary

bp = Blueprint("notifications", __name__, url_prefix="/notifications")

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

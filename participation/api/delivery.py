"""API: bulk delivery updates from the municipality's tracking records (the same rules as the
bulk upload page: every row checked, all applied or none)."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from participation.api import schemas as s
from participation.api.framework import WRITE, operation
from participation.api.problems import ApiError
from participation.api.views import bp
from participation.delivery import bulk, operations


def _row_result(number, result):
    return {
        "row": number,
        "item": result.proposal.id if result.proposal else None,
        "milestone": result.milestone.name if result.milestone else None,
        "changes": {
            key: value.isoformat() if hasattr(value, "isoformat") else value
            for key, value in result.changes.items()
        },  # fmt: skip
        "errors": [str(error) for error in result.errors],
    }


@operation(bp, "/delivery/updates", "POST", "updateDelivery",
           _l("Update delivery milestones in bulk"), tag="delivery", auth=WRITE,
           body=s.DeliveryUpdatesInput, response=s.DeliveryUpdatesResult, errors=(403, 409),
           limit_scope="edit",
           description=_l("For council members, with a token that may write. Every row is "
                          "checked first; if any has an error nothing is applied and the "
                          "answer is 422 with that row's error. Followers of each changed "
                          "item are told once."))  # fmt: skip
def update_delivery(body):
    if not operations.can_manage(current_user):
        raise ApiError(403, _("Only council members can update delivery."), "forbidden")
    rows = [row.model_dump(exclude_none=True) for row in body.rows]
    results = bulk.plan(rows)
    answer = [_row_result(number, result) for number, result in enumerate(results, start=1)]
    bad = [row for row in answer if row["errors"]]
    if bad:
        errors = [{"field": f"rows.{row['row'] - 1}", "message": row["errors"][0]} for row in bad]
        raise ApiError(422, _("Row %(row)s: %(error)s", row=bad[0]["row"],
                              error=bad[0]["errors"][0]), "validation", errors=errors)  # fmt: skip
    if body.dry_run:
        from participation.extensions import db

        db.session.rollback()
        return {"applied": False, "items": [], "rows": answer}
    changed = bulk.apply(results, current_user)
    return {"applied": True, "items": sorted(r.proposal_id for r in changed), "rows": answer}

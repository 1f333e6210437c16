"""The action log's words for verification: who verified whom appears in the staff log only."""

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from participation.audit.registry import Target, register_action, register_target
from participation.extensions import db
from participation.verification.models import LetterBatch


def _batches(ids):
    from participation.municipality.models import Area

    rows = db.session.execute(
        sa.select(LetterBatch.id, LetterBatch.code_count, Area.name_th)
        .join(Area, Area.id == LetterBatch.area_id)
        .where(LetterBatch.id.in_(ids))
    )
    return {
        row.id: Target(
            _("%(count)s letter codes for %(area)s", count=row.code_count, area=row.name_th)
        )
        for row in rows
    }


def _area(entry, _people):
    details = entry.details or {}
    return {"area": details.get("area", ""), "added": details.get("added", 0)}


register_target("verification_letter_batches", _batches)
register_action(
    "verification.grant",
    _l("Residents verified"),
    _l("%(actor)s verified %(target)s as a resident of %(area)s"),
    params=_area,
)
register_action(
    "verification.revoke",
    _l("Verifications revoked"),
    _l("%(actor)s revoked the verification of %(target)s (%(area)s)"),
    params=_area,
)
register_action("verification.letters", _l("Letter codes made"), _l("%(actor)s made %(target)s"))
register_action(
    "verification.withdraw", _l("Letter codes withdrawn"), _l("%(actor)s withdrew %(target)s")
)
register_action(
    "verification.list",
    _l("Resident lists uploaded"),
    _l("%(actor)s added %(added)s entries to the resident list"),
    params=_area,
)
register_action(
    "verification.requirements",
    _l("Verification rules of processes"),
    _l("%(actor)s changed which actions need verification in %(target)s"),
)

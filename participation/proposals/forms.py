from flask_babel import lazy_gettext as _l
from wtforms import (
    HiddenField,
    MultipleFileField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Optional

from participation.core.dates import EraDateField
from participation.core.forms import HumanForm, RuleAwareForm, ThaiIntegerField
from participation.core.i18n import localized
from participation.core.sanitize import FORMATTING_HINT
from participation.proposals.models import RESPONSE_STATUSES


def _optional_int(value):
    try:
        return int(value) if value not in (None, "", "None") else None
    except (TypeError, ValueError):
        return -1  # refused by the operation with a clear message


class ContributionForm(HumanForm):
    title = StringField(_l("Title"))
    body = TextAreaField(
        _l("Description"),
        description=FORMATTING_HINT,
    )
    category_id = SelectField(_l("Category"), coerce=_optional_int, validate_choice=False)
    area_id = SelectField(
        _l("Community"),
        coerce=_optional_int,
        validate_choice=False,
        description=_l("With a pin on the map and no community chosen, the community is found "
                       "from the pin."),
    )  # fmt: skip
    landmark = StringField(
        _l("Where is it? (a landmark people know)"),
        description=_l("For example: in front of the Mae Hia fresh market"),
    )
    latitude = StringField(_l("Latitude"))
    longitude = StringField(_l("Longitude"))
    photos = MultipleFileField(
        _l("Photos (up to 4)"),
        description=_l("JPEG, PNG, WebP or HEIC (iPhone), taken with your phone's camera or "
                       "chosen from its photos. Location data in the photos is removed before "
                       "they are stored; you may then choose to use it as the place."),
    )  # fmt: skip
    photo_alt = StringField(
        _l("Describe the photos"),
        description=_l("For people who cannot see them. Without a description, the title is "
                       "used."),
    )  # fmt: skip
    next = HiddenField()

    def set_choices(self, process):
        none = SelectChoice("", _l("Not specified"))
        self.category_id.choices = [none] + [
            SelectChoice(c.id, localized(c, "name")) for c in process.categories
        ]
        self.area_id.choices = [none] + [
            SelectChoice(a.id, localized(a, "name")) for a in process.areas
        ]

    def data_for_operation(self):
        return {
            "title": self.title.data,
            "body": self.body.data,
            "category_id": self.category_id.data,
            "area_id": self.area_id.data,
            "latitude": self.latitude.data,
            "longitude": self.longitude.data,
            "landmark": self.landmark.data,
        }

    def uploads(self):
        """(file, description) of each photo chosen."""
        from participation.photos.operations import uploads_from

        files = [f for f in (self.photos.data or []) if getattr(f, "filename", "")]
        return uploads_from(files, [self.photo_alt.data or ""] * len(files))


class ProposalForm(ContributionForm):
    issue_ids = SelectMultipleField(
        _l("Issues this proposal answers"), coerce=_optional_int, validate_choice=False
    )

    def set_issue_choices(self, issues):
        self.issue_ids.choices = [SelectChoice(issue.id, issue.title) for issue in issues]

    def data_for_operation(self):
        return {**super().data_for_operation(), "issue_ids": self.issue_ids.data or []}


class ResponseForm(RuleAwareForm):
    status = RadioField(
        _l("Decision"),
        choices=[SelectChoice(status.value, status.title) for status in RESPONSE_STATUSES],
        validate_choice=False,
        validators=[InputRequired(message=_l("Please choose a status."))],
    )
    body = TextAreaField(
        _l("Response to residents"),
        description=_l("Explain the decision. When not accepting, give the reasons."),
    )


class UpdateForm(RuleAwareForm):
    update_date = EraDateField(
        _l("Date"), validators=[InputRequired(message=_l("Please give the date of this update."))]
    )  # a date more than 3 years from today needs confirming (core/dates.py)
    progress = ThaiIntegerField(
        _l("Progress (percent)"),
        validators=[Optional()],
    )
    body = TextAreaField(_l("What was done"))
    photos = MultipleFileField(
        _l("Photos of the work (up to 4)"),
        description=_l("JPEG, PNG, WebP or HEIC (iPhone). Location data in the photos is removed "
                       "before they are stored."),
    )  # fmt: skip
    photo_alt = StringField(
        _l("Describe the photos"),
        description=_l("For people who cannot see them. Without a description, the title of "
                       "the proposal is used."),
    )  # fmt: skip

    def uploads(self):
        """(file, description) of each photo chosen."""
        return ContributionForm.uploads(self)

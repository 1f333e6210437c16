"""Surveys: needs and satisfaction surveys that belong to a process or a town hall.

A survey has sections and questions (of the kinds in :class:`Kind`), each question perhaps
shown only when an earlier choice question's answer includes a given choice (one level). A
person gives one :class:`Response` (a signed-in resident one per account; a visitor one per
device), editable until the survey closes; staff type in paper forms (``channel = paper``).
Each answered question is one :class:`Answer`, its chosen choices :class:`AnswerChoice` rows.
"""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.core.i18n import localized
from participation.core.models import HideableMixin, TimestampMixin, UTCDateTime, utcnow
from participation.extensions import db

TITLE_MAX = 200
INTRODUCTION_MAX = 4000
QUESTION_MAX = 500
EXPLANATION_MAX = 1000
CHOICE_MAX = 200
SCALE_LABEL_MAX = 60
SHORT_TEXT_MAX = 200
LONG_TEXT_MAX = 4000
QUESTIONS_MAX = 100  # per survey
CHOICES_MAX = 30  # per question
SCALE_MIN, SCALE_MAX = 1, 5
NUMBER_LIMIT = 10**12  # answers beyond are typing mistakes


def _values(enum):
    return ", ".join(f"'{member.value}'" for member in enum)


class Audience(StrEnum):
    """Who may answer."""

    ANYONE = "anyone"  # anyone with the link (one response per device)
    SIGNED_IN = "signed_in"  # signed-in residents (one per account)
    VERIFIED = "verified"  # verified residents: refused until verification exists

    @property
    def title(self):
        return AUDIENCE_TITLES[self]


AUDIENCE_TITLES = {
    Audience.ANYONE: _l("Anyone with the link"),
    Audience.SIGNED_IN: _l("Signed-in residents"),
    Audience.VERIFIED: _l("Verified residents only"),
}


class Kind(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    SCALE = "scale"
    RANKING = "ranking"
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    NUMBER = "number"
    DATE = "date"
    PLACE = "place"

    @property
    def title(self):
        return KIND_TITLES[self]

    @property
    def has_choices(self):
        return self in (Kind.SINGLE, Kind.MULTIPLE, Kind.RANKING)

    @property
    def is_text(self):
        return self in (Kind.SHORT_TEXT, Kind.LONG_TEXT)


KIND_TITLES = {
    Kind.SINGLE: _l("One choice"),
    Kind.MULTIPLE: _l("Several choices"),
    Kind.SCALE: _l("Scale from 1 to 5"),
    Kind.RANKING: _l("Ranking"),
    Kind.SHORT_TEXT: _l("Short text"),
    Kind.LONG_TEXT: _l("Long text"),
    Kind.NUMBER: _l("Number"),
    Kind.DATE: _l("Date"),
    Kind.PLACE: _l("Place on the map"),
}


class Channel(StrEnum):
    ONLINE = "online"
    PAPER = "paper"

    @property
    def title(self):
        return CHANNEL_TITLES[self]


CHANNEL_TITLES = {Channel.ONLINE: _l("Online"), Channel.PAPER: _l("Paper form")}


class Survey(TimestampMixin, db.Model):
    __tablename__ = "surveys"
    __table_args__ = (
        sa.CheckConstraint("(process_id IS NULL) <> (townhall_id IS NULL)", name="one_place"),
        sa.CheckConstraint(f"audience IN ({_values(Audience)})", name="audience_known"),
        sa.CheckConstraint(
            "opens_dt IS NULL OR closes_dt IS NULL OR opens_dt < closes_dt", name="opens_first"
        ),
        sa.CheckConstraint("length(title_th) + length(title_en) >= 1", name="has_title"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("processes.id", ondelete="CASCADE"), index=True
    )
    townhall_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("townhalls.id", ondelete="CASCADE"), index=True
    )
    title_th: Mapped[str] = mapped_column(sa.String(TITLE_MAX), nullable=False, default="")
    title_en: Mapped[str] = mapped_column(sa.String(TITLE_MAX), nullable=False, default="")
    introduction_th: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    introduction_en: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    opens_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    audience: Mapped[str] = mapped_column(sa.String(20), nullable=False, default=Audience.ANYONE)
    # Ask each respondent for their community (results can then be filtered by community).
    asks_community: Mapped[bool] = mapped_column(
        sa.Boolean, nullable=False, default=True, server_default=sa.true()
    )
    results_published: Mapped[bool] = mapped_column(
        sa.Boolean, nullable=False, default=False, server_default=sa.false()
    )
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    process = relationship("Process")
    townhall = relationship("TownHall")
    created_by = relationship("User", foreign_keys=[created_by_id])
    sections: Mapped[list["Section"]] = relationship(
        back_populates="survey", order_by="Section.position", cascade="all, delete-orphan",
        passive_deletes=True,
    )  # fmt: skip
    questions: Mapped[list["SurveyQuestion"]] = relationship(
        back_populates="survey", order_by="SurveyQuestion.position",
        cascade="all, delete-orphan", passive_deletes=True,
    )  # fmt: skip

    @property
    def place(self):
        return self.process if self.process_id is not None else self.townhall

    @property
    def title(self):
        return localized(self, "title")

    @property
    def introduction(self):
        return localized(self, "introduction")

    @property
    def current_audience(self):
        return Audience(self.audience)

    def is_open_at(self, moment):
        if self.opens_dt is None or moment < self.opens_dt:
            return False
        return self.closes_dt is None or moment < self.closes_dt

    @property
    def is_open(self):
        return self.is_open_at(utcnow())


class Section(db.Model):
    __tablename__ = "survey_sections"
    __table_args__ = (sa.Index("ix_survey_sections_survey", "survey_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(
        sa.ForeignKey("surveys.id", ondelete="CASCADE"), nullable=False
    )
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    title_th: Mapped[str] = mapped_column(sa.String(TITLE_MAX), nullable=False, default="")
    title_en: Mapped[str] = mapped_column(sa.String(TITLE_MAX), nullable=False, default="")

    survey: Mapped[Survey] = relationship(back_populates="sections")

    @property
    def title(self):
        return localized(self, "title")


class SurveyQuestion(db.Model):
    __tablename__ = "survey_questions"
    __table_args__ = (
        sa.CheckConstraint(f"kind IN ({_values(Kind)})", name="kind_known"),
        sa.CheckConstraint("max_choices IS NULL OR max_choices >= 1", name="max_choices_positive"),
        sa.CheckConstraint("length(text_th) + length(text_en) >= 1", name="has_text"),
        sa.Index("ix_survey_questions_survey", "survey_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(
        sa.ForeignKey("surveys.id", ondelete="CASCADE"), nullable=False
    )
    section_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("survey_sections.id", ondelete="SET NULL"), index=True
    )
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    kind: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    text_th: Mapped[str] = mapped_column(sa.String(QUESTION_MAX), nullable=False, default="")
    text_en: Mapped[str] = mapped_column(sa.String(QUESTION_MAX), nullable=False, default="")
    # Added by the facilitator, also after answers exist (the question itself is then locked).
    explanation_th: Mapped[str] = mapped_column(
        sa.String(EXPLANATION_MAX), nullable=False, default=""
    )
    explanation_en: Mapped[str] = mapped_column(
        sa.String(EXPLANATION_MAX), nullable=False, default=""
    )
    is_required: Mapped[bool] = mapped_column(
        sa.Boolean, nullable=False, default=False, server_default=sa.false()
    )
    max_choices: Mapped[int | None] = mapped_column(sa.Integer)
    low_label_th: Mapped[str] = mapped_column(
        sa.String(SCALE_LABEL_MAX), nullable=False, default=""
    )
    low_label_en: Mapped[str] = mapped_column(
        sa.String(SCALE_LABEL_MAX), nullable=False, default=""
    )
    high_label_th: Mapped[str] = mapped_column(
        sa.String(SCALE_LABEL_MAX), nullable=False, default=""
    )
    high_label_en: Mapped[str] = mapped_column(
        sa.String(SCALE_LABEL_MAX), nullable=False, default=""
    )
    survey: Mapped[Survey] = relationship(back_populates="questions")
    section = relationship("Section")
    choices: Mapped[list["SurveyChoice"]] = relationship(
        back_populates="question", order_by="SurveyChoice.position",
        cascade="all, delete-orphan", passive_deletes=True,
        foreign_keys="SurveyChoice.question_id",
    )  # fmt: skip
    # Shown only when the answer to an earlier choice question includes a given choice.
    condition: Mapped["Condition | None"] = relationship(
        back_populates="question", cascade="all, delete-orphan", passive_deletes=True,
        foreign_keys="Condition.question_id",
    )  # fmt: skip

    @property
    def condition_choice_id(self):
        return self.condition.choice_id if self.condition is not None else None

    @condition_choice_id.setter
    def condition_choice_id(self, choice_id):
        if choice_id is None:
            self.condition = None
        elif self.condition is None:
            self.condition = Condition(choice_id=choice_id)
        else:
            self.condition.choice_id = choice_id

    @property
    def condition_choice(self):
        return self.condition.choice if self.condition is not None else None

    @property
    def condition_question(self):
        return self.condition.choice.question if self.condition is not None else None

    @property
    def condition_question_id(self):
        return self.condition.choice.question_id if self.condition is not None else None

    @property
    def current_kind(self):
        return Kind(self.kind)

    @property
    def text(self):
        return localized(self, "text")

    @property
    def explanation(self):
        return localized(self, "explanation")

    @property
    def low_label(self):
        return localized(self, "low_label")

    @property
    def high_label(self):
        return localized(self, "high_label")


class SurveyChoice(db.Model):
    __tablename__ = "survey_choices"
    __table_args__ = (
        sa.CheckConstraint("length(label_th) + length(label_en) >= 1", name="has_label"),
        sa.Index("ix_survey_choices_question", "question_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        sa.ForeignKey("survey_questions.id", ondelete="CASCADE"), nullable=False
    )
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    label_th: Mapped[str] = mapped_column(sa.String(CHOICE_MAX), nullable=False, default="")
    label_en: Mapped[str] = mapped_column(sa.String(CHOICE_MAX), nullable=False, default="")

    question: Mapped[SurveyQuestion] = relationship(
        back_populates="choices", foreign_keys=[question_id]
    )

    @property
    def label(self):
        return localized(self, "label")


class Condition(db.Model):
    """A question is shown only when the answer to an earlier choice question includes
    ``choice`` (one level: the earlier question has no condition itself). A table of its own,
    so questions and choices do not refer to each other in a circle."""

    __tablename__ = "survey_conditions"

    question_id: Mapped[int] = mapped_column(
        sa.ForeignKey("survey_questions.id", ondelete="CASCADE"), primary_key=True
    )
    choice_id: Mapped[int] = mapped_column(
        sa.ForeignKey("survey_choices.id", ondelete="CASCADE"), nullable=False, index=True
    )

    question: Mapped[SurveyQuestion] = relationship(
        back_populates="condition", foreign_keys=[question_id]
    )
    choice = relationship("SurveyChoice")


class Response(TimestampMixin, db.Model):
    """One person's (or one device's, or one paper form's) answers to a survey."""

    __tablename__ = "survey_responses"
    __table_args__ = (
        sa.UniqueConstraint("survey_id", "user_id"),
        sa.UniqueConstraint("survey_id", "device_key"),
        sa.CheckConstraint(f"channel IN ({_values(Channel)})", name="channel_known"),
        sa.Index("ix_survey_responses_survey", "survey_id", "area_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(
        sa.ForeignKey("surveys.id", ondelete="CASCADE"), nullable=False
    )
    # Emptied when the account is deleted: the answers stay counted, anonymous.
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # A hash of the answering device's cookie, for visitors (anyone-with-the-link surveys).
    device_key: Mapped[str | None] = mapped_column(sa.String(64))
    channel: Mapped[str] = mapped_column(sa.String(10), nullable=False, default=Channel.ONLINE)
    # Staff member who typed in a paper form.
    entered_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    area_id: Mapped[int | None] = mapped_column(sa.ForeignKey("areas.id", ondelete="SET NULL"))

    survey = relationship("Survey")
    user = relationship("User", foreign_keys=[user_id])
    entered_by = relationship("User", foreign_keys=[entered_by_id])
    area = relationship("Area")
    answers: Mapped[list["Answer"]] = relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True
    )


class Answer(HideableMixin, db.Model):
    """One question's answer in one response; text answers can be hidden by a moderator."""

    __tablename__ = "survey_answers"
    __table_args__ = (
        sa.UniqueConstraint("response_id", "question_id"),
        sa.CheckConstraint(
            f"scale_value IS NULL OR (scale_value >= {SCALE_MIN} AND scale_value <= {SCALE_MAX})",
            name="scale_in_bounds",
        ),
        sa.CheckConstraint(f"length(text_value) <= {LONG_TEXT_MAX}", name="text_length"),
        sa.CheckConstraint("(latitude IS NULL) = (longitude IS NULL)", name="place_complete"),
        sa.Index("ix_survey_answers_question", "question_id", "is_hidden"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        sa.ForeignKey("survey_responses.id", ondelete="CASCADE"), nullable=False
    )
    question_id: Mapped[int] = mapped_column(
        sa.ForeignKey("survey_questions.id", ondelete="CASCADE"), nullable=False
    )
    text_value: Mapped[str] = mapped_column(
        sa.String(LONG_TEXT_MAX), nullable=False, default="", server_default=""
    )
    number_value: Mapped[float | None] = mapped_column(sa.Float)
    scale_value: Mapped[int | None] = mapped_column(sa.SmallInteger)
    date_value: Mapped[datetime | None] = mapped_column(sa.Date)
    latitude: Mapped[float | None] = mapped_column(sa.Float)
    longitude: Mapped[float | None] = mapped_column(sa.Float)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    response: Mapped[Response] = relationship(back_populates="answers")
    question = relationship("SurveyQuestion")
    choices: Mapped[list["AnswerChoice"]] = relationship(
        back_populates="answer", order_by="AnswerChoice.rank", cascade="all, delete-orphan",
        passive_deletes=True,
    )  # fmt: skip

    @property
    def author(self):
        return self.response.user if self.response else None


class AnswerChoice(db.Model):
    """A choice picked in an answer; ``rank`` orders a ranking (1 = first)."""

    __tablename__ = "survey_answer_choices"
    __table_args__ = (
        sa.UniqueConstraint("answer_id", "rank"),
        sa.CheckConstraint("rank >= 1", name="rank_positive"),
        sa.Index("ix_survey_answer_choices_choice", "choice_id"),
    )

    answer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("survey_answers.id", ondelete="CASCADE"), primary_key=True
    )
    choice_id: Mapped[int] = mapped_column(
        sa.ForeignKey("survey_choices.id", ondelete="CASCADE"), primary_key=True
    )
    rank: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    answer: Mapped[Answer] = relationship(back_populates="choices")
    choice = relationship("SurveyChoice")

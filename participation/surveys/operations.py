"""Surveys: building them, answering them, and their results: every rule, in one place.

Functions change state and flush, never commit, and raise :class:`RuleError` with a translated
message when a rule is broken (nothing is then stored: the caller rolls back).
"""

import hashlib
import logging
import math
from collections import Counter

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from participation.audit.operations import record_action
from participation.core.dates import DateInputError, parse_text
from participation.core.models import utcnow
from participation.core.permissions import Permission, can
from participation.core.rules import Checks, RuleError
from participation.core.sanitize import plain_text
from participation.extensions import db
from participation.processes.models import Process
from participation.surveys import action_log  # noqa: F401  (registers the action log's words)
from participation.surveys.models import (
    CHOICE_MAX,
    CHOICES_MAX,
    EXPLANATION_MAX,
    INTRODUCTION_MAX,
    LONG_TEXT_MAX,
    NUMBER_LIMIT,
    QUESTION_MAX,
    QUESTIONS_MAX,
    SCALE_LABEL_MAX,
    SCALE_MAX,
    SCALE_MIN,
    SHORT_TEXT_MAX,
    TITLE_MAX,
    Answer,
    AnswerChoice,
    Audience,
    Channel,
    Kind,
    Response,
    Section,
    Survey,
    SurveyChoice,
    SurveyQuestion,
)

logger = logging.getLogger(__name__)

# Bounds of a place answer (Thailand, with a margin): a pin elsewhere is a mistake.
LATITUDE_BOUNDS = (4.0, 22.0)
LONGITUDE_BOUNDS = (96.0, 107.0)


# --- Who may do what, and when ------------------------------------------------------------------


def can_manage(user, survey_or_place):
    """The facilitators of the process or town hall (and administrators) run its surveys."""
    place = getattr(survey_or_place, "place", survey_or_place)
    return can(user, Permission.FACILITATE, place)


def place_is_visible(place, user):
    from participation.processes.operations import process_is_visible

    if isinstance(place, Process):
        return process_is_visible(place, user)
    if not place.is_published and not place.is_facilitator(user):
        return False
    return place.allow_visitors or bool(user is not None and user.is_authenticated)


def is_visible(survey, user):
    """Residents see a survey once it has opened (and after it closes); its facilitators
    always."""
    if not place_is_visible(survey.place, user):
        return False
    if can_manage(user, survey):
        return True
    return survey.opens_dt is not None and survey.opens_dt <= utcnow()


def results_visible(survey, user):
    """Results are public once the facilitator publishes them; staff always see them."""
    return survey.results_published or can_manage(user, survey)


def closed_reason(survey, now=None):
    """Why nobody can answer now, or None when the survey is open."""
    now = now or utcnow()
    if survey.opens_dt is None or now < survey.opens_dt:
        return _l("This survey is not open yet.")
    if survey.closes_dt is not None and now >= survey.closes_dt:
        return _l("This survey has closed; answers can no longer be given or changed.")
    if isinstance(survey.place, Process) and not survey.place.is_published:
        return _l("This process is not published yet.")
    return None


def is_verified_resident(user, survey):
    """Whether ``user`` is a verified resident, of one of the survey's process's communities
    when the process names some (participation/verification)."""
    from participation.verification.operations import current_verification

    verification = current_verification(user)
    if verification is None:
        return False
    process = survey.process
    areas = {area.id for area in process.areas} if process is not None else set()
    return not areas or verification.area_id in areas


def answer_refusal(survey, user):
    """Why ``user`` (perhaps an anonymous visitor) may not answer ``survey``, or None.

    The one hook that decides who may answer: anyone with the link, signed-in residents, or
    verified residents (see :func:`is_verified_resident`); and a process that asks verification
    for every survey (participation/verification) overrides a survey open to anyone.
    """
    from participation.verification.operations import HOW_TO_VERIFY, can_act, required

    reason = closed_reason(survey)
    if reason is not None:
        return reason
    signed_in = user is not None and user.is_authenticated
    if signed_in and getattr(user, "is_suspended", False):
        return _l("Your account is suspended, so you cannot answer surveys.")
    audience = survey.current_audience
    process_rule = survey.process is not None and required(survey.process, "survey") is not None
    if audience == Audience.ANYONE and not process_rule:
        return None
    if not signed_in:
        return _l("Please sign in to answer this survey.")
    if audience == Audience.VERIFIED and not is_verified_resident(user, survey):
        return _l("Only verified residents can answer this survey. %(how)s", how=HOW_TO_VERIFY)
    if process_rule:
        allowed, reason = can_act(user, survey.process, "survey")
        if not allowed:
            return reason
    return None


def device_key_of(token):
    """What is stored for a visitor's device: a hash of its cookie, never the cookie."""
    if not token:
        return None
    return hashlib.sha256(token.encode()).hexdigest()


def response_of(survey, user=None, device_token=None):
    """The online response this person (or this device) already gave, or None."""
    if user is not None and user.is_authenticated:
        return db.session.scalar(
            sa.select(Response).where(Response.survey_id == survey.id, Response.user_id == user.id)
        )
    key = device_key_of(device_token)
    if key is None:
        return None
    return db.session.scalar(
        sa.select(Response).where(Response.survey_id == survey.id, Response.device_key == key)
    )


def has_answers(survey):
    return bool(db.session.scalar(sa.select(sa.exists().where(Response.survey_id == survey.id))))


def response_count(survey):
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Response).where(Response.survey_id == survey.id)
    )


def surveys_of(place, user):
    """The surveys of a process or town hall this reader may see, newest first."""
    column = Survey.process_id if isinstance(place, Process) else Survey.townhall_id
    surveys = db.session.scalars(
        sa.select(Survey).where(column == place.id).order_by(Survey.id.desc())
    ).all()
    return [survey for survey in surveys if is_visible(survey, user)]


def _require_manager(user, survey_or_place):
    if not can_manage(user, survey_or_place):
        raise RuleError(_l("Only the facilitators of this process or town hall can do that."))


# --- Answering ----------------------------------------------------------------------------------


def _field(question):
    return f"q{question.id}"


def _values_of(data, name):
    """Every value sent under ``name`` (forms send lists; dicts in tests send one or a list)."""
    if hasattr(data, "getlist"):
        return [value for value in data.getlist(name) if value != ""]
    value = data.get(name)
    if value is None or value == "":
        return []
    return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]


def _one(data, name):
    values = _values_of(data, name)
    return values[0].strip() if values else ""


def _choice_ids(question, values):
    """The question's choices picked by id; a foreign or unknown id is refused."""
    own = {choice.id: choice for choice in question.choices}
    picked = []
    for value in values:
        if not value.strip().isdigit() or int(value) not in own:
            raise RuleError(_l("Please choose among this question's answers."), _field(question))
        if int(value) not in picked:
            picked.append(int(value))
    return picked


def _parse_number(text, question):
    cleaned = text.replace(",", "").replace(" ", "")
    try:
        value = float(cleaned)
    except ValueError:
        raise RuleError(_l("Please enter a number, e.g. 12 or 3.5."), _field(question)) from None
    if not math.isfinite(value) or abs(value) >= NUMBER_LIMIT:
        raise RuleError(_l("This number is too large."), _field(question))
    return value


def _parse_answer(question, data):
    """The value of one question's answer (None when left empty); RuleError when wrong."""
    kind = question.current_kind
    name = _field(question)
    if kind == Kind.SINGLE:
        picked = _choice_ids(question, _values_of(data, name))
        if len(picked) > 1:
            raise RuleError(_l("Please choose only one answer."), name)
        return picked or None
    if kind == Kind.MULTIPLE:
        picked = _choice_ids(question, _values_of(data, name))
        if question.max_choices and len(picked) > question.max_choices:
            raise RuleError(
                _l("Please choose at most %(count)s answers.", count=question.max_choices), name
            )
        return picked or None
    if kind == Kind.RANKING:
        ranks = {}
        for choice in question.choices:
            text = _one(data, f"{name}-rank-{choice.id}")
            if not text:
                continue
            if not text.isdigit() or not 1 <= int(text) <= len(question.choices):
                raise RuleError(
                    _l("Please rank with numbers from 1 to %(count)s.",
                       count=len(question.choices)),
                    name,
                )  # fmt: skip
            ranks[choice.id] = int(text)
        if len(set(ranks.values())) != len(ranks):
            raise RuleError(_l("Please give each answer a different rank."), name)
        return [choice_id for choice_id, _rank in sorted(ranks.items(), key=lambda i: i[1])] or None
    text = _one(data, name)
    if kind in (Kind.SHORT_TEXT, Kind.LONG_TEXT):
        limit = SHORT_TEXT_MAX if kind == Kind.SHORT_TEXT else LONG_TEXT_MAX
        text = plain_text(text) if kind == Kind.SHORT_TEXT else text.replace("\r\n", "\n")
        if len(text) > limit:
            raise RuleError(
                _l("Please shorten your answer to %(count)s characters.", count=limit), name
            )
        return text or None
    if kind == Kind.PLACE:
        latitude, longitude = _one(data, f"{name}-lat"), _one(data, f"{name}-lng")
        if not latitude and not longitude:
            return None
        try:
            point = (float(latitude), float(longitude))
        except ValueError:
            raise RuleError(_l("Please put the pin on the map."), name) from None
        if not (LATITUDE_BOUNDS[0] <= point[0] <= LATITUDE_BOUNDS[1]
                and LONGITUDE_BOUNDS[0] <= point[1] <= LONGITUDE_BOUNDS[1]):  # fmt: skip
            raise RuleError(_l("Please put the pin on the map of the municipality."), name)
        return point
    if not text:
        return None
    if kind == Kind.SCALE:
        if not text.isdigit() or not SCALE_MIN <= int(text) <= SCALE_MAX:
            raise RuleError(
                _l("Please choose a value from %(low)s to %(high)s.", low=SCALE_MIN,
                   high=SCALE_MAX),
                name,
            )  # fmt: skip
        return int(text)
    if kind == Kind.NUMBER:
        return _parse_number(text, question)
    if kind == Kind.DATE:
        try:
            value, _time = parse_text(text)
        except DateInputError as error:
            raise RuleError(error.message, name) from None
        return value
    raise RuleError(_l("This kind of question cannot be answered here."), name)


def is_shown(question, values):
    """Whether the question is asked, given the parsed answers to earlier questions."""
    if question.condition_question_id is None:
        return True
    earlier = values.get(question.condition_question_id)
    return bool(earlier) and question.condition_choice_id in earlier


def read_answers(survey, data):
    """Every shown question's parsed answer from a submitted form: ``{question id: value}``.

    Checks every question before raising, so a person sees all that needs fixing at once; a
    question hidden by its condition is skipped and whatever was sent for it is discarded.
    """
    checks = Checks()
    values = {}
    for question in survey.questions:
        if not is_shown(question, values):
            continue  # not asked: nothing sent for it is read, checked or kept
        value = checks.run(_parse_answer, question, data)
        if checks.failed(_field(question)):
            continue
        if value is None or value == []:
            if question.is_required:
                checks.add(_l("Please answer this question."), _field(question))
            continue
        values[question.id] = value
    checks.done()
    return values


def _area_id(survey, area_id):
    if not survey.asks_community or area_id in (None, ""):
        return None
    from participation.municipality.models import Area

    try:
        area = db.session.get(Area, int(area_id))
    except (TypeError, ValueError):
        area = None
    if area is None:
        raise RuleError(_l("Please choose your community from the list."), "area")
    return area.id


def _store(response, survey, values):
    for answer in list(response.answers):
        db.session.delete(answer)
    db.session.flush()
    by_id = {question.id: question for question in survey.questions}
    for question_id, value in values.items():
        question = by_id[question_id]
        kind = question.current_kind
        answer = Answer(response=response, question_id=question_id)
        if kind.has_choices:
            answer.choices = [
                AnswerChoice(choice_id=choice_id, rank=rank)
                for rank, choice_id in enumerate(value, start=1)
            ]
        elif kind.is_text:
            answer.text_value = value
        elif kind == Kind.SCALE:
            answer.scale_value = value
        elif kind == Kind.NUMBER:
            answer.number_value = value
        elif kind == Kind.DATE:
            answer.date_value = value
        elif kind == Kind.PLACE:
            answer.latitude, answer.longitude = value
        db.session.add(answer)
    response.modified_dt = utcnow()
    db.session.flush()


def submit_response(survey, user, data, device_token=None, area_id=None):
    """Give or change one's online response (one per account, or per device for visitors)."""
    reason = answer_refusal(survey, user)
    if reason is not None:
        raise RuleError(reason)
    signed_in = user is not None and user.is_authenticated
    if not signed_in and not device_token:
        raise RuleError(_l("Please allow cookies on this site to answer the survey."))
    area = _area_id(survey, area_id)
    values = read_answers(survey, data)
    response = response_of(survey, user, device_token)
    if response is None:
        response = Response(survey=survey, channel=Channel.ONLINE, area_id=area)
        if signed_in:
            response.user_id = user.id
        else:
            response.device_key = device_key_of(device_token)
        db.session.add(response)
        db.session.flush()
    else:
        response.area_id = area
    _store(response, survey, values)
    return response


def enter_paper_response(survey, staff, data, area_id=None):
    """A facilitator types in one paper form; it is counted with the online answers."""
    _require_manager(staff, survey)
    if survey.opens_dt is None:
        raise RuleError(_l("Open the survey before typing in paper forms."))
    area = _area_id(survey, area_id)
    values = read_answers(survey, data)
    response = Response(survey=survey, channel=Channel.PAPER, entered_by_id=staff.id,
                        area_id=area)  # fmt: skip
    db.session.add(response)
    db.session.flush()
    _store(response, survey, values)
    record_action(staff, "surveys.paper", survey)
    return response


def current_values(response):
    """A stored response as form values, to fill the form again when editing."""
    values = {}
    if response is None:
        return values
    for answer in response.answers:
        name = f"q{answer.question_id}"
        kind = answer.question.current_kind
        if kind in (Kind.SINGLE, Kind.MULTIPLE):
            values[name] = [str(choice.choice_id) for choice in answer.choices]
        elif kind == Kind.RANKING:
            for choice in answer.choices:
                values[f"{name}-rank-{choice.choice_id}"] = str(choice.rank)
        elif kind.is_text:
            values[name] = answer.text_value
        elif kind == Kind.SCALE:
            values[name] = str(answer.scale_value)
        elif kind == Kind.NUMBER:
            number = answer.number_value
            values[name] = str(int(number)) if number == int(number) else str(number)
        elif kind == Kind.DATE:
            values[name] = answer.date_value.isoformat()
        elif kind == Kind.PLACE:
            values[f"{name}-lat"], values[f"{name}-lng"] = (
                str(answer.latitude),
                str(answer.longitude),
            )
    if response.area_id:
        values["area"] = str(response.area_id)
    return values


# --- Building -----------------------------------------------------------------------------------


def _text(data, name, limit, message, checks, multiline=False):
    raw = data.get(name) or ""
    value = raw.replace("\r\n", "\n").strip() if multiline else plain_text(raw)
    if len(value) > limit:
        checks.add(message, name)
    return value


def _survey_fields(data, checks):
    fields = {
        "title_th": _text(data, "title_th", TITLE_MAX, _l("The title is too long."), checks),
        "title_en": _text(data, "title_en", TITLE_MAX, _l("The title is too long."), checks),
        "introduction_th": _text(data, "introduction_th", INTRODUCTION_MAX,
                                 _l("The introduction is too long."), checks, multiline=True),
        "introduction_en": _text(data, "introduction_en", INTRODUCTION_MAX,
                                 _l("The introduction is too long."), checks, multiline=True),
    }  # fmt: skip
    if not fields["title_th"] and not fields["title_en"]:
        checks.add(_l("Please give the survey a title."), "title_th")
    audience = data.get("audience") or Audience.ANYONE
    if audience not in set(Audience):
        checks.add(_l("Please choose who may answer."), "audience")
    fields["audience"] = audience
    fields["asks_community"] = bool(data.get("asks_community"))
    opens, closes = data.get("opens_dt"), data.get("closes_dt")
    if opens is not None and closes is not None and closes <= opens:
        checks.add(_l("The survey must close after it opens."), "closes_dt")
    fields["opens_dt"], fields["closes_dt"] = opens, closes
    return fields


def create_survey(place, user, data):
    """A facilitator creates a survey in a process or town hall (closed until it opens)."""
    _require_manager(user, place)
    checks = Checks()
    fields = _survey_fields(data, checks)
    checks.done()
    survey = Survey(created_by_id=user.id, **fields)
    if isinstance(place, Process):
        survey.process_id = place.id
    else:
        survey.townhall_id = place.id
    db.session.add(survey)
    db.session.flush()
    record_action(user, "surveys.create", survey)
    return survey


def update_survey(survey, user, data):
    """Change the title, introduction, dates and who may answer (questions are separate)."""
    _require_manager(user, survey)
    checks = Checks()
    fields = _survey_fields(data, checks)
    if has_answers(survey) and fields["audience"] != survey.audience:
        checks.add(_l("Who may answer cannot change once answers exist."), "audience")
    checks.done()
    for name, value in fields.items():
        setattr(survey, name, value)
    db.session.flush()
    return survey


def set_results_published(survey, user, published):
    _require_manager(user, survey)
    survey.results_published = bool(published)
    record_action(user, "surveys.publish" if published else "surveys.unpublish", survey,
                  public=True)  # fmt: skip
    db.session.flush()


def _require_unlocked(survey):
    if has_answers(survey):
        raise RuleError(
            _l("Questions cannot change once answers exist; you can still add an explanation.")
        )


def _lines(text, limit, checks, field):
    lines = [plain_text(line) for line in (text or "").splitlines()]
    lines = [line for line in lines if line]
    if any(len(line) > limit for line in lines):
        checks.add(_l("An answer is too long (%(count)s characters at most).", count=limit), field)
    return lines


def _question_fields(survey, data, checks, question=None):
    kind = data.get("kind") or ""
    if kind not in set(Kind):
        checks.add(_l("Please choose the kind of question."), "kind")
        kind = Kind.SHORT_TEXT
    kind = Kind(kind)
    fields = {
        "kind": kind.value,
        "text_th": _text(data, "text_th", QUESTION_MAX, _l("The question is too long."), checks),
        "text_en": _text(data, "text_en", QUESTION_MAX, _l("The question is too long."), checks),
        "explanation_th": _text(data, "explanation_th", EXPLANATION_MAX,
                                _l("The explanation is too long."), checks, multiline=True),
        "explanation_en": _text(data, "explanation_en", EXPLANATION_MAX,
                                _l("The explanation is too long."), checks, multiline=True),
        "is_required": bool(data.get("is_required")),
        "low_label_th": _text(data, "low_label_th", SCALE_LABEL_MAX, _l("The label is too long."),
                              checks),
        "low_label_en": _text(data, "low_label_en", SCALE_LABEL_MAX, _l("The label is too long."),
                              checks),
        "high_label_th": _text(data, "high_label_th", SCALE_LABEL_MAX,
                               _l("The label is too long."), checks),
        "high_label_en": _text(data, "high_label_en", SCALE_LABEL_MAX,
                               _l("The label is too long."), checks),
    }  # fmt: skip
    if not fields["text_th"] and not fields["text_en"]:
        checks.add(_l("Please write the question."), "text_th")
    fields["section"] = tuple(
        _text(data, name, TITLE_MAX, _l("The heading is too long."), checks)
        for name in ("section_th", "section_en")
    )
    choices_th = _lines(data.get("choices_th"), CHOICE_MAX, checks, "choices_th")
    choices_en = _lines(data.get("choices_en"), CHOICE_MAX, checks, "choices_en")
    count = max(len(choices_th), len(choices_en))
    if kind.has_choices:
        if count < 2:
            checks.add(_l("Please give at least two answers to choose from, one per line."),
                       "choices_th")  # fmt: skip
        elif count > CHOICES_MAX:
            checks.add(_l("At most %(count)s answers to choose from.", count=CHOICES_MAX),
                       "choices_th")  # fmt: skip
        elif choices_th and choices_en and len(choices_th) != len(choices_en):
            checks.add(_l("Give the same number of answers in Thai and in English."),
                       "choices_en")  # fmt: skip
    max_choices = None
    if kind == Kind.MULTIPLE and (data.get("max_choices") or "").strip():
        text = data["max_choices"].strip()
        if not text.isdigit() or int(text) < 1:
            checks.add(_l("The most answers a person may choose must be a number from 1."),
                       "max_choices")  # fmt: skip
        else:
            max_choices = int(text)
    fields["max_choices"] = max_choices
    condition = (data.get("condition") or "").strip()
    fields["condition_choice_id"] = None
    if condition:
        choice = _condition_choice(survey, condition, question)
        if choice is None:
            checks.add(_l("A question can depend only on an answer to an earlier choice "
                          "question that has no condition itself."), "condition")  # fmt: skip
        else:
            fields["condition_choice_id"] = choice.id
    labels = [(choices_th[i] if i < len(choices_th) else "",
               choices_en[i] if i < len(choices_en) else "") for i in range(count)]  # fmt: skip
    return fields, labels if kind.has_choices else []


def _condition_choice(survey, value, question=None):
    """The choice an earlier, unconditioned choice question offers (one level only)."""
    if not value.isdigit():
        return None
    choice = db.session.get(SurveyChoice, int(value))
    if choice is None or choice.question.survey_id != survey.id:
        return None
    earlier = choice.question
    if earlier.condition_question_id is not None or not earlier.current_kind.has_choices:
        return None
    if question is not None and (
        earlier.id == question.id or earlier.position >= question.position
    ):
        return None
    return choice


def condition_options(survey, question=None):
    """(choice id, "question → answer") a question may depend on."""
    options = []
    for earlier in survey.questions:
        if question is not None and earlier.position >= question.position:
            break
        if earlier.condition_question_id is None and earlier.current_kind.has_choices:
            options.extend((choice.id, f"{earlier.text} → {choice.label}")
                           for choice in earlier.choices)  # fmt: skip
    return options


def _renumber(survey):
    for position, question in enumerate(survey.questions, start=1):
        question.position = position


def add_question(survey, user, data):
    _require_manager(user, survey)
    _require_unlocked(survey)
    if len(survey.questions) >= QUESTIONS_MAX:
        raise RuleError(_l("A survey can have at most %(count)s questions.", count=QUESTIONS_MAX))
    checks = Checks()
    fields, labels = _question_fields(survey, data, checks)
    checks.done()
    section = fields.pop("section")
    question = SurveyQuestion(survey=survey, position=len(survey.questions) + 1, **fields)
    question.choices = [SurveyChoice(position=i, label_th=th, label_en=en)
                        for i, (th, en) in enumerate(labels, start=1)]  # fmt: skip
    db.session.add(question)
    db.session.flush()
    _set_section(question, section)
    return question


def _set_section(question, titles):
    """Start a section with this question (its heading in both languages), or none."""
    if not any(titles):
        question.section_id = None
    elif question.section is not None and question.section.id == question.section_id:
        question.section.title_th, question.section.title_en = titles
    else:
        section = Section(survey_id=question.survey_id, position=question.position,
                          title_th=titles[0], title_en=titles[1])  # fmt: skip
        db.session.add(section)
        db.session.flush()
        question.section_id = section.id
    db.session.flush()
    db.session.expire(question, ["section"])


def section_starts(survey):
    """The questions that open a section: ``{question id: section}``."""
    starts, previous = {}, None
    for question in survey.questions:
        if question.section_id is not None and question.section_id != previous:
            starts[question.id] = question.section
        previous = question.section_id
    return starts


def update_question(question, user, data):
    """Change a question; once answers exist only its explanation may change."""
    survey = question.survey
    _require_manager(user, survey)
    checks = Checks()
    if has_answers(survey):
        explanation = {
            name: _text(data, name, EXPLANATION_MAX, _l("The explanation is too long."), checks,
                        multiline=True)
            for name in ("explanation_th", "explanation_en")
        }  # fmt: skip
        checks.done()
        question.explanation_th = explanation["explanation_th"]
        question.explanation_en = explanation["explanation_en"]
        db.session.flush()
        return question
    fields, labels = _question_fields(survey, data, checks, question)
    checks.done()
    section = fields.pop("section")
    for name, value in fields.items():
        setattr(question, name, value)
    _set_section(question, section)
    old = {(c.label_th, c.label_en): c for c in question.choices}
    kept = []
    for position, label in enumerate(labels, start=1):
        choice = old.pop(label, None) or SurveyChoice(label_th=label[0], label_en=label[1])
        choice.position = position
        kept.append(choice)
    question.choices = kept
    db.session.flush()
    return question


def move_question(question, user, offset):
    survey = question.survey
    _require_manager(user, survey)
    _require_unlocked(survey)
    questions = list(survey.questions)
    index = questions.index(question)
    target = index + offset
    if not 0 <= target < len(questions):
        return
    questions[index], questions[target] = questions[target], questions[index]
    for position, each in enumerate(questions, start=1):
        each.position = position
    # A condition must point to an earlier question: one that no longer does is dropped.
    for each in questions:
        earlier = each.condition_question
        if earlier is not None and earlier.position >= each.position:
            each.condition_choice_id = None
    db.session.flush()
    db.session.expire(survey, ["questions"])


def duplicate_question(question, user):
    survey = question.survey
    _require_manager(user, survey)
    _require_unlocked(survey)
    for each in survey.questions:
        if each.position > question.position:
            each.position += 1
    copy = SurveyQuestion(
        survey_id=survey.id, position=question.position + 1,
        **{name: getattr(question, name) for name in (
            "section_id", "kind", "text_th", "text_en", "explanation_th", "explanation_en",
            "is_required", "max_choices", "low_label_th", "low_label_en", "high_label_th",
            "high_label_en", "condition_choice_id",
        )},
    )  # fmt: skip
    copy.choices = [SurveyChoice(position=c.position, label_th=c.label_th, label_en=c.label_en)
                    for c in question.choices]  # fmt: skip
    db.session.add(copy)
    db.session.flush()
    db.session.expire(survey, ["questions"])
    return copy


def delete_question(question, user):
    survey = question.survey
    _require_manager(user, survey)
    _require_unlocked(survey)
    for each in survey.questions:
        if each.condition_question_id == question.id:
            each.condition_choice_id = None
    db.session.flush()
    survey.questions.remove(question)
    db.session.delete(question)
    db.session.flush()
    _renumber(survey)
    db.session.flush()


# --- Results ------------------------------------------------------------------------------------


def _responses(survey, area_id=None):
    query = (
        sa.select(Response)
        .where(Response.survey_id == survey.id)
        .options(selectinload(Response.answers).selectinload(Answer.choices))
    )
    if area_id is not None:
        query = query.where(Response.area_id == area_id)
    return db.session.scalars(query.order_by(Response.id)).all()


def results(survey, area_id=None, reader=None):
    """Per question, what the chart and table show; text answers hidden by a moderator are
    left out (their facilitators see them, marked). Percentages count the people who were
    asked the question and answered it, so conditional questions stay correct."""
    from participation.moderation.operations import can_see_hidden

    responses = _responses(survey, area_id)
    answers = {}
    for response in responses:
        for answer in response.answers:
            answers.setdefault(answer.question_id, []).append(answer)
    figures = []
    for question in survey.questions:
        given = answers.get(question.id, [])
        kind = question.current_kind
        item = {"question": question, "kind": kind, "answered": len(given), "rows": []}
        if kind in (Kind.SINGLE, Kind.MULTIPLE):
            counts = Counter(c.choice_id for answer in given for c in answer.choices)
            item["rows"] = [(choice.label, counts.get(choice.id, 0)) for choice in question.choices]
        elif kind == Kind.RANKING:
            points = Counter()
            firsts = Counter()
            size = len(question.choices)
            for answer in given:
                for c in answer.choices:
                    points[c.choice_id] += size - c.rank + 1
                    if c.rank == 1:
                        firsts[c.choice_id] += 1
            item["rows"] = sorted(
                ((choice.label, points.get(choice.id, 0), firsts.get(choice.id, 0))
                 for choice in question.choices),
                key=lambda row: -row[1],
            )  # fmt: skip
        elif kind == Kind.SCALE:
            counts = Counter(answer.scale_value for answer in given)
            item["rows"] = [(str(value), counts.get(value, 0))
                            for value in range(SCALE_MIN, SCALE_MAX + 1)]  # fmt: skip
            item["mean"] = (sum(a.scale_value for a in given) / len(given)) if given else None
        elif kind == Kind.NUMBER:
            numbers = [a.number_value for a in given]
            item["mean"] = sum(numbers) / len(numbers) if numbers else None
            item["low"] = min(numbers) if numbers else None
            item["high"] = max(numbers) if numbers else None
        elif kind == Kind.DATE:
            counts = Counter(a.date_value for a in given)
            item["dates"] = sorted(counts.items())
        elif kind.is_text:
            item["texts"] = [
                a for a in given if a.text_value and (not a.is_hidden or can_see_hidden(reader, a))
            ]
        elif kind == Kind.PLACE:
            item["points"] = [(a.latitude, a.longitude) for a in given]
        figures.append(item)
    return {"responses": len(responses),
            "paper": sum(1 for r in responses if r.channel == Channel.PAPER),
            "figures": figures}  # fmt: skip


def summary_data(place):
    """The published survey results of a process or town hall for its outcome summary (plain
    JSON, both languages): per choice, scale and ranking question its counts; for the others
    how many answered. Surveys whose results are not published are left out."""
    column = Survey.process_id if isinstance(place, Process) else Survey.townhall_id
    surveys = db.session.scalars(
        sa.select(Survey)
        .where(column == place.id, Survey.results_published.is_(True))
        .order_by(Survey.id)
    ).all()
    found = []
    for survey in surveys:
        figures = results(survey)
        questions = []
        for item in figures["figures"]:
            question = item["question"]
            entry = {"text_th": question.text_th, "text_en": question.text_en,
                     "kind": question.kind, "answered": item["answered"], "rows": []}  # fmt: skip
            if item["kind"].has_choices:
                labels = {c.label: c for c in question.choices}
                entry["rows"] = [
                    {"label_th": labels[row[0]].label_th, "label_en": labels[row[0]].label_en,
                     "count": row[1]}
                    for row in item["rows"]
                ]  # fmt: skip
            elif item["kind"] == Kind.SCALE:
                entry["rows"] = [{"label_th": row[0], "label_en": row[0], "count": row[1]}
                                 for row in item["rows"]]  # fmt: skip
            questions.append(entry)
        found.append({"id": survey.id, "title_th": survey.title_th, "title_en": survey.title_en,
                      "responses": figures["responses"], "paper": figures["paper"],
                      "questions": questions})  # fmt: skip
    return found


def summary_fingerprint(place):
    """What the summary's survey part depends on."""
    column = Survey.process_id if isinstance(place, Process) else Survey.townhall_id
    row = db.session.execute(
        sa.select(sa.func.count(Response.id), sa.func.max(Response.modified_dt),
                  sa.func.max(Survey.modified_dt))
        .select_from(Survey)
        .outerjoin(Response, Response.survey_id == Survey.id)
        .where(column == place.id, Survey.results_published.is_(True))
    ).one()  # fmt: skip
    published = db.session.scalars(
        sa.select(Survey.id).where(column == place.id, Survey.results_published.is_(True))
    ).all()
    return f"{row[0]}|{row[1]}|{row[2]}|{published}"


def answer_text(answer):
    """An answer as one cell of an export."""
    kind = answer.question.current_kind
    if kind in (Kind.SINGLE, Kind.MULTIPLE, Kind.RANKING):
        return "; ".join(c.choice.label for c in answer.choices)
    if kind.is_text:
        return "" if answer.is_hidden else answer.text_value
    if kind == Kind.SCALE:
        return answer.scale_value
    if kind == Kind.NUMBER:
        value = answer.number_value
        return int(value) if value == int(value) else value
    if kind == Kind.DATE:
        return answer.date_value.isoformat()
    if kind == Kind.PLACE:
        return f"{answer.latitude:.6f}, {answer.longitude:.6f}"
    return ""


def export_rows(survey, with_personal_data, area_id=None):
    """The header and one row per response, one column per question. Personal data (who
    answered, who typed in a paper form) only when ``with_personal_data`` (staff) and only
    when the survey collected it (signed-in answers)."""
    from participation.core.i18n import localized

    header = [str(_l("Response")), str(_l("Channel")), str(_l("Community")),
              str(_l("Answered on"))]  # fmt: skip
    if with_personal_data:
        header += [str(_l("Resident")), str(_l("Typed in by"))]
    header += [question.text for question in survey.questions]
    rows = [header]
    for response in _responses(survey, area_id):
        by_question = {answer.question_id: answer for answer in response.answers}
        row = [response.id, str(Channel(response.channel).title),
               localized(response.area, "name") if response.area else "",
               response.modified_dt.date().isoformat()]  # fmt: skip
        if with_personal_data:
            row += [response.user.display_name if response.user else "",
                    response.entered_by.display_name if response.entered_by else ""]  # fmt: skip
        for question in survey.questions:
            answer = by_question.get(question.id)
            row.append(answer_text(answer) if answer is not None else "")
        rows.append(row)
    return rows


def survey_of_answer(answer):
    return answer.response.survey


# --- Privacy ------------------------------------------------------------------------------------


def personal_data_of(user):
    """A person's survey answers, for their data download (the response rows themselves come
    from the schema; the answers refer to the response, not to the person)."""
    responses = db.session.scalars(
        sa.select(Response).where(Response.user_id == user.id).order_by(Response.id)
    ).all()
    return [
        {
            "survey_id": response.survey_id,
            "survey": response.survey.title,
            "answers": [
                {"question": answer.question.text, "answer": answer_text(answer)}
                for answer in sorted(response.answers, key=lambda a: a.question.position)
            ],
        }
        for response in responses
    ]


def erase_responses_of(user):
    """When an account is deleted its online responses stay counted, anonymous; their text
    answers, which may say who wrote them, are emptied."""
    responses = db.session.scalars(sa.select(Response).where(Response.user_id == user.id)).all()
    for response in responses:
        for answer in response.answers:
            if answer.text_value:
                answer.text_value = ""
        response.user_id = None
    db.session.flush()

"""What the API accepts and returns, as pydantic models.

Input models validate requests; output models shape responses. Both are read by
:mod:`participation.api.openapi` to write the document. Field descriptions are marked with
``N_`` and translated into the reader's language when the document is written.
"""

from datetime import date, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from participation.comments.models import BODY_MAX as COMMENT_MAX
from participation.core.forms import MAX_ID
from participation.core.i18n import N_
from participation.core.paging import MAX_PAGE
from participation.moderation.models import DETAILS_MAX
from participation.proposals.listing import MAX_PER_PAGE
from participation.proposals.models import BODY_MAX, TITLE_MAX
from participation.townhall.models import CLIENT_ID_MAX, QUESTION_MAX

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
PhaseName = Literal["reframe", "reimagine", "remake"]
StatusName = Literal["open", "withdrawn", "evaluating", "accepted", "rejected"]
AlignmentName = Literal["in_favour", "against", "neutral"]
ActionName = Literal[
    "post_issue", "affected", "comment_issue", "post_proposal", "comment_proposal", "support",
    "respond", "opinion",
]  # fmt: skip
ReasonName = Literal["spam", "offensive", "off_topic", "personal_data", "misinformation", "other"]
T = TypeVar("T")


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- shared shapes ---------------------------------------------------------------------------


class Links(Model):
    """Where the other pages of a list are (null at the ends)."""

    self: str
    first: str
    prev: str | None
    next: str | None


class PageInfo(Model):
    page: int = Field(description=N_("This page's number, from 1."))
    per_page: int
    total: int = Field(description=N_("How many items match (counted up to a limit)."))
    total_is_lower_bound: bool = Field(description=N_("True when more match than were counted."))
    pages: int


class Paginated(Model, Generic[T]):
    """One page of a list; follow links.next for the next one."""

    items: list[T]
    links: Links
    pagination: PageInfo


class CursorPage(Model, Generic[T]):
    """One page of a list read with cursors (newest first); follow links.next for older items."""

    items: list[T]
    links: Links


class PageQuery(Model):
    page: int = Field(1, ge=1, le=MAX_PAGE, description=N_("Page number, from 1."))
    per_page: int = Field(20, ge=1, le=MAX_PER_PAGE, description=N_("Items per page."))


class Person(Model):
    name: str = Field(description=N_("The public display name."))


class Named(Model):
    id: int
    slug: str
    name: str = Field(description=N_("In the reader's language."))


# --- processes -------------------------------------------------------------------------------


class PhaseInfo(Model):
    phase: PhaseName
    title: str
    subtitle: str
    start: date | None
    end: date | None
    is_current: bool
    actions: list[ActionName] = Field(description=N_("What residents may do in this phase."))


class ProcessItem(Model):
    slug: str
    title: str = Field(description=N_("In the reader's language (the other one when empty)."))
    title_th: str
    title_en: str
    summary: str
    phase: PhaseName
    is_published: bool
    url: str = Field(description=N_("This process in the API."))
    html_url: str = Field(description=N_("This process's page."))


class ProcessCounts(Model):
    issues: int
    proposals: int


class ProcessDetail(ProcessItem):
    description: str = Field(description=N_("Markdown, in the reader's language."))
    description_html: str = Field(description=N_("The description rendered and sanitised."))
    phases: list[PhaseInfo]
    categories: list[Named]
    areas: list[Named] = Field(description=N_("The communities (areas) taking part."))
    max_supports: int | None = Field(description=N_("Supports each resident may give; null: any."))
    support_threshold: int = Field(description=N_("Supports a proposal needs to qualify."))
    edit_window_minutes: int
    supports_left: int | None = Field(description=N_("For the signed-in reader; null: no limit."))
    counts: ProcessCounts
    issues_url: str
    proposals_url: str


# --- issues and proposals --------------------------------------------------------------------


class ListQuery(PageQuery):
    category: Id | None = Field(None, description=N_("Only this category (id)."))
    area: Id | None = Field(None, description=N_("Only this community (id)."))
    status: StatusName | None = Field(None, description=N_("Only this status (default: all but withdrawn)."))  # fmt: skip  # noqa: E501
    mine: bool = Field(False, description=N_("Only what the signed-in reader wrote."))
    q: str = Field("", max_length=200, description=N_("Words to search for (Thai or English)."))
    sort: Literal["supported", "newest", "commented", "random", "relevance", ""] = Field(
        "", description=N_("Default: most supported proposals, newest issues.")
    )
    seed: int = Field(0, ge=0, le=2**31 - 1, description=N_("The shuffle of sort=random."))


class Card(Model):
    id: int
    kind: Literal["issue", "proposal"]
    title: str | None = Field(description=N_("Null while hidden by a moderator."))
    status: StatusName
    status_title: str
    created: datetime
    author: Person | None = Field(description=N_("Null when hidden or the account was deleted."))
    category: Named | None
    area: Named | None
    support_count: int
    affected_count: int
    comment_count: int
    hidden: bool
    hidden_reason: str | None = Field(description=N_("Why a moderator hid it; null when shown."))
    supported: bool | None = Field(description=N_("Proposals: whether the reader supports it."))
    url: str


class Version(Model):
    version: int
    title: str
    body: str
    created: datetime


class OfficialResponseOut(Model):
    status: Literal["evaluating", "accepted", "rejected"]
    status_title: str
    body: str
    body_html: str
    created: datetime
    modified: datetime


class UpdateOut(Model):
    date: date
    progress: int = Field(ge=0, le=100)
    body: str
    body_html: str


class Comment(Model):
    id: int
    parent_id: int | None
    depth: int
    author: Person | None
    body: str | None = Field(description=N_("Null when deleted or hidden."))
    body_html: str | None
    alignment: AlignmentName | None
    upvotes: int
    downvotes: int
    created: datetime
    edited: bool
    deleted: bool
    hidden: bool
    hidden_reason: str | None
    my_vote: Literal[1, -1] | None = Field(description=N_("The reader's vote on it."))
    replies: list["Comment"]


class CommentList(Model):
    items: list[Comment]


class Detail(Card):
    body: str | None
    body_html: str | None
    version: int
    edited: datetime | None
    withdrawn: datetime | None
    can_edit: bool = Field(description=N_("Whether the reader may edit it now."))
    history: list[Version]
    linked_ids: list[int] = Field(description=N_("Issues a proposal answers; proposals answering an issue."))  # fmt: skip  # noqa: E501
    qualifies: bool | None = Field(description=N_("Proposals: enough supports for council review."))
    public_supporters: list[str] = Field(description=N_("Supporters who chose to show their name."))
    response: OfficialResponseOut | None = Field(description=N_("The council's official response."))
    updates: list[UpdateOut] = Field(description=N_("Implementation updates, newest first."))
    progress: int | None
    comments: list[Comment] = Field(description=N_("The comment tree, best first."))


class IssueInput(Model):
    title: str = Field(min_length=1, max_length=TITLE_MAX)
    body: str = Field(min_length=1, max_length=BODY_MAX, description=N_("Markdown."))
    category_id: Id | None = None
    area_id: Id | None = Field(None, description=N_("A community of the process."))


class ProposalInput(IssueInput):
    issue_ids: list[Id] = Field(default_factory=list, max_length=50,
                                description=N_("Issues of the process this proposal answers."))  # fmt: skip  # noqa: E501


class IssueEdit(Model):
    """Fields left out keep their value; the earlier text stays in the history."""

    title: str | None = Field(None, min_length=1, max_length=TITLE_MAX)
    body: str | None = Field(None, min_length=1, max_length=BODY_MAX)
    category_id: Id | None = None
    area_id: Id | None = None


class ProposalEdit(IssueEdit):
    issue_ids: list[Id] | None = Field(None, max_length=50)


class SupportState(Model):
    supported: bool
    support_count: int
    supports_left: int | None = Field(description=N_("Null: no limit in this process."))
    qualifies: bool


class AffectedState(Model):
    affected: bool
    affected_count: int


# --- comments, votes, reports ----------------------------------------------------------------


class CommentsQuery(Model):
    sort: Literal["best", "newest", "oldest"] = "best"


class CommentInput(Model):
    body: str = Field(min_length=1, max_length=COMMENT_MAX, description=N_("Markdown."))
    alignment: AlignmentName | None = None
    parent_id: Id | None = Field(None, description=N_("Reply to this comment."))


class VoteInput(Model):
    value: Literal[1, -1] = Field(description=N_("1 up, -1 down."))


class VoteState(Model):
    vote: Literal[1, -1] | None
    upvotes: int
    downvotes: int


class ReportInput(Model):
    target_type: Literal["contribution", "comment", "question", "message", "statement", "user"]
    target_id: Id
    reason: ReasonName
    details: str = Field("", max_length=DETAILS_MAX, description=N_("Needed for reason=other."))


class ReportReceipt(Model):
    target_type: str
    target_id: int
    reason: ReasonName
    message: str


# --- town halls ------------------------------------------------------------------------------


class TownHallItem(Model):
    slug: str
    title: str
    title_th: str
    title_en: str
    state: Literal["scheduled", "live", "ended"]
    starts: datetime
    ends: datetime
    venue: str
    process: str | None = Field(description=N_("The slug of its process, if any."))
    url: str


class Question(Model):
    id: int
    body: str
    author: Person | None
    state: Literal["open", "answering", "answered"]
    upvotes: int
    created: datetime
    hidden: bool
    hidden_reason: str | None
    upvoted: bool = Field(description=N_("Whether the reader said “I want to know too”."))


class PollOption(Model):
    id: int
    label: str
    votes: int | None = Field(description=N_("Null while the facilitator hides results."))


class Poll(Model):
    id: int
    question: str
    multiple: bool
    state: Literal["open", "closed"]
    voters: int
    options: list[PollOption]


class TownHallDetail(TownHallItem):
    description: str
    allow_visitors: bool
    discussion_locked: bool
    current_question_id: int | None
    questions: list[Question]
    polls: list[Poll]


class QuestionInput(Model):
    body: str = Field(min_length=1, max_length=QUESTION_MAX)
    client_id: str | None = Field(None, min_length=1, max_length=CLIENT_ID_MAX,
                                  description=N_("Your id for this question: a retry with the same "
                                  "one returns the stored question."))  # fmt: skip


class UpvoteState(Model):
    upvotes: int
    already: bool = Field(description=N_("True when the reader had already upvoted it."))


# --- summaries and the action log ------------------------------------------------------------


class SummaryItem(Model):
    kind: Literal["process", "townhall"]
    slug: str
    title: str
    published: datetime | None
    url: str


class SummarySubject(Model):
    type: Literal["process", "townhall"]
    slug: str
    title_th: str
    title_en: str
    url: str


class DecisionBudget(Model):
    """The budget line an accepted proposal in delivery is funded from."""

    fiscal_year: int | None = Field(description=N_("A Buddhist-Era year, e.g. 2569."))
    plan_code: str | None
    amount_baht: int | None
    delivery_status: Literal["in_progress", "done", "reopened"]


class Decision(Model):
    proposal_id: int
    title: str
    supports: int
    status: StatusName
    answered: bool
    progress: int | None
    budget: DecisionBudget | None = None


class SummaryDocument(Model):
    """The published summary; ``figures`` is described field by field in docs/open-data.md."""

    subject: SummarySubject
    state: Literal["draft", "reviewed", "published"]
    statement_th: str
    statement_en: str
    reviewed: datetime | None
    published: datetime | None
    computed: datetime | None
    figures: dict[str, Any]
    decisions: list[Decision] | None = None


class ActionQuery(Model):
    cursor: str | None = Field(None, max_length=40, pattern=r"^[ab][0-9]{1,10}$",
                               description=N_("Opaque; take it from links.next or links.prev."))  # fmt: skip  # noqa: E501
    limit: int = Field(50, ge=1, le=MAX_PER_PAGE)


class ActionEntry(Model):
    id: int
    created: datetime
    action: str = Field(description=N_("e.g. proposal.respond, moderation.hide, process.phase."))
    target_type: str | None
    target_id: int | None = Field(description=N_("Null for people: the log names nobody."))
    reason: str
    sentence: str = Field(
        description=N_("What happened to what, in the reader's language, as the transparency "
                       "page says it; it names nobody.")
    )  # fmt: skip


# --- accounts and tokens ---------------------------------------------------------------------


class TokenRequest(Model):
    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=1024)
    name: str = Field(min_length=1, max_length=80, description=N_("What the token is for."))
    scopes: list[Literal["read", "write"]] = Field(["read"], min_length=1, max_length=2)


class TokenInfo(Model):
    id: int
    name: str
    scopes: list[Literal["read", "write"]]
    created: datetime
    last_used: datetime | None
    revoked: datetime | None


class NewToken(TokenInfo):
    token: str = Field(description=N_("Shown this once; only its hash is kept."))


class TokenList(Model):
    items: list[TokenInfo]


class Me(Model):
    id: int
    display_name: str
    roles: list[str]
    preferred_language: Literal["th", "en"]
    suspended: bool
    token: TokenInfo | None = Field(description=N_("The token of this request, if one was used."))


# --- maps ------------------------------------------------------------------------------------

BBOX_DESCRIPTION = N_(
    "Only pins inside this box: west,south,east,north in degrees (minLon,minLat,maxLon,maxLat), "
    "e.g. 98.90,18.72,98.98,18.80. A box that cannot be read is answered with 400."
)
ZOOM_DESCRIPTION = N_(
    "The map's zoom level. With it, when more than 200 pins are in view, pins close together "
    "are sent as one cluster with their count."
)


class MapQuery(Model):
    bbox: str | None = Field(None, max_length=200, description=BBOX_DESCRIPTION)
    zoom: int | None = Field(None, ge=0, le=22, description=ZOOM_DESCRIPTION)
    kind: Literal["issues", "proposals"] | None = Field(
        None, description=N_("Only issues or only proposals (default: both).")
    )
    category: Id | None = Field(None, description=N_("Only this category (id)."))
    area: Id | None = Field(None, description=N_("Only this community (id)."))
    status: Literal["open", "evaluating", "accepted", "rejected"] | None = Field(
        None, description=N_("Only this status (default: all but withdrawn).")
    )
    q: str = Field("", max_length=200, description=N_("Words to search for (Thai or English)."))
    boundaries: bool = Field(False, description=N_("Also send the communities' boundaries."))


class MunicipalMapQuery(Model):
    bbox: str | None = Field(None, max_length=200, description=BBOX_DESCRIPTION)
    zoom: int | None = Field(None, ge=0, le=22, description=ZOOM_DESCRIPTION)
    area: Id | None = Field(None, description=N_("Only this community (id)."))
    boundaries: bool = Field(False, description=N_("Also send the communities' boundaries."))


class PointGeometry(Model):
    type: Literal["Point"]
    coordinates: list[float] = Field(description=N_("Longitude, then latitude (GeoJSON)."))


class PinProperties(Model):
    cluster: Literal[False]
    id: int
    kind: Literal["issue", "proposal"]
    title: str
    status: StatusName
    landmark: str = Field(description=N_("A place residents know, as its author wrote it."))
    area: str | None = Field(description=N_("The community, in the reader's language."))
    affected_count: int
    support_count: int
    url: str = Field(description=N_("The item's page."))


class ClusterProperties(Model):
    cluster: Literal[True]
    count: int = Field(description=N_("How many pins the cluster stands for."))


class MapFeature(Model):
    type: Literal["Feature"]
    geometry: PointGeometry
    properties: PinProperties | ClusterProperties


class BoundaryProperties(Model):
    id: int
    name: str


class BoundaryFeature(Model):
    type: Literal["Feature"]
    geometry: dict[str, Any] = Field(description=N_("A GeoJSON Polygon or MultiPolygon."))
    properties: BoundaryProperties


class BoundaryCollection(Model):
    type: Literal["FeatureCollection"]
    features: list[BoundaryFeature]


class MapCollection(Model):
    """A GeoJSON FeatureCollection of pins and clusters, newest pins first."""

    type: Literal["FeatureCollection"]
    features: list[MapFeature]
    clustered: bool = Field(description=N_("True when some features are clusters."))
    total: int = Field(description=N_("How many pins match in the box (with zoom)."))
    truncated: bool = Field(description=N_("True when more single pins matched than were sent."))
    bbox: list[float] | None = Field(
        None, description=N_("The box answered: the one asked for, widened to whole cluster "
                             "cells when a zoom was given (west, south, east, north).")
    )  # fmt: skip
    boundaries: BoundaryCollection | None = Field(
        None, description=N_("The communities' boundaries, when asked for.")
    )


# --- delivery ----------------------------------------------------------------------------------


class DeliveryRowInput(Model):
    """One row of a tracking sheet: which item and milestone, and what changed."""

    item: Id | None = Field(None, description=N_("The accepted proposal's number."))
    plan_code: str | None = Field(None, max_length=50,
                                  description=N_("The plan project's code, instead of item."))  # fmt: skip  # noqa: E501
    milestone: str = Field(min_length=1, max_length=100,
                           description=N_("The milestone's name, or its number (1 first)."))  # fmt: skip  # noqa: E501
    planned_date: str | None = Field(None, max_length=30,
                                     description=N_("A date; 2569 and 2026 are the same year."))  # fmt: skip  # noqa: E501
    actual_date: str | None = Field(None, max_length=30)
    progress: int | None = Field(None, ge=0, le=100)
    note: str | None = Field(None, max_length=2000)


class DeliveryUpdatesInput(Model):
    """Rows applied all together, or none of them."""

    rows: list[DeliveryRowInput] = Field(min_length=1, max_length=2000)
    dry_run: bool = Field(False, description=N_("Check the rows and show their changes only."))


class DeliveryRowResult(Model):
    row: int = Field(description=N_("The row's number, from 1."))
    item: int | None
    milestone: str | None
    changes: dict[str, Any]
    errors: list[str]


class DeliveryUpdatesResult(Model):
    applied: bool
    items: list[int] = Field(description=N_("The items changed (their followers were told once)."))
    rows: list[DeliveryRowResult]

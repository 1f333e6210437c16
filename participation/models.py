"""Every model, imported in one place so Alembic and the app see the whole schema."""

from participation.accounts.models import (
    AccessToken,
    PasswordResetToken,
    User,
    UserRole,
    UserSession,
)
from participation.audit.models import ActionLog
from participation.budgets.models import (
    Ballot,
    BallotChoice,
    Budget,
    BudgetProject,
    Heading,
    Override,
    PaperEntry,
)
from participation.comments.models import Comment, CommentVote
from participation.delivery.models import DeliveryRecord, FixedAnswer, Milestone, MilestoneDocument
from participation.home.models import Heartbeat
from participation.jobs.models import Job, JobWorker
from participation.line.models import LineAccount, LineUsage, LineWebhookEvent
from participation.moderation.models import Report
from participation.municipality.models import Area, Municipality
from participation.notifications.models import (
    Delivery,
    Follow,
    Notification,
    NotificationPreference,
    NotificationRun,
)
from participation.opinions.models import Conversation, OpinionResult, OpinionVote, Statement
from participation.photos.models import Photo
from participation.places.models import Place
from participation.processes.models import Category, Process
from participation.proposals.models import (
    Contribution,
    ContributionVersion,
    DuplicateLink,
    ImplementationUpdate,
    ImplementationUpdateVersion,
    Issue,
    OfficialResponse,
    Proposal,
)
from participation.summaries.models import Summary
from participation.surveys.models import (
    Answer,
    AnswerChoice,
    Condition,
    Response,
    Section,
    Survey,
    SurveyChoice,
    SurveyQuestion,
)
from participation.townhall.models import (
    Attendance,
    Event,
    Message,
    Mute,
    Poll,
    PollChoice,
    PollOption,
    PollResponse,
    Question,
    QuestionUpvote,
    TownHall,
)
from participation.verification.models import (
    LetterBatch,
    LetterCode,
    ProcessRequirement,
    ResidentListEntry,
    Verification,
    VerificationAttempt,
)
from participation.votes.models import Affected, Support, SupportAllowance

__all__ = [
    "Ballot",
    "BallotChoice",
    "Budget",
    "BudgetProject",
    "Heading",
    "Override",
    "PaperEntry",
    "AccessToken",
    "ActionLog",
    "Attendance",
    "Event",
    "Message",
    "Mute",
    "Poll",
    "PollChoice",
    "PollOption",
    "PollResponse",
    "Question",
    "QuestionUpvote",
    "Summary",
    "Survey",
    "SurveyChoice",
    "SurveyQuestion",
    "Section",
    "Response",
    "Answer",
    "AnswerChoice",
    "Condition",
    "TownHall",
    "Affected",
    "Area",
    "Category",
    "Comment",
    "CommentVote",
    "Contribution",
    "ContributionVersion",
    "Conversation",
    "Follow",
    "Heartbeat",
    "ImplementationUpdate",
    "ImplementationUpdateVersion",
    "Job",
    "JobWorker",
    "LineAccount",
    "LineUsage",
    "LineWebhookEvent",
    "Issue",
    "Municipality",
    "Notification",
    "NotificationPreference",
    "Delivery",
    "DeliveryRecord",
    "FixedAnswer",
    "Milestone",
    "MilestoneDocument",
    "NotificationRun",
    "DuplicateLink",
    "Photo",
    "Place",
    "OfficialResponse",
    "OpinionResult",
    "OpinionVote",
    "PasswordResetToken",
    "Process",
    "Proposal",
    "Report",
    "Statement",
    "Support",
    "SupportAllowance",
    "User",
    "UserRole",
    "UserSession",
    "LetterBatch",
    "LetterCode",
    "ProcessRequirement",
    "ResidentListEntry",
    "Verification",
    "VerificationAttempt",
]

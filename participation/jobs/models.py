"""The job ledger: every queued job, its state and its last error, and the workers' heartbeats."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from participation.core.models import UTCDateTime, utcnow
from participation.extensions import db


class JobState(StrEnum):
    PENDING = "pending"  # recorded, waiting for a worker (or for its next try)
    RUNNING = "running"  # a worker holds it
    DONE = "done"
    FAILED = "failed"  # every try failed: an administrator sees it

    @property
    def title(self):
        return {
            JobState.PENDING: _l("Waiting"),
            JobState.RUNNING: _l("Running"),
            JobState.DONE: _l("Done"),
            JobState.FAILED: _l("Failed"),
        }[self]


class Job(db.Model):
    """One unit of background work, written in the transaction that asked for it.

    The queue (huey) only carries the job's id. The row is the truth: a worker that dies while
    holding a job leaves it ``running`` under its name, and a live worker takes it up again.
    """

    __tablename__ = "jobs"
    __table_args__ = (
        sa.CheckConstraint("state IN ('pending', 'running', 'done', 'failed')", name="state_known"),
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        sa.Index("ix_jobs_state_id", "state", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80), nullable=False)
    payload: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    state: Mapped[str] = mapped_column(
        sa.String(10), nullable=False, default=JobState.PENDING, server_default="pending"
    )
    attempts: Mapped[int] = mapped_column(nullable=False, default=0, server_default="0")
    worker: Mapped[str | None] = mapped_column(sa.String(120))
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    started_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)


class JobWorker(db.Model):
    """A running worker and the last time it said it was alive."""

    __tablename__ = "job_workers"

    name: Mapped[str] = mapped_column(sa.String(120), primary_key=True)
    started_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    seen_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

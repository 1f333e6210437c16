"""Listing issues and proposals: filters, sorting, Thai search and pagination.

One function builds the query for the pages and the API, so both follow the same rules. A page
costs a fixed number of queries whatever its size: one count, one for the rows (authors,
categories and communities joined in), and one for the reader's own supports.
"""

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, load_only

from participation.accounts.models import User
from participation.core.paging import page_number
from participation.extensions import db
from participation.proposals.models import Contribution, DuplicateLink, Kind, Status
from participation.search.index import ranked_matches, search_condition
from participation.search.thai import query_terms

SORTS = ("supported", "newest", "commented", "random", "relevance")
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
# Results are counted exactly up to this many past the current page, then shown as "N+":
# an exact count of 90,000 matches costs more than the whole page and tells a reader nothing.
COUNT_LIMIT = 1000
# Multiplier and modulus of the "random" order: a fixed shuffle per visitor seed.
_SHUFFLE_A, _SHUFFLE_M = 2654435761, 4294967291


# What a card shows: the list never loads bodies or search text.
CARD_COLUMNS = (
    Contribution.id, Contribution.kind, Contribution.process_id, Contribution.title,
    Contribution.status, Contribution.created_dt, Contribution.support_count,
    Contribution.affected_count, Contribution.comment_count, Contribution.author_id,
    Contribution.category_id, Contribution.area_id, Contribution.is_hidden,
    Contribution.hidden_reason, Contribution.hidden_by_id,
)  # fmt: skip


def _shuffled(column, seed):
    """A fixed permutation of ids for a seed, in 64-bit arithmetic on both databases."""
    big = sa.BigInteger
    return (sa.cast(column, big) * sa.literal(_SHUFFLE_A, big) + sa.literal(seed, big)) % (
        sa.literal(_SHUFFLE_M, big)
    )


@dataclass
class Filters:
    category_id: int | None = None
    area_id: int | None = None
    status: str | None = None
    mine: bool = False
    q: str = ""
    sort: str = ""
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    seed: int = 0

    @classmethod
    def from_args(cls, args, seed=0):
        """Read filters from query-string arguments; anything malformed is ignored."""

        def number(name, default=None, low=1, high=None):
            try:
                value = int(args.get(name, ""))
            except ValueError:
                return default
            if value < low or (high is not None and value > high):
                return default
            return value

        status = args.get("status") or None
        sort = args.get("sort", "")
        return cls(
            category_id=number("category"),
            area_id=number("area"),
            status=status if status in {s.value for s in Status} else None,
            mine=args.get("mine") in ("1", "true", "on", "y"),
            q=(args.get("q") or "").strip()[:200],
            sort=sort if sort in SORTS else "",
            page=page_number(args.get("page")),
            per_page=number("per_page", DEFAULT_PER_PAGE, high=MAX_PER_PAGE),
            seed=seed,
        )

    def effective_sort(self, kind):
        """The chosen order; by default most supported proposals, newest issues (searches too:
        every result contains every word, and "Best match" is one choice away)."""
        if self.sort and (self.sort != "relevance" or self.q):
            return self.sort
        return "supported" if kind == "proposal" else "newest"


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int
    sort: str
    terms: list = field(default_factory=list)
    # True when there are more results than were counted (``total`` is a lower bound).
    more: bool = False

    @property
    def pages(self):
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self):
        return self.page > 1

    @property
    def has_next(self):
        return self.page < self.pages

    @property
    def prev_num(self):
        return self.page - 1

    @property
    def next_num(self):
        return self.page + 1


def list_contributions(process, kind, filters, user=None):
    """Return one page of a process's issues or proposals."""
    model = Contribution
    query = sa.select(model).where(model.process_id == process.id, model.kind == kind)
    if kind == Kind.ISSUE:  # a merged issue is counted and shown in the one it was merged into
        query = query.where(model.id.not_in(sa.select(DuplicateLink.duplicate_id)))
    if filters.category_id:
        query = query.where(model.category_id == filters.category_id)
    if filters.area_id:
        query = query.where(model.area_id == filters.area_id)
    if filters.status:
        query = query.where(model.status == filters.status)
    elif not filters.mine:
        query = query.where(model.status != Status.WITHDRAWN)
    if filters.mine:
        query = query.where(model.author_id == getattr(user, "id", -1))

    sort = filters.effective_sort(kind)
    terms = query_terms(filters.q) if filters.q else []
    rank = None
    if filters.q:
        if not terms:
            return Page([], 0, filters.page, filters.per_page, sort, terms)
        query = query.where(search_condition(model.id, terms))
        if sort == "relevance":
            # Ranking scores every match, so it is done only when asked for.
            found = ranked_matches(terms).subquery()
            query = query.join(found, found.c.id == model.id)
            rank = found.c.rank

    counted = (filters.page - 1) * filters.per_page + COUNT_LIMIT
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(
            query.with_only_columns(model.id).limit(counted + 1).subquery()
        )
    )
    more = total > counted
    total = min(total, counted)
    order = {
        "supported": (model.support_count.desc(), model.id.desc()),
        "newest": (model.created_dt.desc(), model.id.desc()),
        "commented": (model.comment_count.desc(), model.id.desc()),
        "random": (_shuffled(model.id, filters.seed), model.id),
        "relevance": (rank, model.id.desc()) if rank is not None else (model.id.desc(),),
    }[sort]
    items = db.session.scalars(
        query.options(
            load_only(*CARD_COLUMNS),
            joinedload(model.author).load_only(User.display_name),
            joinedload(model.category),
            joinedload(model.area),
        )
        .order_by(*order)
        .limit(filters.per_page)
        .offset((filters.page - 1) * filters.per_page)
    ).all()
    return Page(list(items), total, filters.page, filters.per_page, sort, terms, more)


def contributions_watermark(process):
    """The latest change to any of a process's contributions (every write moves it)."""
    return db.session.scalar(
        sa.select(sa.func.max(Contribution.modified_dt)).where(
            Contribution.process_id == process.id
        )
    )

"""Build the benchmark database: the real migrations, then bulk inserts.

    .venv/bin/python bench/load_data.py --database-url sqlite:////tmp/ruamkid-bench/sqlite/ruamkid.sqlite3

The schema comes from ``flask db upgrade`` (the project's Alembic revisions); rows are then
inserted in bulk: SQLAlchemy Core ``executemany`` on SQLite (the FTS5 triggers of the migration
fill the search index), ``COPY`` on PostgreSQL (the GIN index of the migration is maintained).

Shape (full size): one municipality with 12 communities; 4 processes; 100,000 proposals, 94% of
them in one process in the Reimagine phase (the worst case for its list page), plus 2,000 issues
in a Reframe process; 50,000 residents; 1,000,000 supports with a skewed (Zipf-like)
distribution, unique per (proposal, resident); 300,000 comments, three levels deep, one chosen
proposal having exactly 200 of them (with up/down votes). ``support_count`` and
``comment_count`` equal the rows inserted, ``search_text`` is what the app stores
(``" ".join(index_terms(title + "\\n" + body))``). Everything is drawn from a seeded random
generator, so the same data comes out each time.

Writes ``manifest.json`` beside the data (ids and slugs the benchmark requests, counts, timings).
"""

import argparse
import bisect
import functools
import json
import os
import random
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import sqlalchemy as sa  # noqa: E402
from vocabulary import (  # noqa: E402
    AREAS,
    CATEGORIES,
    COMMENT_SENTENCES,
    FIRST_NAMES,
    GENERAL_SENTENCES,
    LAST_INITIALS,
    PLACES,
)

FULL = {
    "users": 50_000,
    "proposals": 100_000,
    "supports": 1_000_000,
    "comments": 300_000,
    "issues": 2_000,
}
BIG_SHARE = 0.94  # of the proposals, in the one big Reimagine process
THREAD_COMMENTS = 200  # the proposal page under test
SEED = 2569


def log(message):
    print(f"[load] {message}", file=sys.stderr, flush=True)


def sizes_for(scale):
    return {key: max(1, int(value * scale)) for key, value in FULL.items()}


# --- migrations ----------------------------------------------------------------------------


def bench_env(database_url, instance_dir):
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        RUAMKID_INSTANCE_DIR=str(instance_dir),
        FLASK_APP="wsgi.py",
        RUAMKID_ENV="development",
        SECRET_KEY="bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",  # noqa: S106 - a throw-away key
        MAIL_BACKEND="log",
        RATELIMIT_ENABLED="false",
        PUBLIC_URL="http://127.0.0.1",
    )
    return env


def migrate(database_url, instance_dir):
    flask = Path(sys.executable).parent / "flask"  # the venv running the benchmark
    command = [str(flask) if flask.exists() else "flask", "db", "upgrade"]
    subprocess.run(
        command, cwd=ROOT, env=bench_env(database_url, instance_dir), check=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip


# --- text: what the app would store --------------------------------------------------------


def text_helpers():
    """Return (search_text, markdown) as the app computes them, memoised.

    ``index_terms`` is called per row exactly as the app does; only the segmentation of one run
    of Thai text (a pure function of that run) is memoised, because the generated texts reuse
    the same runs. A sample is checked against the unmemoised function.
    """
    from participation.core.sanitize import render_markdown
    from participation.search import thai

    original = (thai.best_words, thai.plausible_words)
    memoised = (functools.cache(original[0]), functools.cache(original[1]))
    thai.best_words, thai.plausible_words = memoised

    def search_text(title, body):
        return " ".join(thai.index_terms(title + "\n" + body))

    @functools.cache
    def markdown(text):
        return str(render_markdown(text))

    def verify(samples):
        thai.best_words, thai.plausible_words = original
        try:
            expected = [" ".join(thai.index_terms(t + "\n" + b)) for t, b, _ in samples]
        finally:
            thai.best_words, thai.plausible_words = memoised
        for (_, _, got), want in zip(samples, expected, strict=True):
            if got != want:
                raise SystemExit(f"search_text differs from the app's: {got!r} != {want!r}")

    return search_text, markdown, verify


# --- generation ----------------------------------------------------------------------------


def zipf_counts(rng, n, total, s, offset, cap):
    """``n`` non-negative integers adding up to ``total``, skewed like Zipf, at most ``cap``."""
    weights = [1.0 / (i + offset) ** s for i in range(n)]
    scale = total / sum(weights)
    counts = [min(cap, int(w * scale)) for w in weights]
    missing = total - sum(counts)
    i = 0
    while missing > 0:
        if counts[i % n] < cap:
            counts[i % n] += 1
            missing -= 1
        i += 1
    rng.shuffle(counts)
    return counts


def generate(scale, now):
    """Return the rows of every table (lists of dicts) and facts for the benchmark."""
    rng = random.Random(SEED)
    size = sizes_for(scale)
    search_text, markdown, verify = text_helpers()
    rows = {}
    t0 = now - timedelta(days=120)

    def moment(start, end):
        return start + (end - start) * rng.random()

    from argon2 import PasswordHasher

    password_hash = PasswordHasher().hash("bench-account-not-for-login")

    # Residents.
    users = []
    for i in range(1, size["users"] + 1):
        created = moment(t0 - timedelta(days=300), now - timedelta(days=1))
        users.append(
            dict(
                id=i, email=f"resident{i}@bench.ruamkid.test",
                display_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_INITIALS)}.",
                password_hash=password_hash, preferred_language="th",
                privacy_consent_version=1, privacy_consent_dt=created, last_login_dt=None,
                created_dt=created, modified_dt=created,
            )
        )  # fmt: skip
    rows["users"] = users

    rows["municipalities"] = [
        dict(
            id=1, name_th="เทศบาลเมืองแม่เหียะ", name_en="Mae Hia Town Municipality",
            province_th="เชียงใหม่", province_en="Chiang Mai",
            tagline_th="ร่วมคิด ร่วมทำ เพื่อบ้านเรา", tagline_en="Think and act together",
            population=20_000, created_dt=t0, modified_dt=t0,
        )
    ]  # fmt: skip
    rows["areas"] = [
        dict(id=i, municipality_id=1, slug=slug, name_th=th, name_en=en, population=1500,
             position=i)
        for i, (slug, th, en) in enumerate(AREAS, start=1)
    ]  # fmt: skip

    # Processes: the big Reimagine one first.
    day = timedelta(days=1)
    processes = [
        ("bench-big-reimagine", "reimagine", "เมืองน่าอยู่ ร่วมกันเสนอ", "A liveable town"),
        ("bench-small-reimagine", "reimagine", "ทางเดินปลอดภัยไปโรงเรียน", "Safe walks to school"),
        ("bench-remake", "remake", "ลดขยะ คัดแยกดีขึ้น", "Less waste"),
        ("bench-reframe", "reframe", "พื้นที่สีเขียวสำหรับเด็ก", "Green spaces for children"),
    ]
    rows["processes"] = []
    for pid, (slug, phase, title_th, title_en) in enumerate(processes, start=1):
        dates = {
            "reframe": (t0, t0 + 30 * day, t0 + 30 * day, now + 60 * day, now + 60 * day, None),
            "reimagine": (t0, t0 + 30 * day, t0 + 30 * day, now + 60 * day, None, None),
            "remake": (t0, t0 + 20 * day, t0 + 20 * day, t0 + 60 * day, t0 + 60 * day, None),
        }[phase]
        if phase == "reframe":
            dates = (t0, now + 60 * day, now + 60 * day, None, None, None)
        names = ("reframe_start", "reframe_end", "reimagine_start", "reimagine_end",
                 "remake_start", "remake_end")  # fmt: skip
        process = dict(
            id=pid, slug=slug, title_th=title_th, title_en=title_en,
            summary_th=f"{title_th} ข้อเสนอของชาวบ้านเพื่อเทศบาล", summary_en=title_en,
            description_th=f"{title_th}\n\nร่วมเสนอและสนับสนุนข้อเสนอที่คุณเห็นด้วย",
            description_en=title_en, cover_image=None, phase=phase, is_published=True,
            max_supports=None, support_threshold=100, edit_window_minutes=1440,
            created_by_id=1, created_dt=t0, modified_dt=t0,
        )  # fmt: skip
        for name, value in zip(names, dates, strict=True):
            process[name] = value.date() if value else None
        rows["processes"].append(process)
    rows["process_areas"] = [
        dict(process_id=p["id"], area_id=a["id"]) for p in rows["processes"] for a in rows["areas"]
    ]
    rows["categories"] = []
    category_ids = {}  # (process_id, index) -> id
    for p in rows["processes"]:
        for index, (slug, th, en, *_rest) in enumerate(CATEGORIES):
            cid = len(rows["categories"]) + 1
            category_ids[(p["id"], index)] = cid
            rows["categories"].append(
                dict(id=cid, process_id=p["id"], slug=slug, name_th=th, name_en=en,
                     position=index)
            )  # fmt: skip

    # Bodies: a pool per topic, two or three topic sentences and one or two general ones.
    body_pool = []
    for _slug, _th, _en, _share, _stems, sentences in CATEGORIES:
        pool = []
        for _ in range(300):
            chosen = rng.sample(sentences, rng.randint(2, 3)) + rng.sample(
                GENERAL_SENTENCES, rng.randint(1, 2)
            )
            rng.shuffle(chosen)
            first = rng.randint(1, len(chosen) - 1)
            pool.append(" ".join(chosen[:first]) + "\n\n" + " ".join(chosen[first:]))
        body_pool.append(pool)
    shares = [c[3] for c in CATEGORIES]
    cumulative = [sum(shares[: i + 1]) for i in range(len(shares))]

    def pick_category():
        return bisect.bisect_right(cumulative, rng.random() * cumulative[-1])

    # Proposals (and the issues of the Reframe process).
    n_prop = size["proposals"]
    n_big = int(n_prop * BIG_SHARE)
    rest = n_prop - n_big
    process_of = [1] * n_big + [2] * (rest // 2) + [3] * (rest - rest // 2)
    contributions = []
    samples = []
    area_ids = [a["id"] for a in rows["areas"]]
    for i, pid in enumerate(process_of + [4] * size["issues"], start=1):
        kind = "issue" if pid == 4 else "proposal"
        index = pick_category()
        stems = CATEGORIES[index][4]
        title = rng.choice(stems) + rng.choice(PLACES)
        if rng.random() < 0.3:
            title += " " + rng.choice(AREAS)[1]
        body = rng.choice(body_pool[index])
        created = moment(t0 + 30 * day, now - day) if pid != 4 else moment(t0, now - day)
        status = "withdrawn" if rng.random() < 0.02 else "open"
        text = search_text(title, body)
        if len(samples) < 200 and rng.random() < 0.01:
            samples.append((title, body, text))
        contributions.append(
            dict(
                id=i, process_id=pid, kind=kind, author_id=rng.randint(1, size["users"]),
                title=title, body=body, body_html=markdown(body),
                category_id=category_ids[(pid, index)], area_id=rng.choice(area_ids),
                status=status, support_count=0, affected_count=0, comment_count=0, version=1,
                edited_dt=None, withdrawn_dt=(created + day) if status == "withdrawn" else None,
                search_text=text, created_dt=created, modified_dt=created,
            )
        )  # fmt: skip
    verify(samples)
    rows["contributions"] = contributions
    proposals = [c for c in contributions if c["kind"] == "proposal"]

    # Supports: Zipf-like per proposal, distinct residents per proposal.
    counts = zipf_counts(rng, len(proposals), size["supports"], 0.9, 20, size["users"])
    supports = []
    used = {}
    sid = 0
    for proposal, k in zip(proposals, counts, strict=True):
        proposal["support_count"] = k
        start = proposal["created_dt"]
        for user_id in rng.sample(range(1, size["users"] + 1), k):
            sid += 1
            supports.append(
                (sid, proposal["id"], proposal["process_id"], user_id, moment(start, now))
            )
            key = (user_id, proposal["process_id"])
            used[key] = used.get(key, 0) + 1
    rows["supports"] = supports
    rows["support_allowances"] = [
        dict(user_id=u, process_id=p, used=n) for (u, p), n in sorted(used.items())
    ]
    # A limit per resident on the big process, above what anyone used.
    rows["processes"][0]["max_supports"] = (
        max([n for (_u, p), n in used.items() if p == 1] or [1]) + 10
    )

    # The proposal page under test: an open proposal of the big process, in a busy category,
    # among the most supported (so it is also on the first list page).
    big_open = [p for p in proposals if p["process_id"] == 1 and p["status"] == "open"]
    big_open.sort(key=lambda p: -p["support_count"])
    target = big_open[min(len(big_open) - 1, 5)]
    comment_bodies = []
    for _ in range(600):
        comment_bodies.append(" ".join(rng.sample(COMMENT_SENTENCES, rng.randint(1, 3))))

    comments = []
    votes = []

    def add_thread(contribution, n, replies=0.4):
        """``n`` comments on one contribution, replies attached as the app attaches them."""
        mine = []
        start = contribution["created_dt"]
        times = sorted(moment(start, now) for _ in range(n))
        for when in times:
            cid = len(comments) + 1
            parent = None
            if mine and rng.random() < replies:
                parent = rng.choice(mine)
            if parent is None:
                depth, parent_id = 0, None
            elif parent["depth"] >= 2:
                depth, parent_id = 2, parent["parent_id"]
            else:
                depth, parent_id = parent["depth"] + 1, parent["id"]
            body = rng.choice(comment_bodies)
            comment = dict(
                id=cid, contribution_id=contribution["id"], parent_id=parent_id, depth=depth,
                author_id=rng.randint(1, size["users"]), body=body, body_html=markdown(body),
                alignment=rng.choice([None, None, "in_favour", "against", "neutral"]),
                upvotes=0, downvotes=0, is_edited=False, is_deleted=False,
                created_dt=when, modified_dt=when,
            )  # fmt: skip
            comments.append(comment)
            mine.append(comment)
        contribution["comment_count"] = n
        return mine

    thread = add_thread(target, THREAD_COMMENTS, replies=0.6)
    for comment in thread:  # votes on the page under test, so "best" order means something
        up, down = rng.randint(0, 25), rng.randint(0, 5)
        voters = rng.sample(range(1, size["users"] + 1), up + down)
        for n, user_id in enumerate(voters):
            votes.append((len(votes) + 1, comment["id"], user_id, 1 if n < up else -1))
        comment["upvotes"], comment["downvotes"] = up, down
    others = [c for c in contributions if c["id"] != target["id"]]
    per = zipf_counts(rng, len(others), size["comments"] - THREAD_COMMENTS, 0.8, 50, 1000)
    for contribution, n in zip(others, per, strict=True):
        if n:
            add_thread(contribution, n)
    rows["comments"] = comments
    rows["comment_votes"] = votes

    depths = [c["depth"] for c in thread]
    facts = {
        "process_slug": "bench-big-reimagine",
        "process_id": 1,
        "big_process_proposals": n_big,
        "category_id": category_ids[(1, 1)],  # lighting: about 15% of the big process
        "category_name": CATEGORIES[1][1],
        "thread_proposal_id": target["id"],
        "thread_proposal_title": target["title"],
        "thread_depths": {str(d): depths.count(d) for d in sorted(set(depths))},
        "max_support_count": max(p["support_count"] for p in proposals),
        "sizes": {
            "users": len(users),
            "proposals": len(proposals),
            "issues": len(contributions) - len(proposals),
            "supports": len(supports),
            "comments": len(comments),
            "comment_votes": len(votes),
        },  # fmt: skip
    }
    return rows, facts


# --- writing -------------------------------------------------------------------------------

ORDER = [
    "users", "municipalities", "areas", "processes", "process_areas", "categories",
    "contributions", "support_allowances", "supports", "comments", "comment_votes",
]  # fmt: skip
TUPLE_COLUMNS = {
    "supports": ("id", "proposal_id", "process_id", "user_id", "created_dt"),
    "comment_votes": ("id", "comment_id", "user_id", "value"),
}
BATCH = 20_000


def _tables():
    import participation.models  # noqa: F401
    from participation.extensions import db

    return db.metadata.tables


def _as_dicts(name, batch):
    columns = TUPLE_COLUMNS.get(name)
    if columns is None:
        return batch
    return [dict(zip(columns, row, strict=True)) for row in batch]


def write_sqlite(engine, rows):
    tables = _tables()

    @sa.event.listens_for(engine, "connect")
    def fast(dbapi_connection, record):  # runs after the app's own pragmas
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.execute("PRAGMA foreign_keys=OFF")
        cursor.execute("PRAGMA cache_size=-262144")
        cursor.close()

    timings = {}
    with engine.begin() as connection:
        for name in ORDER:
            started = time.perf_counter()
            data = rows[name]
            for i in range(0, len(data), BATCH):
                connection.execute(tables[name].insert(), _as_dicts(name, data[i : i + BATCH]))
            timings[name] = round(time.perf_counter() - started, 2)
            log(f"{name}: {len(data):,} rows in {timings[name]} s")
    with engine.connect() as connection:
        started = time.perf_counter()
        connection.exec_driver_sql("ANALYZE")
        connection.commit()
        timings["analyze"] = round(time.perf_counter() - started, 2)
        problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise SystemExit(f"foreign key problems: {problems[:5]}")
        connection.commit()
    engine.dispose()
    import sqlite3

    with sqlite3.connect(engine.url.database) as plain:
        plain.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return timings


def write_postgres(engine, rows):
    tables = _tables()
    timings = {}
    raw = engine.raw_connection()
    try:
        pg = raw.driver_connection
        with pg.cursor() as cursor:
            for name in ORDER:
                started = time.perf_counter()
                data = rows[name]
                columns = TUPLE_COLUMNS.get(name) or list(data[0].keys())
                statement = f"COPY {name} ({', '.join(columns)}) FROM STDIN"
                with cursor.copy(statement) as copy:
                    if name in TUPLE_COLUMNS:
                        for row in data:
                            copy.write_row(row)
                    else:
                        for row in data:
                            copy.write_row([row[c] for c in columns])
                timings[name] = round(time.perf_counter() - started, 2)
                log(f"{name}: {len(data):,} rows in {timings[name]} s")
            for name in ORDER:
                if "id" in tables[name].c and tables[name].c.id.autoincrement:
                    cursor.execute(
                        # table names from the app's metadata, never from input
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608
                        f"(SELECT coalesce(max(id), 1) FROM {name}))"
                    )
        pg.commit()
        pg.autocommit = True
        started = time.perf_counter()
        with pg.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
        timings["analyze"] = round(time.perf_counter() - started, 2)
    finally:
        raw.close()
    return timings


def check(engine, facts, dialect):
    """The counters equal the rows, and the search index answers."""
    with engine.connect() as connection:
        q = connection.exec_driver_sql
        bad = q(
            "SELECT count(*) FROM contributions c WHERE support_count <> "
            "(SELECT count(*) FROM supports s WHERE s.proposal_id = c.id) OR comment_count <> "
            "(SELECT count(*) FROM comments m WHERE m.contribution_id = c.id)"
        ).scalar()
        if bad:
            raise SystemExit(f"{bad} contributions have counters that differ from their rows")
        if dialect == "sqlite":
            found = q(
                "SELECT count(*) FROM contributions_fts WHERE contributions_fts MATCH '\"ไฟ\"'"
            ).scalar()
        else:
            found = q(
                "SELECT count(*) FROM contributions WHERE "
                "array_to_tsvector(string_to_array(search_text, ' ')) @@ 'ไฟ'::tsquery"
            ).scalar()
        if not found:
            raise SystemExit("the full-text index finds nothing for ไฟ")
        thread = connection.execute(
            sa.text("SELECT count(*) FROM comments WHERE contribution_id = :p"),
            {"p": facts["thread_proposal_id"]},
        ).scalar()
        if thread != THREAD_COMMENTS:
            raise SystemExit(f"the page under test has {thread} comments")
    return {"fts_matches_for_fai": found}


def load(database_url, instance_dir, scale=1.0):
    """Create and fill the database; return the manifest (also written to instance_dir)."""
    instance_dir = Path(instance_dir)
    instance_dir.mkdir(parents=True, exist_ok=True)
    dialect = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    if dialect == "sqlite":
        path = Path(database_url.split("///", 1)[1])
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    timings = {}
    started = time.perf_counter()
    migrate(database_url, instance_dir)
    timings["migrate"] = round(time.perf_counter() - started, 2)
    log(f"schema from the migrations in {timings['migrate']} s")

    started = time.perf_counter()
    rows, facts = generate(scale, datetime.now(UTC).replace(microsecond=0))
    timings["generate"] = round(time.perf_counter() - started, 2)
    log(f"generated rows in {timings['generate']} s: {facts['sizes']}")

    engine = sa.create_engine(database_url)
    started = time.perf_counter()
    writer = write_sqlite if dialect == "sqlite" else write_postgres
    timings["tables"] = writer(engine, rows)
    timings["insert_total"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    facts.update(check(engine, facts, dialect))
    timings["check"] = round(time.perf_counter() - started, 2)
    engine.dispose()
    timings["total"] = round(
        timings["migrate"] + timings["generate"] + timings["insert_total"] + timings["check"], 2
    )
    manifest = {"database": dialect, "scale": scale, "timings_s": timings, **facts}
    (instance_dir / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
    log(f"loaded in {timings['total']} s")
    return manifest


def main():
    parser = argparse.ArgumentParser(description="Build the benchmark database.")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--instance-dir", default="/tmp/ruamkid-bench/instance")  # noqa: S108
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = full size")
    args = parser.parse_args()
    manifest = load(args.database_url, args.instance_dir, args.scale)
    print(json.dumps(manifest, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()

"""Database for the live town hall benchmark: schema, residents with tokens, town halls.

    .venv/bin/python bench/townhall/setup_db.py --database-url sqlite:////tmp/x.sqlite3 \
        --instance /tmp/x --users 2000 --tokens-file /tmp/x/tokens.json

The schema comes from the project's migrations (``flask db upgrade``); residents and their
personal access tokens ("rk_" + random, stored as the SHA-256 hex digest with the scopes
``read write``, as ``accounts.operations.create_access_token`` stores them) are bulk inserted.
Town halls are created live, one per scenario, with :func:`create_townhall`.
"""

import argparse
import hashlib
import json
import os
import secrets
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECRET = "bench-townhall-secret-0123456789-abcdefghijklmnopqrstuvwxyz"  # noqa: S105 - throw-away


def env_for(database_url, instance_dir):
    env = {**os.environ, "DATABASE_URL": database_url, "RUAMKID_INSTANCE_DIR": str(instance_dir),
           "SECRET_KEY": SECRET, "MAIL_BACKEND": "log", "RATELIMIT_ENABLED": "false",
           "FLASK_APP": "wsgi.py"}  # fmt: skip
    env.pop("REDIS_URL", None)
    return env


def migrate(database_url, instance_dir):
    Path(instance_dir).mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [str(Path(sys.executable).parent / "flask"), "db", "upgrade"], cwd=ROOT,
        env=env_for(database_url, instance_dir), check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip


def _engine(database_url):
    import sqlalchemy as sa

    return sa.create_engine(database_url)


def _now():
    return datetime.now(UTC).replace(tzinfo=None)


def create_users(database_url, count):
    """Insert ``count`` residents and one read-write token each; return the tokens in order."""
    import sqlalchemy as sa

    engine = _engine(database_url)
    meta = sa.MetaData()
    meta.reflect(engine, only=["users", "access_tokens"])
    users, tokens_table = meta.tables["users"], meta.tables["access_tokens"]
    now = _now()
    tokens = [f"rk_{secrets.token_urlsafe(32)}" for _ in range(count)]
    with engine.begin() as conn:
        start = conn.execute(sa.select(sa.func.coalesce(sa.func.max(users.c.id), 0))).scalar()
        rows = [
            {"id": start + i + 1, "email": f"bench-resident-{start + i + 1}@example.org",
             "display_name": f"ผู้อยู่อาศัย {start + i + 1}", "password_hash": "!bench-no-login",
             "preferred_language": "th", "privacy_consent_version": 1, "privacy_consent_dt": now,
             "created_dt": now, "modified_dt": now}
            for i in range(count)
        ]  # fmt: skip
        conn.execute(users.insert(), rows)
        conn.execute(tokens_table.insert(), [
            {"user_id": row["id"], "name": "bench", "scopes": "read write", "created_dt": now,
             "token_hash": hashlib.sha256(token.encode()).hexdigest()}
            for row, token in zip(rows, tokens, strict=True)
        ])  # fmt: skip
        if engine.dialect.name == "postgresql":
            for table in ("users", "access_tokens"):
                conn.execute(sa.text(  # the two fixed table names above, not input
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"(SELECT max(id) FROM {table}))"
                ))  # fmt: skip
    engine.dispose()
    return tokens


def create_townhall(database_url, slug):
    """A published, live town hall that visitors may watch; returns its id."""
    import sqlalchemy as sa

    engine = _engine(database_url)
    meta = sa.MetaData()
    meta.reflect(engine, only=["townhalls"])
    table = meta.tables["townhalls"]
    now = _now()
    values = {"slug": slug, "title_th": f"เวทีทดสอบ {slug}", "title_en": f"Bench {slug}",
              "description_th": "", "description_en": "", "venue_th": "", "venue_en": "",
              "starts_dt": now - timedelta(minutes=5), "ends_dt": now + timedelta(hours=3),
              "state": "live", "is_published": True, "allow_visitors": True,
              "discussion_locked": False, "slow_mode_seconds": 0, "last_seq": 0,
              "opened_dt": now, "created_dt": now, "modified_dt": now}  # fmt: skip
    values = {k: v for k, v in values.items() if k in table.c}
    with engine.begin() as conn:
        townhall_id = conn.execute(table.insert().values(**values).returning(table.c.id)).scalar()
    engine.dispose()
    return townhall_id


def messages_stored(database_url, townhall_id):
    import sqlalchemy as sa

    engine = _engine(database_url)
    with engine.connect() as conn:
        count = conn.execute(
            sa.text("SELECT count(*) FROM townhall_messages WHERE townhall_id = :t"),
            {"t": townhall_id},
        ).scalar()
    engine.dispose()
    return count


def messages_stored_like(database_url, pattern):
    """How many messages the server stored whose body matches ``pattern`` (one phase's posts)."""
    import sqlalchemy as sa

    engine = _engine(database_url)
    with engine.connect() as conn:
        count = conn.execute(
            sa.text("SELECT count(*) FROM townhall_messages WHERE body LIKE :p"), {"p": pattern}
        ).scalar()
    engine.dispose()
    return count


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--instance", required=True)
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--tokens-file", required=True)
    args = parser.parse_args()
    migrate(args.database_url, args.instance)
    tokens = create_users(args.database_url, args.users)
    Path(args.tokens_file).write_text(json.dumps(tokens))
    print(f"{len(tokens)} residents with tokens", file=sys.stderr)


if __name__ == "__main__":
    main()

"""Signed-in readers for the page benchmark: N residents, each with a session of their own.

    .venv/bin/python bench/signed_in.py --database-url URL --instance-dir DIR --readers 200

Run with the server's settings (the same SECRET_KEY): opens one server-side session per
resident (accounts.operations.start_session, as signing in does) and prints, as JSON, the
session cookie a browser of theirs would send (signed for the benchmark's client: address
127.0.0.1, User-Agent ``ruamkid-bench``). Residents are taken at random (seeded) among those
with no role, so a few of them wrote comments on the page measured, as in life.
"""

import argparse
import json
import os
import random
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))


def cookies(readers, seed=25):
    import sqlalchemy as sa
    from flask import session
    from flask_login import login_user

    from participation import create_app
    from participation.accounts.models import User, UserRole
    from participation.accounts.operations import start_session
    from participation.extensions import db

    app = create_app()
    found = []
    with app.app_context():
        ids = db.session.scalars(
            sa.select(User.id).where(~sa.exists().where(UserRole.user_id == User.id))
        ).all()
        chosen = random.Random(seed).sample(sorted(ids), min(readers, len(ids)))
        name = app.config["SESSION_COOKIE_NAME"]
        serializer = app.session_interface.get_signing_serializer(app)
        for user_id in chosen:
            with app.test_request_context(
                "/", headers={"User-Agent": "ruamkid-bench"},
                environ_base={"REMOTE_ADDR": "127.0.0.1"},
            ):  # fmt: skip
                user = db.session.get(User, user_id)
                start_session(user, remember=True, user_agent="ruamkid-bench")
                login_user(user, remember=False)
                found.append(f"{name}={serializer.dumps(dict(session))}")
        db.session.commit()
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--instance-dir", required=True)
    parser.add_argument("--readers", type=int, default=200)
    args = parser.parse_args()
    os.environ.update(DATABASE_URL=args.database_url, RUAMKID_INSTANCE_DIR=args.instance_dir)
    print(json.dumps(cookies(args.readers)))


if __name__ == "__main__":
    main()

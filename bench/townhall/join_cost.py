"""What one resident's connect + join costs the server: CPU time and SQL statements.

    .venv/bin/python bench/townhall/join_cost.py [--joins 300] [--questions 60 --messages 300]

In process (Flask-SocketIO's test client, no network, no load generator), so the figures hold
on a busy machine where latencies do not: a throw-away SQLite database (bench/townhall/
setup_db.py), one live town hall with questions and messages, then ``--joins`` residents each
connect with their own token and join. Prints CPU ms per connect + join (process time), SQL
statements per join and the snapshot's size in bytes.
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1]))

import setup_db  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--joins", type=int, default=300)
    parser.add_argument("--questions", type=int, default=60)
    parser.add_argument("--messages", type=int, default=300)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ruamkid-join-"))
    url = f"sqlite:///{work / 'db.sqlite3'}"
    setup_db.migrate(url, work)
    tokens = setup_db.create_users(url, args.joins + args.questions + args.messages)
    townhall_id = setup_db.create_townhall(url, "join-cost")
    os.environ.update({k: v for k, v in setup_db.env_for(url, work).items() if k != "FLASK_APP"})
    os.environ["RUAMKID_ENV"] = "production"
    os.environ["SESSION_COOKIE_SECURE"] = "false"
    os.environ["PUBLIC_URL"] = "http://localhost"

    import sqlalchemy as sa

    from participation import create_app
    from participation.extensions import db, socketio

    app = create_app()
    ns = "/townhall"
    token_list = list(tokens.values()) if isinstance(tokens, dict) else list(tokens)
    writers = iter(token_list[args.joins :])
    for kind, count in (("ask", args.questions), ("post", args.messages)):
        for n in range(count):
            sio = socketio.test_client(app, namespace=ns, auth={"token": next(writers)})
            sio.emit("join", {"townhall": townhall_id}, namespace=ns, callback=True)
            body = f"ข้อความทดสอบที่ {n} เรื่องถนนและไฟส่องสว่าง"
            payload = {"townhall": townhall_id, "body": body, "client_id": f"{kind}{n}"}
            answer = sio.emit(kind, payload, namespace=ns, callback=True)
            if not answer.get("ok"):
                raise SystemExit(f"{kind} refused: {answer}")
            sio.disconnect(namespace=ns)
    statements = []
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    cpu = []
    sizes = []
    clients = []
    profile = None
    if os.environ.get("JOIN_COST_PROFILE"):
        import cProfile

        profile = cProfile.Profile()
        profile.enable()
    for token in token_list[: args.joins]:
        start_statements = len(statements)
        t0 = time.process_time()
        sio = socketio.test_client(app, namespace=ns, auth={"token": token})
        answer = sio.emit("join", {"townhall": townhall_id}, namespace=ns, callback=True)
        cpu.append(time.process_time() - t0)
        if not answer["ok"]:
            raise SystemExit(f"join refused: {answer}")
        sizes.append(len(json.dumps(answer["snapshot"], ensure_ascii=False).encode()))
        statements_per_join = len(statements) - start_statements
        clients.append(sio)
    if profile is not None:
        import pstats

        profile.disable()
        pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
    cpu.sort()
    result = {
        "joins": args.joins,
        "questions": args.questions,
        "messages": args.messages,
        "cpu_ms_per_connect_and_join": {
            "p50": round(1000 * cpu[len(cpu) // 2], 2),
            "mean": round(1000 * sum(cpu) / len(cpu), 2),
        },
        "statements_last_join": statements_per_join,
        "snapshot_bytes": sizes[-1],
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()

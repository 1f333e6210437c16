"""`flask backup create` / `flask backup restore`: a backup restored into a new instance holds
everything; a backup taken while writes go on is consistent; restoring refuses what it must.

Runs on SQLite (the online backup API) and, in the PostgreSQL half of `make test`, on
PostgreSQL (pg_dump / pg_restore found next to the test server's binaries)."""

import json
import os
import secrets
import sqlite3
import subprocess
import sys
import threading
import time

import pytest
import sqlalchemy as sa

from participation import config as settings
from participation.extensions import db

# What residents and facilitators made: every row of these must come back.
CONTENT_TABLES = (
    "contributions", "comments", "comment_votes", "supports", "affected", "official_responses",
    "implementation_updates", "townhalls", "townhall_questions", "townhall_question_upvotes",
    "townhall_messages", "townhall_polls", "townhall_poll_options", "townhall_poll_responses",
    "townhall_poll_choices", "townhall_events",
)  # fmt: skip


def _rows(app):
    """Every row of every table, in primary-key order."""
    with app.app_context():
        with db.engine.connect() as connection:
            everything = {
                table.name: connection.execute(
                    sa.select(table).order_by(*table.primary_key.columns)
                ).all()
                for table in db.metadata.sorted_tables
            }
        db.session.remove()
    return everything


@pytest.fixture
def seeded(app, runner):
    """The demo municipality: processes in every phase, supports, comments, town halls with
    questions, messages and answered polls."""
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    return app


@pytest.fixture
def new_database(database_url, tmp_path):
    """An empty database of the same kind as the test database, dropped after the test."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored' / 'ruamkid.sqlite3'}"
        return
    name = f"ruamkid_restore_{secrets.token_hex(4)}"
    engine = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield (
            sa.engine.make_url(database_url)
            .set(database=name)
            .render_as_string(hide_password=False)
        )
    finally:
        with engine.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        engine.dispose()


@pytest.fixture
def new_instance(new_database, make_app, tmp_path, monkeypatch):
    """A second Ruamkid instance on an empty database."""
    monkeypatch.setenv("RUAMKID_INSTANCE_DIR", str(tmp_path / "restored"))
    return make_app(settings.TestConfig(database_url=new_database))


def _invoke(app, *args, **kwargs):
    return app.test_cli_runner().invoke(args=list(args), **kwargs)


@pytest.mark.slow
def test_a_backup_restored_into_a_new_instance_has_every_item(seeded, new_instance, tmp_path):
    before = _rows(seeded)
    for table in CONTENT_TABLES:
        assert before[table], f"the demo has no {table}: the test would prove nothing"
    backup = tmp_path / "backups" / "ruamkid.backup"

    created = _invoke(seeded, "backup", "create", str(backup))
    restored = _invoke(new_instance, "backup", "restore", str(backup))

    assert created.exit_code == 0, created.output
    assert "Backup written to" in created.output
    record = json.loads((tmp_path / "backups" / "ruamkid.backup.json").read_text())
    assert record["tables"]["supports"] == len(before["supports"])
    with seeded.app_context():
        head = db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
        db.session.remove()
    assert record["alembic_revision"] == head
    assert restored.exit_code == 0, restored.output
    after = _rows(new_instance)
    for table, rows in before.items():
        assert after[table] == rows, table
    assert "PASS  migrations" in _invoke(new_instance, "doctor").output


def _write_comments(app, contribution_id, author_id, stop, written):
    """Comment as fast as possible (each comment and its counter in one transaction)."""
    deadline = time.monotonic() + 60
    from participation.accounts.models import User
    from participation.comments.operations import add_comment
    from participation.proposals.models import Contribution

    with app.app_context():
        while not stop.is_set() and time.monotonic() < deadline:
            add_comment(
                db.session.get(Contribution, contribution_id),
                db.session.get(User, author_id),
                f"ระหว่างสำรอง {len(written)}",
            )
            db.session.commit()
            written.append(time.monotonic())
            db.session.remove()


@pytest.mark.slow
def test_a_backup_taken_while_residents_write_is_consistent(
    seeded, runner, resident, tmp_path, new_instance
):
    from participation.processes.models import Process
    from participation.proposals.models import Contribution

    with seeded.app_context():
        contribution_id = db.session.scalar(
            sa.select(sa.func.min(Contribution.id))
            .join(Process, Process.id == Contribution.process_id)
            .where(Process.phase == "reimagine", Contribution.kind == "proposal",
                   Contribution.status == "open")
        )  # fmt: skip
        db.session.remove()
    stop, written = threading.Event(), []
    writer = threading.Thread(
        target=_write_comments, args=(seeded, contribution_id, resident.id, stop, written)
    )
    writer.start()

    def wait_for(condition):
        deadline = time.monotonic() + 30
        while not condition():
            assert writer.is_alive(), "the writer stopped"
            assert time.monotonic() < deadline, "the writer is too slow"
            time.sleep(0.01)

    during = []
    try:
        wait_for(lambda: len(written) >= 20)
        # A backup can be over between two of the writer's commits on a loaded machine: take
        # it again (each one must succeed) until one was taken while a comment was written.
        for _attempt in range(5):
            started = time.monotonic()
            created = runner.invoke(args=["backup", "create", str(tmp_path / "busy.backup")])
            finished = time.monotonic()
            assert created.exit_code == 0, created.output
            after = len(written)
            wait_for(lambda after=after: len(written) >= after + 20)  # writing never stopped
            during = [t for t in written if started < t < finished]
            if during:
                break
    finally:
        stop.set()
        writer.join(timeout=30)
    assert during, "no write during the backup"

    restored = _invoke(new_instance, "backup", "restore", str(tmp_path / "busy.backup"))
    assert restored.exit_code == 0, restored.output
    with new_instance.app_context():
        # Each comment was written with its counter: a consistent copy has both or neither.
        mismatched = db.session.execute(sa.text(
            "SELECT c.id FROM contributions c WHERE c.comment_count != "
            "(SELECT count(*) FROM comments m WHERE m.contribution_id = c.id)"
        )).all()  # fmt: skip
        copied = db.session.scalar(sa.select(Contribution.comment_count)
                                   .where(Contribution.id == contribution_id))  # fmt: skip
        db.session.remove()
    assert mismatched == []
    with seeded.app_context():
        now = db.session.scalar(sa.select(Contribution.comment_count)
                                .where(Contribution.id == contribution_id))  # fmt: skip
        db.session.remove()
    assert 20 <= copied < now


def _set_revision(app, revision):
    with app.app_context():
        db.session.execute(sa.text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
        db.session.commit()
        db.session.remove()


@pytest.mark.slow
def test_restore_refuses_a_backup_made_by_a_newer_version(seeded, new_instance, tmp_path):
    with seeded.app_context():
        head = db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
    _set_revision(seeded, "fffffffffff0")
    try:
        created = _invoke(seeded, "backup", "create", str(tmp_path / "newer.backup"))
    finally:
        _set_revision(seeded, head)
    assert created.exit_code == 0, created.output

    restored = _invoke(new_instance, "backup", "restore", str(tmp_path / "newer.backup"))

    assert restored.exit_code == 1
    assert "revision fffffffffff0 is unknown" in restored.output
    assert "newer version" in restored.output
    with new_instance.app_context():
        assert sa.inspect(db.engine).get_table_names() == []


def test_restore_refuses_a_damaged_backup(app, runner, tmp_path):
    backup = tmp_path / "damaged.backup"
    assert runner.invoke(args=["backup", "create", str(backup)]).exit_code == 0
    data = bytearray(backup.read_bytes())
    data[len(data) // 2] ^= 0xFF
    backup.write_bytes(bytes(data))

    result = runner.invoke(args=["backup", "restore", "--yes", str(backup)])

    assert result.exit_code == 1
    assert "does not match its record's checksum: it is damaged" in result.output


def test_restore_asks_before_replacing_a_database_with_data(seeded, runner, tmp_path):
    backup = tmp_path / "asked.backup"
    assert runner.invoke(args=["backup", "create", str(backup)]).exit_code == 0

    result = runner.invoke(args=["backup", "restore", str(backup)], input="n\n")

    assert result.exit_code == 1
    assert "replace them with the backup?" in result.output
    assert "Aborted" in result.output


def _hold_open(url):
    """Another process with the database open, like a running server."""
    if url.startswith("sqlite"):
        path = sa.engine.make_url(url).database
        code = (f"import sqlite3,sys,time; c=sqlite3.connect({path!r}); c.execute('select 1'); "
                "print('open', flush=True); time.sleep(60)")  # fmt: skip
    else:
        plain = sa.engine.make_url(url).set(drivername="postgresql").render_as_string(False)
        code = (f"import psycopg,time; c=psycopg.connect({plain!r}); print('open', flush=True); "
                "time.sleep(60)")  # fmt: skip
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "open"
    return holder


@pytest.mark.slow
def test_restore_refuses_a_database_in_use_unless_forced(
    seeded, new_instance, new_database, tmp_path
):
    backup = tmp_path / "in-use.backup"
    assert _invoke(seeded, "backup", "create", str(backup)).exit_code == 0
    with new_instance.app_context():
        db.session.execute(sa.text("SELECT 1"))  # creates the SQLite file
        db.session.remove()
        db.engine.dispose()
    holder = _hold_open(new_database)
    try:
        refused = _invoke(new_instance, "backup", "restore", str(backup))
        forced = _invoke(new_instance, "backup", "restore", "--force", str(backup))
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()

    assert refused.exit_code == 1
    assert "The database is in use (" in refused.output
    assert "Stop the Ruamkid services first" in refused.output
    assert forced.exit_code == 0, forced.output
    assert _rows(new_instance)["supports"] == _rows(seeded)["supports"]


def test_a_backup_without_a_path_goes_to_the_instance_folder_and_checks_out(app, runner, tmp_path):
    result = runner.invoke(args=["backup", "create"])

    assert result.exit_code == 0, result.output
    (backup,) = [
        path
        for path in (tmp_path / "instance" / "backups").glob("ruamkid-*")
        if path.suffix in (".sqlite3", ".dump")
    ]  # not the record, not the photos
    if backup.suffix == ".sqlite3":
        connection = sqlite3.connect(backup)
        try:  # one self-contained file, not a WAL database
            assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
            assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            connection.close()
    else:
        from participation.core.backup import postgres_bindir

        assert backup.suffix == ".dump"
        listing = subprocess.run([postgres_bindir() / "pg_restore", "--list", backup],
                                 capture_output=True, text=True, check=True).stdout  # fmt: skip
        assert "TABLE DATA public supports" in listing


def test_photos_come_back_with_a_restored_backup(
    app, client, auth, resident, create_process, runner, tmp_path
):
    """A resident's photo is in the backup: with the photo folder lost, restoring brings the
    photo back, served again at its address; the lost folder's remains are kept aside."""
    import io
    import shutil
    from pathlib import Path

    from tests.photos import images

    process = create_process("reframe")
    auth.login(resident)
    posted = client.post(f"/processes/{process.slug}/issues/new", data={
        "title": "ท่อระบายน้ำอุดตัน", "body": "น้ำท่วมขังทุกครั้งที่ฝนตก",
        "photos": [(io.BytesIO(images.phone_jpeg()), "drain.jpg")]},
        content_type="multipart/form-data")  # fmt: skip
    assert posted.status_code == 302
    with app.app_context():
        from participation.photos.models import Photo

        token = db.session.scalar(sa.select(Photo.token))
        db.session.remove()
    url = f"/photos/{token}/medium.jpg"

    def get(url):  # read and closed: a served file stays open until its response is closed
        response = client.get(url)
        response.get_data()
        response.close()
        return response

    served = get(url)
    original = served.data
    assert served.status_code == 200
    backup = tmp_path / "with-photos.backup"

    created = runner.invoke(args=["backup", "create", str(backup)])

    assert created.exit_code == 0, created.output
    assert "Photos: 3 files" in created.output
    record = json.loads((tmp_path / "with-photos.backup.json").read_text())
    assert record["photos"]["files"] == 3
    storage = Path(app.config["PHOTO_STORAGE_DIR"])
    shutil.rmtree(storage)  # the disk that held the photos is lost
    storage.mkdir()
    (storage / "stray.txt").write_text("left after the loss")
    assert get(url).status_code == 404

    restored = runner.invoke(args=["backup", "restore", "--yes", str(backup)])

    assert restored.exit_code == 0, restored.output
    assert "Restored 3 photo files." in restored.output
    again = get(url)
    assert again.status_code == 200
    assert again.data == original
    assert again.headers["Content-Type"] == "image/jpeg"
    (kept,) = storage.parent.glob("photos.before-restore-*")
    assert (kept / "stray.txt").read_text() == "left after the loss"


def test_a_backup_whose_photos_are_missing_or_damaged_is_refused(app, runner, tmp_path):
    from participation.photos import storage

    with app.app_context():
        storage.write_files(db.session, "ab" * 16, {"thumb": b"\xff\xd8\xff thumb"})
        db.session.commit()
    backup = tmp_path / "photos.backup"
    assert runner.invoke(args=["backup", "create", str(backup)]).exit_code == 0
    archive = tmp_path / "photos.backup.photos.tar"
    content = bytearray(archive.read_bytes())
    content[514] ^= 0xFF  # a bit rotted in the photo's bytes
    archive.write_bytes(bytes(content))

    damaged = runner.invoke(args=["backup", "restore", "--yes", str(backup)])

    assert damaged.exit_code == 1
    assert "photos.backup.photos.tar does not match its record's checksum" in damaged.output
    archive.unlink()
    missing = runner.invoke(args=["backup", "restore", "--yes", str(backup)])
    assert missing.exit_code == 1
    assert "(the backup's photos) is missing" in missing.output


def _guide_block(heading):
    """The first ```sh block after a heading of docs/deploy.md, continuation lines joined."""
    from participation.config import ROOT_DIR

    guide = (ROOT_DIR / "docs" / "deploy.md").read_text()
    after = guide[guide.index(heading) :]
    block = after[after.index("```sh\n") + 6 : after.index("\n```", after.index("```sh\n"))]
    return [line for line in block.replace("\\\n", " ").splitlines() if line.strip()]


@pytest.fixture
def seeded_postgres(database_url, make_app, config, seeded):
    """A seeded PostgreSQL database: the run's, or in the SQLite half a throw-away server."""
    if database_url.startswith("postgresql"):
        yield database_url, seeded
        return
    from flask_migrate import upgrade

    from tests.services import postgres

    with postgres() as url:
        config.SQLALCHEMY_DATABASE_URI = url
        app = make_app(config)
        with app.app_context():
            upgrade()
        result = app.test_cli_runner().invoke(args=["demo", "seed"])
        assert result.exit_code == 0, result.output
        yield url, app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.mark.slow
def test_the_guides_pg_dump_and_pg_restore_commands_work_as_written(seeded_postgres, tmp_path):
    from participation.core.backup import postgres_bindir

    database_url, source = seeded_postgres
    url = sa.engine.make_url(database_url)
    restored_name = f"ruamkid_restored_{secrets.token_hex(4)}"
    script = "\n".join(
        line.replace("sudo -u postgres ", "")
        .replace("/var/backups/", f"{tmp_path}/")
        .replace("$(date +%F)", "2026-11-21")
        .replace("ruamkid_restored", restored_name)
        .replace(" ruamkid\n", f" {url.database}\n")
        for line in (f"{line}\n" for line in _guide_block("### By hand with pg_dump"))
        if not line.startswith("#")
    )
    env = {**os.environ, "PATH": f"{postgres_bindir()}:{os.environ['PATH']}",
           "PGHOST": url.host, "PGPORT": str(url.port), "PGUSER": url.username}  # fmt: skip
    ran = subprocess.run(["bash", "-e", "-c", script], env=env, capture_output=True, text=True)
    engine = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        assert ran.returncode == 0, ran.stderr
        restored = sa.create_engine(url.set(database=restored_name))
        with restored.connect() as connection:
            copied = {
                table: connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()  # noqa: S608
                for table in CONTENT_TABLES
            }
        restored.dispose()
    finally:
        with engine.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {restored_name} WITH (FORCE)")
        engine.dispose()
    before = _rows(source)
    assert copied == {table: len(before[table]) for table in CONTENT_TABLES}
    assert all(copied.values())


@pytest.mark.slow
def test_a_restore_that_breaks_off_leaves_the_database_as_it_was(seeded, runner, tmp_path):
    backup = tmp_path / "cut-off.backup"
    assert runner.invoke(args=["backup", "create", str(backup)]).exit_code == 0
    # A copy cut short (no record to tell), as a full disk or an interrupted transfer leaves it.
    (tmp_path / "cut-off.backup.json").unlink()
    data = backup.read_bytes()
    backup.write_bytes(data[: len(data) * 9 // 10])
    before = _rows(seeded)

    result = runner.invoke(args=["backup", "restore", "--yes", "--force", str(backup)])

    assert result.exit_code == 1, result.output
    # SQLite finds the damage before touching the database; PostgreSQL when replaying it.
    assert any(
        words in result.output
        for words in ("failed its integrity check", "Restoring failed; the database is unchanged")
    )
    assert _rows(seeded) == before

"""Backups of the database and restoring them: ``flask backup create`` and ``flask backup restore``.

- SQLite: SQLite's online backup API copies the database in one step inside a read
  transaction, so the copy is consistent while the server keeps writing (in WAL mode writers
  are not blocked). The copy is integrity-checked before it gets its final name.
- PostgreSQL: ``pg_dump --format=custom`` from a snapshot exported by a repeatable-read
  transaction, which also counts the rows, so the counts describe exactly what was dumped.
  Restoring replays the dump with ``pg_restore | psql`` in one transaction after dropping the
  existing tables, committed only when pg_restore read the whole archive: all or nothing.

Files that are not in the database (photos, in ``PHOTO_STORAGE_DIR``) are copied beside it into
``<file>.photos.tar`` after the database was copied: a photo added meanwhile is in the archive
without its row (harmless), and ``restore`` puts the archive's folder in place of the current
one (kept beside it as ``<folder>.before-restore-<time>``).

Next to each backup ``<file>.json`` records its format, time, Alembic revision, row counts per
table and checksums (of the database copy and of the photos' archive). Restoring refuses a
backup whose revision this code does not know (made by a newer Ruamkid), a damaged file (or
photos' archive), and a database that other processes have open (unless forced), then migrates
the restored database up to the code's revision.
"""

import glob
import hashlib
import json
import logging
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from flask import current_app

from participation.extensions import db

logger = logging.getLogger(__name__)

SQLITE_FORMAT = "sqlite"
POSTGRES_FORMAT = "postgresql-custom"


class BackupError(RuntimeError):
    """The backup or restore cannot be done; the message says why and what to do."""


@dataclass
class Backup:
    """A backup file and what its record says about it."""

    path: Path
    format: str
    revision: str | None
    created_dt: str
    tables: dict[str, int] = field(default_factory=dict)
    sha256: str | None = None
    # {"files": count, "sha256": ...} of the photos' archive, None when the backup has none.
    photos: dict | None = None
    kept_photos: Path | None = None  # after a restore: where the previous photo folder went

    @property
    def record_path(self):
        return record_path(self.path)

    @property
    def photos_path(self):
        return photos_archive_path(self.path)

    def as_record(self):
        return {
            "app": "ruamkid",
            "format": self.format,
            "created_dt": self.created_dt,
            "alembic_revision": self.revision,
            "tables": self.tables,
            "size": self.path.stat().st_size,
            "sha256": self.sha256,
            "photos": self.photos,
        }


def record_path(path):
    return Path(f"{path}.json")


def photos_archive_path(path):
    return Path(f"{path}.photos.tar")


def _photo_dir():
    return Path(current_app.config["PHOTO_STORAGE_DIR"])


def _archive_photos(target):
    """Write the photo folder's files (never half-written ``.part`` ones) into the tar file
    ``target``; return how many there are."""
    root = _photo_dir()
    count = 0
    with tarfile.open(target, "w") as archive:
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file() and path.suffix != ".part":
                    archive.add(path, arcname=path.relative_to(root).as_posix(), recursive=False)
                    count += 1
    return count


def _restore_photos(backup):
    """Put the backup's photos in place of the photo folder's (kept beside it); return where
    the previous folder was kept (None when it was empty or there was none)."""
    root = _photo_dir()
    root.parent.mkdir(parents=True, exist_ok=True)
    stamp = _now().strftime("%Y%m%d-%H%M%S")
    incoming = root.with_name(f"{root.name}.restoring-{stamp}")
    shutil.rmtree(incoming, ignore_errors=True)
    incoming.mkdir()
    try:
        with tarfile.open(backup.photos_path) as archive:
            archive.extractall(incoming, filter="data")  # no links, no paths outside
    except (tarfile.TarError, OSError) as error:
        shutil.rmtree(incoming, ignore_errors=True)
        raise BackupError(f"The photos of {backup.path} could not be restored: {error}") from None
    kept = None
    if root.exists():
        if any(root.iterdir()):
            kept = root.with_name(f"{root.name}.before-restore-{stamp}")
            root.rename(kept)
        else:
            root.rmdir()
    incoming.rename(root)
    return kept


def _url():
    return db.engine.url


def _is_sqlite():
    return _url().get_backend_name() == "sqlite"


def _sqlite_path():
    database = _url().database
    if not database or database == ":memory:":
        raise BackupError("The database is in memory; there is nothing to back up.")
    return Path(database).resolve()


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _model_tables():
    return [table.name for table in db.metadata.sorted_tables]


def _counts(connection):
    """Rows per model table that the connection's database has."""
    present = set(sa.inspect(connection).get_table_names())
    # Table names come from the models' metadata, never from input.
    return {
        name: connection.scalar(sa.text(f'SELECT count(*) FROM "{name}"'))  # noqa: S608
        for name in _model_tables()
        if name in present
    }


def _now():
    return datetime.now(UTC)


def default_path():
    """``<instance>/backups/ruamkid-<UTC time>.sqlite3`` (or ``.dump`` for PostgreSQL)."""
    suffix = ".sqlite3" if _is_sqlite() else ".dump"
    stamp = _now().strftime("%Y%m%d-%H%M%S")
    return Path(current_app.instance_path) / "backups" / f"ruamkid-{stamp}{suffix}"


def create_backup(path=None):
    """Back up the configured database to ``path`` and write its record; return the Backup."""
    path = Path(path) if path else default_path()
    if path.exists():
        raise BackupError(f"{path} already exists; choose another file name.")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    photos_partial = photos_archive_path(partial)
    partial.unlink(missing_ok=True)
    try:
        backup = _create_sqlite(partial) if _is_sqlite() else _create_postgres(partial)
        backup.sha256 = _sha256(partial)
        count = _archive_photos(photos_partial)  # after the database: no row without its file
        backup.photos = {"files": count, "sha256": _sha256(photos_partial)}
        photos_partial.rename(photos_archive_path(path))
        partial.rename(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        photos_partial.unlink(missing_ok=True)
        raise
    backup.path = path
    backup.record_path.write_text(json.dumps(backup.as_record(), indent=2, sort_keys=True) + "\n")
    logger.info("Backup written to %s (revision %s)", path, backup.revision)
    return backup


# SQLite


def _sqlite_connect(path, readonly=False):
    target = f"file:{path}?mode=ro" if readonly else f"file:{path}"
    connection = sqlite3.connect(target, uri=True, isolation_level=None)
    connection.execute("PRAGMA busy_timeout=5000")
    return connection


def _sqlite_integrity(connection):
    rows = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    return "ok" if rows == ["ok"] else "; ".join(rows[:5])


def _sqlite_revision(connection):
    try:
        return connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    except (sqlite3.DatabaseError, TypeError):
        return None


def _sqlite_counts(connection, tables):
    present = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    # Table names come from the models' metadata, never from input.
    return {
        name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]  # noqa: S608
        for name in tables
        if name in present
    }


def _create_sqlite(partial):
    source = _sqlite_connect(_sqlite_path())
    target = _sqlite_connect(partial)
    try:
        # pages=-1: the whole database in one step, inside one read transaction.
        source.backup(target, pages=-1)
        # A backup is one self-contained file, not a WAL database.
        target.execute("PRAGMA journal_mode=DELETE")
        problem = _sqlite_integrity(target)
        if problem != "ok":
            raise BackupError(f"The backup failed its integrity check: {problem}")
        return Backup(
            path=partial,
            format=SQLITE_FORMAT,
            revision=_sqlite_revision(target),
            created_dt=_now().isoformat(timespec="seconds"),
            tables=_sqlite_counts(target, _model_tables()),
        )
    finally:
        target.close()
        source.close()


# PostgreSQL


def postgres_bindir():
    """Where pg_dump, pg_restore and psql are: PG_BINDIR, Debian's newest, or the PATH."""
    configured = os.environ.get("PG_BINDIR")
    if configured:
        return Path(configured)
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"),
                   key=lambda p: int(Path(p).parts[-3]))  # fmt: skip
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("pg_dump")
    if on_path:
        return Path(on_path).parent
    raise BackupError("pg_dump was not found: install postgresql-client or set PG_BINDIR.")


def _libpq():
    """A libpq URI without the password, and an environment that carries it (not argv)."""
    url = _url()
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(args, **kwargs):
    result = subprocess.run(  # noqa: S603 - our own fixed arguments
        args, capture_output=True, text=True, check=False, **kwargs
    )
    if result.returncode:
        raise BackupError(f"{Path(args[0]).name} failed: {result.stderr.strip()}")
    return result


def _postgres_tables(connection):
    return connection.scalars(
        sa.text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    ).all()


def _postgres_revision(connection):
    if "alembic_version" not in _postgres_tables(connection):
        return None
    return connection.scalar(sa.text("SELECT version_num FROM alembic_version"))


def _create_postgres(partial):
    bindir = postgres_bindir()
    uri, env = _libpq()
    with db.engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            snapshot = connection.scalar(sa.text("SELECT pg_export_snapshot()"))
            backup = Backup(
                path=partial,
                format=POSTGRES_FORMAT,
                revision=_postgres_revision(connection),
                created_dt=_now().isoformat(timespec="seconds"),
                tables=_counts(connection),
            )
            # pg_dump sees exactly what this transaction saw, while the server keeps writing.
            _run([str(bindir / "pg_dump"), "--format=custom", f"--snapshot={snapshot}",
                  "--no-owner", "--no-privileges", f"--file={partial}", f"--dbname={uri}"],
                 env=env)  # fmt: skip
    _run([str(bindir / "pg_restore"), "--list", str(partial)])
    return backup


# Reading a backup


def read_backup(path):
    """Check a backup file and return what it holds; raise BackupError if it is unusable."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} does not exist.")
    record = {}
    if record_path(path).is_file():
        record = json.loads(record_path(path).read_text())
        if record.get("sha256") and record["sha256"] != _sha256(path):
            raise BackupError(f"{path} does not match its record's checksum: it is damaged.")
    with open(path, "rb") as handle:
        magic = handle.read(16)
    if magic.startswith(b"SQLite format 3"):
        connection = _sqlite_connect(path, readonly=True)
        try:
            problem = _sqlite_integrity(connection)
            revision = _sqlite_revision(connection)
        except sqlite3.DatabaseError as error:  # too damaged to check (a cut-off copy)
            problem = str(error)
        finally:
            connection.close()
        if problem != "ok":
            raise BackupError(f"{path} failed its integrity check: {problem}")
        kind = SQLITE_FORMAT
    elif magic.startswith(b"PGDMP"):
        kind = POSTGRES_FORMAT
        revision = _dump_revision(path)
    else:
        raise BackupError(f"{path} is neither a SQLite backup nor a pg_dump custom archive.")
    if revision is None:
        raise BackupError(f"{path} has no Alembic revision: it is not a Ruamkid database.")
    photos = record.get("photos")
    if photos:
        archive = photos_archive_path(path)
        if not archive.is_file():
            raise BackupError(f"{archive} (the backup's photos) is missing.")
        if photos.get("sha256") and photos["sha256"] != _sha256(archive):
            raise BackupError(f"{archive} does not match its record's checksum: it is damaged.")
    return Backup(path=path, format=kind, revision=revision,
                  created_dt=record.get("created_dt", "unknown"),
                  tables=record.get("tables", {}), sha256=record.get("sha256"),
                  photos=photos)  # fmt: skip


def _dump_revision(path):
    listing = _run([str(postgres_bindir() / "pg_restore"), "--data-only",
                    "--table=alembic_version", "--file=-", str(path)]).stdout  # fmt: skip
    lines = listing.splitlines()
    for number, line in enumerate(lines):
        if line.startswith("COPY ") and "alembic_version" in line:
            value = lines[number + 1].strip()
            return None if value == "\\." else value
    return None


def migration_scripts():
    """The Alembic revisions this code knows."""
    return ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())


def _check_revision(revision):
    try:
        known = migration_scripts().get_revision(revision)
    except CommandError:
        known = None
    if known is None:
        raise BackupError(
            f"The backup's schema revision {revision} is unknown to this version of Ruamkid: it "
            "was made by a newer version. Install that version (or newer) to restore it."
        )


# Restoring


def processes_using_sqlite(path):
    """Other processes that have the SQLite file (or its WAL) open, as (pid, command) pairs."""
    path = Path(path).resolve()
    names = {str(path), f"{path}-wal", f"{path}-shm"}
    found = []
    for fd_dir in glob.glob("/proc/[0-9]*/fd"):
        pid = int(fd_dir.split("/")[2])
        if pid == os.getpid():
            continue
        try:
            targets = {os.readlink(os.path.join(fd_dir, fd)) for fd in os.listdir(fd_dir)}
        except OSError:  # gone, or not ours to look at
            continue
        if targets & names:
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
            except OSError:
                command = b"?"
            found.append((pid, command.decode(errors="replace").strip()))
    return found


def _postgres_sessions(connection):
    return connection.execute(
        sa.text(
            "SELECT pid, coalesce(application_name, '') || ' ' || coalesce(client_addr::text, "
            "'local') FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
    ).all()


def users_of_database():
    """Other processes or sessions using the configured database right now."""
    if _is_sqlite():
        return processes_using_sqlite(_sqlite_path())
    db.engine.dispose()
    with db.engine.connect() as connection:
        return [(row[0], row[1].strip()) for row in _postgres_sessions(connection)]


def database_rows():
    """Rows in the configured database's tables (0 for a new, empty database)."""
    db.engine.dispose()
    return sum(current_counts().values())


def current_counts():
    """Rows per model table in the configured database (tables it lacks are left out)."""
    with db.engine.connect() as connection:
        return _counts(connection)


def restore_backup(backup, force=False):
    """Replace the configured database with ``backup`` (from ``read_backup``), then migrate it up.

    Returns ``safety_copy``: the previous SQLite database saved beside it (None for
    PostgreSQL, or when there was nothing to keep)."""
    _check_revision(backup.revision)
    expected = SQLITE_FORMAT if _is_sqlite() else POSTGRES_FORMAT
    if backup.format != expected:
        raise BackupError(
            f"{backup.path} is a {backup.format} backup, but the configured database is "
            f"{_url().get_backend_name()}."
        )
    users = users_of_database()
    if users and not force:
        listed = "; ".join(f"{pid} {command}"[:100] for pid, command in users[:5])
        raise BackupError(
            f"The database is in use ({listed}). Stop the Ruamkid services first "
            "(systemctl stop 'ruamkid-*'), or pass --force."
        )
    db.session.remove()
    db.engine.dispose()
    safety = _restore_sqlite(backup) if _is_sqlite() else _restore_postgres(backup)
    db.engine.dispose()
    restored = current_counts()
    if backup.tables and restored != backup.tables:
        raise BackupError(
            f"The restored database's row counts differ from the backup record: {restored} "
            f"!= {backup.tables}"
        )
    from flask_migrate import upgrade

    upgrade()
    db.engine.dispose()
    if _is_sqlite():
        connection = _sqlite_connect(_sqlite_path())
        try:
            problem = _sqlite_integrity(connection)
        finally:
            connection.close()
        if problem != "ok":
            raise BackupError(f"The restored database failed its integrity check: {problem}")
    if backup.photos is not None:
        backup.kept_photos = _restore_photos(backup)
        if backup.kept_photos is not None:
            logger.info("The previous photo folder is kept as %s", backup.kept_photos)
    logger.info("Restored %s (revision %s)", backup.path, backup.revision)
    return safety


def _restore_sqlite(backup):
    target_path = _sqlite_path()
    target_path.parent.mkdir(parents=True, exist_ok=True)
    safety = None
    if target_path.exists() and _sqlite_has_tables(target_path):
        safety = target_path.with_name(
            f"{target_path.name}.before-restore-{_now().strftime('%Y%m%d-%H%M%S')}"
        )
        _copy_sqlite(target_path, safety)
    _copy_sqlite(backup.path, target_path)
    return safety


def _sqlite_has_tables(path):
    connection = _sqlite_connect(path, readonly=True)
    try:
        return connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
    finally:
        connection.close()


def _copy_sqlite(source_path, target_path):
    source = _sqlite_connect(source_path, readonly=True)
    target = _sqlite_connect(target_path)
    try:
        source.backup(target, pages=-1)
    finally:
        target.close()
        source.close()


def _restore_postgres(backup):
    bindir = postgres_bindir()
    uri, env = _libpq()
    with db.engine.connect() as connection:
        tables = _postgres_tables(connection)
        schema = connection.scalar(sa.text("SELECT current_schema()"))
    # Names come from the catalogue; quoted as identifiers.
    drop = (
        "DROP TABLE IF EXISTS "
        + ", ".join(f'"{schema}"."{name}"' for name in tables)
        + " CASCADE;\n"
        if tables
        else ""
    )
    with tempfile.TemporaryFile() as restore_log, tempfile.TemporaryFile() as psql_log:
        restore = subprocess.Popen(  # noqa: S603 - fixed arguments
            [str(bindir / "pg_restore"), "--no-owner", "--no-privileges", "--file=-",
             str(backup.path)],
            stdout=subprocess.PIPE, stderr=restore_log,
        )  # fmt: skip
        # Not --single-transaction: psql would commit whatever it had read when pg_restore
        # broke off (a cut-off archive). COMMIT is sent only after a complete replay; without it
        # psql ends with the transaction open and the server rolls it back.
        psql = subprocess.Popen(  # noqa: S603 - fixed arguments
            [str(bindir / "psql"), "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1",
             f"--dbname={uri}"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=psql_log, env=env,
        )  # fmt: skip
        with restore, psql:
            try:
                psql.stdin.write(b"BEGIN;\n" + drop.encode())
                shutil.copyfileobj(restore.stdout, psql.stdin)
                if restore.wait() == 0:
                    psql.stdin.write(b"COMMIT;\n")
            except BrokenPipeError:  # psql stopped at an error; its message is in its log
                pass
        failed = restore.returncode or psql.returncode
        restore_log.seek(0)
        psql_log.seek(0)
        message = (restore_log.read() or psql_log.read()).decode(errors="replace").strip()
    if failed:
        raise BackupError(f"Restoring failed; the database is unchanged. {message}")
    return None

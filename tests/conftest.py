"""Fixtures: a migrated database, the app, a client, and factories for people and things.

The schema is built once per run (per pytest-xdist worker) with the real Alembic migrations.
Each test gets a new app and empty tables. Set TEST_DATABASE_URL to run the suite on PostgreSQL.

Under ``pytest -n N`` every worker has a database of its own (SQLite: its own temporary folder;
PostgreSQL: a database ``<name>_gwN`` created on the given server), a Redis server of its own
when REDIS_URL is set, and its own slice of ports (tests/services.py ``free_port``).
"""

import os
from contextlib import ExitStack, contextmanager
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from participation import create_app
from participation.accounts import operations as accounts
from participation.config import TestConfig
from participation.core.jobs import wait_for_jobs
from participation.core.mail import outbox
from participation.extensions import db as _db
from tests.html import ReaderClient

PASSWORD = "correct horse battery staple"

_worker_resources = ExitStack()


def pytest_configure(config):
    """On a pytest-xdist worker, point TEST_DATABASE_URL and REDIS_URL at the worker's own
    database and Redis before anything reads them (tests, fixtures, the servers they start)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return
    if url := os.environ.get("TEST_DATABASE_URL", "").strip():
        os.environ["TEST_DATABASE_URL"] = _worker_database(url, worker)
    if os.environ.get("REDIS_URL"):
        # Database numbers would not do: publish/subscribe channels (Socket.IO's queue, the
        # town hall relay) are shared by every database of a server.
        from tests.services import redis

        os.environ["REDIS_URL"] = _worker_resources.enter_context(redis())


def pytest_unconfigure(config):
    _worker_resources.close()


def _worker_database(url, worker):
    """Create (afresh) the worker's own database on the server of ``url``; returns its URL."""
    url = sa.engine.make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"{url.database}_{worker}"
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()

    def drop():
        engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        engine.dispose()

    _worker_resources.callback(drop)
    return url.set(database=name).render_as_string(hide_password=False)


def _database_url(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL", "").strip()
    if url:
        return url.replace("postgresql://", "postgresql+psycopg://", 1)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'ruamkid-test.sqlite3'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A database with the schema built by the migrations, shared by the whole run."""
    url = _database_url(tmp_path_factory)
    app = create_app(TestConfig(database_url=url))
    with app.app_context():
        _drop_everything()
        upgrade()
        _db.engine.dispose()
    return url


def _drop_everything():
    _db.session.remove()
    metadata = sa.MetaData()
    metadata.reflect(bind=_db.engine)
    metadata.drop_all(bind=_db.engine)


@pytest.fixture
def config(database_url, tmp_path, monkeypatch):
    """The test configuration; tests may change it before asking for ``app``."""
    monkeypatch.setenv("RUAMKID_INSTANCE_DIR", str(tmp_path / "instance"))
    return TestConfig(database_url=database_url)


@pytest.fixture
def make_app():
    """Create apps (e.g. with a changed config); their database pools close after the test."""
    made = []

    def make(config):
        from participation.core.cache import fragments

        fragments.clear()
        app = create_app(config)
        app.test_client_class = ReaderClient
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            _db.session.remove()
            _db.engine.dispose()


@pytest.fixture
def app(config, make_app):
    app = make_app(config)
    yield app
    assert wait_for_jobs(), "a deferred job did not end"  # before its rows are deleted
    with app.app_context():
        _db.session.remove()
        for table in reversed(_db.metadata.sorted_tables):
            _db.session.execute(table.delete())
        _db.session.commit()
        _db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def in_db(app):
    """``with in_db() as session:`` runs a block in an app context with the database session."""

    @contextmanager
    def block():
        with app.app_context():
            yield _db.session
            _db.session.remove()

    return block


class Outbox:
    """The messages the app sent, in order, read once every deferred job has ended (mail goes
    out from jobs, after the answer: participation.core.jobs)."""

    def __init__(self, messages):
        self._messages = messages

    def _settled(self):
        assert wait_for_jobs(), "a deferred job did not end"
        return self._messages

    def __len__(self):
        return len(self._settled())

    def __getitem__(self, index):
        return self._settled()[index]

    def __iter__(self):
        return iter(self._settled())


@pytest.fixture
def mail(app):
    """The messages the app sent, in order (an :class:`Outbox`)."""
    with app.app_context():
        return Outbox(outbox())


@pytest.fixture
def create_user(app):
    """Make an account; returns its id, e-mail, password and name."""
    counter = iter(range(1, 10_000))

    def make(roles=(), email=None, name=None, language="th", password=PASSWORD):
        number = next(counter)
        email = email or f"person{number}@example.org"
        with app.app_context():
            user = accounts.register_user(
                email=email,
                display_name=name or f"ประชาชน {number}",
                password=password,
                preferred_language=language,
                consent=True,
            )
            for role in roles:
                accounts.grant_role(user, role)
            _db.session.commit()
            person = SimpleNamespace(
                id=user.id, email=user.email, password=password, name=user.display_name
            )
            _db.session.remove()
        return person

    return make


@pytest.fixture
def resident(create_user):
    return create_user(name="สมชาย ใจดี")


@pytest.fixture
def facilitator(create_user):
    return create_user(roles=["facilitator"], name="กมลพร ใจกว้าง")


@pytest.fixture
def council(create_user):
    return create_user(roles=["council"], name="สมศักดิ์ รักถิ่น")


@pytest.fixture
def admin(create_user):
    return create_user(roles=["admin"], name="ผู้ดูแลระบบ")


class Auth:
    """Sign a test client in and out as a given person."""

    def __init__(self, client):
        self.client = client

    def login(self, person, remember=False):
        data = {"email": person.email, "password": person.password}
        if remember:
            data["remember"] = "y"
        response = self.client.post("/login", data=data)
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def thai(app):
    """Return the Thai catalogue's text for an English message (and check it is translated)."""
    from flask_babel import force_locale, gettext

    def translate(message, **variables):
        with app.test_request_context(), force_locale("th"):
            text = gettext(message, **variables)
        assert text != message % variables if variables else text != message, message
        return text

    def plural(singular, plural_form, num):
        from flask_babel import ngettext

        with app.test_request_context(), force_locale("th"):
            text = ngettext(singular, plural_form, num)
        assert text != (singular if num == 1 else plural_form) % {"num": num}, singular
        return text

    translate.plural = plural
    return translate


@pytest.fixture
def municipality(app):
    """The demo municipality's communities (id, slug) without its people or processes."""
    from participation.municipality.models import Area, Municipality

    with app.app_context():
        place = Municipality(name_th="เทศบาลทดสอบ", name_en="Test Municipality")
        for position, (slug, name) in enumerate([("north", "ชุมชนเหนือ"), ("south", "ชุมชนใต้")]):
            place.areas.append(Area(slug=slug, name_th=name, name_en=slug, position=position))
        _db.session.add(place)
        _db.session.commit()
        areas = [SimpleNamespace(id=a.id, slug=a.slug) for a in place.areas]
        _db.session.remove()
    return areas


@pytest.fixture
def create_process(app, municipality, create_user):
    """Make a published process in a given phase, with two categories and two communities."""
    from participation.processes.models import Category, Process

    counter = iter(range(1, 1000))

    def make(phase="reframe", max_supports=None, support_threshold=3, published=True,
             facilitator=None, edit_window_minutes=1440):  # fmt: skip
        number = next(counter)
        facilitator = facilitator or create_user(roles=["facilitator"])
        with app.app_context():
            from participation.accounts.models import User
            from participation.municipality.models import Area

            process = Process(
                slug=f"process-{number}", title_th=f"กระบวนการ {number}",
                title_en=f"Process {number}", phase=phase, is_published=published,
                max_supports=max_supports, support_threshold=support_threshold,
                edit_window_minutes=edit_window_minutes,
            )  # fmt: skip
            process.categories = [
                Category(slug="roads", name_th="ถนน", name_en="Roads", position=0),
                Category(slug="light", name_th="ไฟส่องสว่าง", name_en="Lighting", position=1),
            ]
            process.areas = _db.session.scalars(sa.select(Area)).all()
            process.facilitators.append(_db.session.get(User, facilitator.id))
            _db.session.add(process)
            _db.session.commit()
            made = SimpleNamespace(
                id=process.id, slug=process.slug, phase=phase, facilitator=facilitator,
                category_ids=[c.id for c in process.categories],
                area_ids=[a.id for a in process.areas],
            )  # fmt: skip
            _db.session.remove()
        return made

    return make


@pytest.fixture
def create_contribution(app):
    """Post an issue or proposal through the operations (the phase must allow it)."""
    from participation.accounts.models import User
    from participation.processes.models import Process
    from participation.proposals import operations

    def make(process, author, kind="proposal", title="ซ่อมถนนชำรุดหน้าโรงเรียน",
             body="ถนนเป็นหลุมเป็นบ่อ", **extra):  # fmt: skip
        with app.app_context():
            create = operations.create_proposal if kind == "proposal" else operations.create_issue
            item = create(
                _db.session.get(Process, process.id),
                _db.session.get(User, author.id),
                {"title": title, "body": body, **extra},
            )
            _db.session.commit()
            item_id = item.id
            _db.session.remove()
        return item_id

    return make


def set_phase(app, process, phase):
    """Move a process straight to ``phase`` (tests only; the app goes one phase at a time)."""
    from participation.processes.models import Process

    with app.app_context():
        _db.session.get(Process, process.id).phase = phase
        _db.session.commit()
        _db.session.remove()
    process.phase = phase


@pytest.fixture
def move_to(app):
    return lambda process, phase: set_phase(app, process, phase)


@pytest.fixture
def live_server(app, database_url, tmp_path):
    """gunicorn with four worker processes on the test database (after the test's data)."""
    from tests.live import LiveServer

    servers = []

    def start():
        server = LiveServer(database_url, tmp_path)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def create_townhall(app, create_user):
    """Make a published town hall (live by default) with its own facilitator."""
    from datetime import timedelta

    from participation.core.models import utcnow
    from participation.townhall.models import TownHall

    counter = iter(range(1, 1000))

    def make(state="live", allow_visitors=True, facilitator=None, **extra):
        number = next(counter)
        facilitator = facilitator or create_user(roles=["facilitator"], name=f"ผู้ดำเนินเวที {number}")
        with app.app_context():
            from participation.accounts.models import User

            start = utcnow() - timedelta(minutes=10)
            townhall = TownHall(
                slug=f"townhall-{number}", title_th=f"เวทีประชาคม {number}",
                title_en=f"Town hall {number}", venue_th="หอประชุมเทศบาล",
                starts_dt=start, ends_dt=start + timedelta(hours=2), state=state,
                allow_visitors=allow_visitors, **extra,
            )  # fmt: skip
            townhall.facilitators.append(_db.session.get(User, facilitator.id))
            _db.session.add(townhall)
            _db.session.commit()
            made = SimpleNamespace(id=townhall.id, slug=townhall.slug, facilitator=facilitator)
            _db.session.remove()
        return made

    return make


@pytest.fixture
def socket_for(app):
    """Open a /townhall Socket.IO connection as a person (or a visitor with None)."""
    from participation.extensions import socketio

    opened = []

    def connect(person=None, auth=None, cookies=()):
        client = app.test_client()
        if person is not None:
            Auth(client).login(person)
        for name, value in cookies:  # e.g. a town hall guest's cookie
            client.set_cookie(name, value)
        sio = socketio.test_client(app, namespace="/townhall", flask_test_client=client,
                                   auth=auth)  # fmt: skip
        opened.append(sio)
        return sio

    yield connect
    for sio in opened:
        if sio.is_connected("/townhall"):
            sio.disconnect(namespace="/townhall")


@pytest.fixture
def socket_server(app, database_url, tmp_path):
    """Start gunicorn + gevent-websocket servers on the test database; stopped after the test."""
    from tests.live import SocketServer

    servers = []

    def start(**kwargs):
        server = SocketServer(database_url, tmp_path, name=f"socket{len(servers)}", **kwargs)
        servers.append(server)
        return server

    yield start
    for server in servers:
        if server.process.poll() is None:
            server.stop()


@pytest.fixture
def redis_url():
    """A Redis server: the one the run was given (REDIS_URL), or a throw-away one."""
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    from tests.services import redis

    with redis() as started:
        yield started


@pytest.fixture
def token_for(app):
    """Create a read-write personal access token for a person."""
    from participation.accounts.models import User
    from participation.accounts.operations import create_access_token

    def make(person, write=True):
        with app.app_context():
            _row, token = create_access_token(_db.session.get(User, person.id), "test", write)
            _db.session.commit()
            _db.session.remove()
        return token

    return make


@pytest.fixture
def faulty_redis():
    """A private Redis the test may stop, start, pause (SIGSTOP) and resume (tests/faults.py)."""
    from tests.faults import FaultyRedis

    server = FaultyRedis()
    server.start()
    yield server
    server.close()


@pytest.fixture
def faulty_postgres():
    """A private PostgreSQL cluster the test may stop, start, pause and resume."""
    from tests.faults import FaultyPostgres

    server = FaultyPostgres()
    yield server
    server.close()


@pytest.fixture
def statements(app):
    """Every SQL statement the app runs while the test holds this list."""
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    with app.app_context():
        engine = _db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    yield seen
    sa.event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def accepted(client, auth, resident, council, create_process, create_contribution, move_to):
    """A proposal the council accepted; the council member is signed in."""
    process = create_process("reimagine")
    proposal_id = create_contribution(process, resident)
    move_to(process, "remake")
    auth.login(council)
    client.post(f"/processes/{process.slug}/proposals/{proposal_id}/response",
                data={"status": "accepted", "body": "รับไว้ดำเนินการ"})  # fmt: skip
    return process, proposal_id

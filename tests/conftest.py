"""Fixtures: a migrated database, the app, a client, and factories for people and things.

The schema is built once per run with the real Alembic migrations. Each test gets a new app
and empty tables. Set TEST_DATABASE_URL to run the suite on PostgreSQL.
"""

import os
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from participation import create_app
from participation.accounts import operations as accounts
from participation.config import TestConfig
from participation.core.mail import outbox
from participation.extensions import db as _db

PASSWORD = "correct horse battery staple"


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
        app = create_app(config)
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


@pytest.fixture
def mail(app):
    """The messages the app sent, in order."""
    with app.app_context():
        return outbox()


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

    return translate

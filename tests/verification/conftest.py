"""Fixtures for resident verification: a registrar, letter codes made through the operation
(their plain text exists only in what it returns), and reading one's verification."""

from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from participation.extensions import db


@pytest.fixture
def registrar(create_user):
    return create_user(roles=["registrar"], name="เจ้าหน้าที่ทะเบียน ทดสอบ")


@pytest.fixture
def make_codes(app, municipality, admin):
    """Make letter codes for a community (north by default); returns the batch id and codes."""
    from participation.accounts.models import User
    from participation.verification import operations

    def make(count=3, days=30, area=None):
        with app.test_request_context():
            batch, codes = operations.create_letter_batch(
                (area or municipality[0]).id, count, days, db.session.get(User, admin.id)
            )
            db.session.commit()
            made = SimpleNamespace(id=batch.id, codes=codes)
            db.session.remove()
        return made

    return make


@pytest.fixture
def verification_of(app):
    """The resident's verification in force now, as (community slug, method), or None."""
    from participation.accounts.models import User
    from participation.verification.operations import current_verification

    def read(person):
        with app.test_request_context():
            row = current_verification(db.session.get(User, person.id))
            found = (row.area.slug, row.method) if row else None
            db.session.remove()
        return found

    return read


@pytest.fixture
def count_rows(in_db):
    def count(model):
        with in_db() as session:
            return session.scalar(sa.select(sa.func.count()).select_from(model))

    return count

"""Verifying residents, and the question every feature asks: may this person act here?

- ``verify_at_desk(resident, area, registrar)``: a registrar saw the ID card; nothing from it is
  typed or stored.
- ``create_letter_batch(area, count, days, actor)`` → the batch and its codes in plain text,
  once (only their hashes are kept); ``redeem_code(user, code, address)``.
- ``match_list_entry(user, national_id, birth_date, address)``: the keyed hash of what the
  resident typed is compared with the uploaded list; the typed values are never kept.
- ``required(process, action)`` and ``can_act(user, process, action)`` / ``require(...)``.

Operations flush, never commit, and raise RuleError with a translatable message.
"""

import csv
import hashlib
import hmac
import io
import logging
import re
import secrets
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from participation.audit.operations import record_action
from participation.core.models import utcnow
from participation.core.permissions import Permission, can
from participation.core.rules import RuleError, require_participant
from participation.extensions import db
from participation.municipality.models import Area
from participation.verification import action_log  # noqa: F401  (registers the log's words)
from participation.verification.models import (
    LetterBatch,
    LetterCode,
    Method,
    ProcessRequirement,
    Requirement,
    ResidentListEntry,
    Verification,
    VerificationAttempt,
)

logger = logging.getLogger(__name__)

BANGKOK = ZoneInfo("Asia/Bangkok")
# Letters and digits that cannot be mistaken for one another when read off paper or typed on a
# phone (no 0/O/D/Q, 1/I/L, 2/Z, 5/S, 8/B, 6/G, U/V).
CODE_ALPHABET = "ACEFHJKMNPRTWXY34679"
CODE_LENGTH = 12  # 20**12 ≈ 4 × 10^15 codes: with the lock-out, guessing one is hopeless
MAX_CODES_PER_BATCH = 5000
MAX_LETTER_DAYS = 730
REASON_MAX = 300
HASH_RE = re.compile(r"^[0-9a-f]{64}$")
IMPORT_CHUNK = 500

HOW_TO_VERIFY = _l("Verify your right at the municipal office, or enter the code from your letter.")


# --- Expiry -----------------------------------------------------------------------------------


def default_expiry(now=None):
    """The end of the current fiscal year (VERIFICATION_YEAR_END, Bangkok time), as UTC."""
    now = now or utcnow()
    today = now.astimezone(BANGKOK).date()
    month, day = (int(part) for part in current_app.config["VERIFICATION_YEAR_END"].split("-"))
    end = date(today.year, month, day)
    if end < today:
        end = date(today.year + 1, month, day)
    return datetime.combine(end + timedelta(days=1), time(0), BANGKOK).astimezone(ZoneInfo("UTC"))


# --- Asking -----------------------------------------------------------------------------------


def current_verification(user):
    """The resident's verification in force now, or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalars(
        sa.select(Verification)
        .where(
            Verification.user_id == user.id,
            Verification.revoked_dt.is_(None),
            Verification.expires_dt > utcnow(),
        )
        .order_by(Verification.verified_dt.desc(), Verification.id.desc())
        .limit(1)
    ).first()


def required(process, action):
    """The process's requirement for ``action`` (a ProcessRequirement), or None when anyone
    signed in may take it."""
    if process is None or process.id is None:
        return None
    return db.session.get(ProcessRequirement, (process.id, Requirement(action).value))


def can_act(user, process, action):
    """(True, None) when ``user`` may take ``action`` in ``process`` as far as verification
    goes, else (False, the reason to show)."""
    requirement = required(process, action)
    if requirement is None:
        return True, None
    verification = current_verification(user)
    if verification is None:
        return False, _l(
            "Only verified residents can do this in this process. %(how)s", how=HOW_TO_VERIFY
        )
    if requirement.residents_only:
        areas = {area.id for area in process.areas}
        if areas and verification.area_id not in areas:
            return False, _l(
                "Only verified residents of this process's communities can do this here."
            )
    return True, None


def require(user, process, action):
    """Raise RuleError unless ``user`` may take ``action`` in ``process``."""
    allowed, reason = can_act(user, process, action)
    if not allowed:
        raise RuleError(reason)


def set_requirements(process, actions, residents_only, actor):
    """Choose which actions of ``process`` need verification (``actions``: Requirement values)."""
    wanted = {Requirement(action).value for action in actions}
    existing = {
        row.action: row
        for row in db.session.scalars(
            sa.select(ProcessRequirement).where(ProcessRequirement.process_id == process.id)
        )
    }
    for action, row in existing.items():
        if action not in wanted:
            db.session.delete(row)
        else:
            row.residents_only = bool(residents_only)
    for action in wanted - existing.keys():
        db.session.add(
            ProcessRequirement(
                process_id=process.id, action=action, residents_only=bool(residents_only)
            )
        )
    record_action(
        actor,
        "verification.requirements",
        process,
        details={"actions": sorted(wanted), "residents_only": bool(residents_only)},
    )
    db.session.flush()


# --- Granting and revoking --------------------------------------------------------------------


def _grant(user, area, method, verified_by=None, list_entry=None):
    """Record ``user`` verified for ``area``; a verification in force before is replaced."""
    now = utcnow()
    for old in db.session.scalars(
        sa.select(Verification).where(
            Verification.user_id == user.id, Verification.revoked_dt.is_(None)
        )
    ):
        old.revoked_dt = now
        old.revoke_reason = "replaced"
    row = Verification(
        user_id=user.id,
        area_id=area.id,
        method=Method(method).value,
        verified_by_id=getattr(verified_by, "id", None),
        verified_dt=now,
        expires_dt=default_expiry(now),
        list_entry_id=getattr(list_entry, "id", None),
    )
    db.session.add(row)
    db.session.flush()
    return row


def _area(area_id):
    area = db.session.get(Area, area_id) if area_id else None
    if area is None:
        raise RuleError(_l("Please choose the community."), "area_id")
    return area


def verify_at_desk(resident, area_id, registrar):
    """A registrar saw the resident's ID card in person: verify them for a community."""
    if not can(registrar, Permission.VERIFY_RESIDENTS):
        raise RuleError(_l("Only a registrar can verify residents."))
    if resident.id == registrar.id:
        raise RuleError(_l("Registrars cannot verify themselves: please ask another registrar."))
    if resident.is_guest:
        raise RuleError(_l("This account cannot be verified."))
    area = _area(area_id)
    row = _grant(resident, area, Method.DESK, verified_by=registrar)
    record_action(
        registrar,
        "verification.grant",
        resident,
        details={"area": area.name_th, "method": Method.DESK.value},
    )
    return row


def revoke(verification, actor, reason):
    """End a verification before its time; an administrator or registrar, with a reason."""
    if not (can(actor, Permission.VERIFY_RESIDENTS) or can(actor, Permission.MANAGE_USERS)):
        raise RuleError(_l("Only a registrar or an administrator can revoke a verification."))
    reason = " ".join((reason or "").split())
    if not reason:
        raise RuleError(_l("Please say why the verification is revoked."), "reason")
    if len(reason) > REASON_MAX:
        raise RuleError(
            _l("Please keep the reason under %(max)s characters.", max=REASON_MAX), "reason"
        )
    if verification.revoked_dt is not None:
        raise RuleError(_l("This verification was already revoked."))
    verification.revoked_dt = utcnow()
    verification.revoked_by_id = actor.id
    verification.revoke_reason = reason
    from participation.budgets.operations import withdraw_ballots_of_revoked

    withdrawn = withdraw_ballots_of_revoked(verification.user)
    record_action(
        actor,
        "verification.revoke",
        verification.user,
        private_reason=reason,
        details={"area": verification.area.name_th, "ballots_withdrawn": withdrawn},
    )
    db.session.flush()


def find_residents(query, limit=20):
    """Accounts a registrar may mean: a desk code, an e-mail address, or part of a name."""
    from participation.accounts.models import User

    query = " ".join((query or "").split())
    if not query:
        return []
    user_id = user_id_from_desk_code(query)
    if user_id is not None:
        user = db.session.get(User, user_id)
        return [user] if user and not user.is_guest else []
    pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return db.session.scalars(
        sa.select(User)
        .where(
            User.is_guest.is_(False),
            sa.or_(User.email == query.lower(), User.display_name.ilike(pattern, escape="\\")),
        )
        .order_by(User.display_name, User.id)
        .limit(limit)
    ).all()


def _desk_check(user_id):
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"desk:{user_id}".encode(), hashlib.sha256).digest()
    return "".join(CODE_ALPHABET[b % len(CODE_ALPHABET)] for b in digest[:4])


def desk_code(user):
    """The code a resident shows a registrar (text and QR): their account, with a check so a
    typo finds nobody rather than someone else."""
    return f"R{user.id}-{_desk_check(user.id)}"


def user_id_from_desk_code(text):
    match = re.fullmatch(r"R(\d{1,12})-([A-Z0-9]{4})", text.strip().upper())
    if match and hmac.compare_digest(match.group(2), _desk_check(int(match.group(1)))):
        return int(match.group(1))
    return None


# --- Guessing lock-out ------------------------------------------------------------------------


def address_hash(address):
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"address:{address}".encode(), hashlib.sha256).hexdigest()[:32]


def seconds_locked(user, address):
    """Seconds before ``user`` (or anyone at ``address``) may guess again; 0 when they may now."""
    config = current_app.config
    window = timedelta(minutes=config["VERIFICATION_LOCKOUT_MINUTES"])
    now = utcnow()
    waits = []
    for column, value, allowed in (
        (VerificationAttempt.user_id, user.id, config["VERIFICATION_ATTEMPTS"]),
        (
            VerificationAttempt.address_hash,
            address_hash(address),
            config["VERIFICATION_ADDRESS_ATTEMPTS"],
        ),
    ):
        recent = db.session.scalars(
            sa.select(VerificationAttempt.created_dt)
            .where(column == value, VerificationAttempt.created_dt > now - window)
            .order_by(VerificationAttempt.created_dt.desc())
            .limit(allowed)
        ).all()
        if len(recent) >= allowed:
            waits.append((recent[-1] + window - now).total_seconds())
    return max(1, round(max(waits))) if waits else 0


def lockout_message(seconds):
    minutes = -(-seconds // 60)
    return ngettext(
        "Too many codes that did not work. For safety, please wait %(num)s minute and try "
        "again, or verify at the municipal office.",
        "Too many codes that did not work. For safety, please wait %(num)s minutes and try "
        "again, or verify at the municipal office.",
        minutes,
    )


def _check_not_locked(user, address):
    seconds = seconds_locked(user, address)
    if seconds:
        raise RuleError(lockout_message(seconds), "code")


class WrongGuessError(RuleError):
    """A code or list entry that did not verify: the caller rolls back, then counts it with
    :func:`count_wrong_guess` and commits (so the count survives the rollback)."""


def count_wrong_guess(user, address):
    """Count a wrong guess; guesses older than the lock-out time no longer count and go."""
    window = timedelta(minutes=current_app.config["VERIFICATION_LOCKOUT_MINUTES"])
    db.session.execute(
        sa.delete(VerificationAttempt).where(VerificationAttempt.created_dt < utcnow() - window)
    )
    db.session.add(
        VerificationAttempt(
            user_id=user.id, address_hash=address_hash(address), created_dt=utcnow()
        )
    )
    db.session.flush()


# --- Letters ----------------------------------------------------------------------------------


def normalise_code(text):
    """What a resident typed, as stored: capitals, without spaces or dashes."""
    return re.sub(r"[\s\-–]", "", (text or "").upper())


def format_code(code):
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def _code_hash(code):
    return hashlib.sha256(f"letter:{code}".encode()).hexdigest()


def create_letter_batch(area_id, count, days, actor):
    """Make ``count`` codes for a community, valid ``days`` days. Returns (batch, codes): the
    codes in plain text exist only in what this returns (print them now)."""
    if not can(actor, Permission.MANAGE_USERS):
        raise RuleError(_l("Only an administrator can make letter codes."))
    area = _area(area_id)
    if not count or not 1 <= count <= MAX_CODES_PER_BATCH:
        raise RuleError(
            _l("Make between 1 and %(max)s codes at once.", max=MAX_CODES_PER_BATCH), "count"
        )
    if not days or not 1 <= days <= MAX_LETTER_DAYS:
        raise RuleError(
            _l("Codes can be valid for 1 to %(max)s days.", max=MAX_LETTER_DAYS), "days"
        )
    now = utcnow()
    batch = LetterBatch(
        area_id=area.id,
        code_count=count,
        created_by_id=actor.id,
        created_dt=now,
        expires_dt=now + timedelta(days=days),
    )
    db.session.add(batch)
    db.session.flush()
    codes = set()
    while len(codes) < count:
        codes.add("".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)))
    codes = sorted(codes)
    db.session.execute(
        sa.insert(LetterCode), [{"batch_id": batch.id, "token_hash": _code_hash(c)} for c in codes]
    )
    record_action(
        actor,
        "verification.letters",
        batch,
        details={"area": area.name_th, "count": count, "days": days},
    )
    db.session.flush()
    return batch, [format_code(code) for code in codes]


def withdraw_batch(batch, actor):
    """Withdraw every unused code of a batch at once (a letter went astray, a wrong print)."""
    if not can(actor, Permission.MANAGE_USERS):
        raise RuleError(_l("Only an administrator can withdraw letter codes."))
    if batch.withdrawn_dt is not None:
        raise RuleError(_l("These codes were already withdrawn."))
    batch.withdrawn_dt = utcnow()
    record_action(actor, "verification.withdraw", batch, details={"area": batch.area.name_th})
    db.session.flush()


def redeem_code(user, text, address):
    """Verify ``user`` with a letter code. A code that does not exist counts as a guess
    (lock-out); a used, expired or withdrawn one is refused with its own explanation (it was
    printed by the municipality, not guessed)."""
    require_participant(user)
    _check_not_locked(user, address)
    code = normalise_code(text)
    row = None
    if len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET):
        row = db.session.scalars(
            sa.select(LetterCode).where(LetterCode.token_hash == _code_hash(code))
        ).first()
    if row is None:
        raise WrongGuessError(
            _l("This code is not right. Please check it against your letter."), "code"
        )
    batch = row.batch
    problem = None
    if batch.withdrawn_dt is not None:
        problem = _l("This code was withdrawn by the municipality. Please verify at the office.")
    elif row.used_dt is not None:
        problem = _l("This code was already used. Each code verifies one account.")
    elif batch.expires_dt <= utcnow():
        problem = _l("This code has expired. Please verify at the municipal office.")
    if problem:
        raise RuleError(problem, "code")
    # Single use even when two people send the same code at once: the UPDATE decides.
    taken = db.session.execute(
        sa.update(LetterCode)
        .where(LetterCode.id == row.id, LetterCode.used_dt.is_(None))
        .values(used_dt=utcnow())
    ).rowcount
    if not taken:
        raise RuleError(_l("This code was already used. Each code verifies one account."), "code")
    return _grant(user, batch.area, Method.LETTER)


# --- The resident list ------------------------------------------------------------------------


def list_match_enabled():
    return bool(current_app.config["VERIFICATION_LIST_MATCH"])


def valid_national_id(digits):
    """A Thai national ID: 13 digits, the last a check digit (mod 11)."""
    if not re.fullmatch(r"\d{13}", digits):
        return False
    total = sum(int(digits[i]) * (13 - i) for i in range(12))
    return (11 - total % 11) % 10 == int(digits[12])


def parse_birth_date(text):
    """A birth date as typed: 2530-05-17 or 17/05/2530 (Buddhist Era, as on the ID card) or the
    same in the Common Era. Returns a date or None."""
    text = (text or "").strip()
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if match:
        year, month, day = (int(part) for part in match.groups())
    else:
        match = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})", text)
        if not match:
            return None
        day, month, year = (int(part) for part in match.groups())
    if year > 2400:  # Buddhist Era
        year -= 543
    try:
        return date(year, month, day)
    except ValueError:
        return None


def canonical_entry(national_id, birth_date):
    """The exact text that is hashed (docs/verification.md): the 13 digits of the national ID
    without spaces or dashes, a vertical bar, and the birth date in the Common Era as
    YYYY-MM-DD. E.g. ``1101700203450|1987-05-17``."""
    return f"{national_id}|{birth_date.isoformat()}"


def entry_hash(national_id, birth_date, secret):
    """HMAC-SHA256 of :func:`canonical_entry` with ``secret`` (UTF-8), as 64 lowercase hex."""
    message = canonical_entry(national_id, birth_date).encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def match_list_entry(user, national_id, birth_text, address):
    """Verify ``user`` against the resident list. The typed values are hashed at once and
    forgotten: they are never stored, logged or put in an error message."""
    require_participant(user)
    if not list_match_enabled():
        raise RuleError(_l("Verification with the resident list is not offered here."))
    _check_not_locked(user, address)
    digits = re.sub(r"[\s\-]", "", national_id or "")
    birth_date = parse_birth_date(birth_text)
    if not valid_national_id(digits):
        raise RuleError(_l("Please check the 13 digits of the ID number."), "national_id")
    if birth_date is None:
        raise RuleError(_l("Please type the birth date like 17/05/2530."), "birth_date")
    token = entry_hash(digits, birth_date, current_app.config["VERIFICATION_LIST_SECRET"])
    del digits, birth_date, national_id, birth_text
    entry = db.session.scalars(
        sa.select(ResidentListEntry).where(ResidentListEntry.token_hash == token)
    ).first()
    if entry is None:
        raise WrongGuessError(
            _l(
                "These details are not in the municipality's resident list. "
                "Please check them, or verify at the municipal office."
            )
        )
    taken = db.session.execute(
        sa.update(ResidentListEntry)
        .where(ResidentListEntry.id == entry.id, ResidentListEntry.used_dt.is_(None))
        .values(used_dt=utcnow())
    ).rowcount
    if not taken:
        raise RuleError(
            _l(
                "These details have already verified another account. Each resident "
                "verifies one account only; please ask at the municipal office."
            )
        )
    return _grant(user, db.session.get(Area, entry.area_id), Method.LIST, list_entry=entry)


def import_list(text, actor):
    """Add the entries of a CSV (``hash,community``: 64 lowercase hex characters and the
    community's short name) to the resident list. All or nothing: a malformed line refuses
    the whole file with its line number. Returns (added, already present)."""
    if not can(actor, Permission.MANAGE_USERS):
        raise RuleError(_l("Only an administrator can upload the resident list."))
    areas = {area.slug: area.id for area in db.session.scalars(sa.select(Area))}
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    rows = []
    for number, row in enumerate(reader, start=1):
        if number == 1 and [cell.strip().lower() for cell in row] == ["hash", "community"]:
            continue
        if not row or not any(cell.strip() for cell in row):
            continue
        if len(row) != 2:
            raise RuleError(
                _l("Line %(line)s: expected two columns, the hash and the community.", line=number),
                "file",
            )
        token, slug = row[0].strip().lower(), row[1].strip()
        if not HASH_RE.fullmatch(token):
            raise RuleError(
                _l(
                    "Line %(line)s: the hash must be 64 hexadecimal characters (HMAC-SHA256).",
                    line=number,
                ),
                "file",
            )
        if slug not in areas:
            raise RuleError(
                _l("Line %(line)s: there is no community “%(name)s”.", line=number, name=slug[:60]),
                "file",
            )
        rows.append((token, areas[slug]))
    if not rows:
        raise RuleError(_l("The file holds no entries."), "file")
    present = set()
    tokens = sorted({token for token, _area in rows})
    for start in range(0, len(tokens), IMPORT_CHUNK):  # within every database's variable limit
        present.update(
            db.session.scalars(
                sa.select(ResidentListEntry.token_hash).where(
                    ResidentListEntry.token_hash.in_(tokens[start : start + IMPORT_CHUNK])
                )
            )
        )
    new = {token: area for token, area in rows if token not in present}
    if new:
        db.session.execute(
            sa.insert(ResidentListEntry),
            [
                {"token_hash": token, "area_id": area, "uploaded_dt": utcnow()}
                for token, area in new.items()
            ],
        )
    record_action(
        actor,
        "verification.list",
        None,
        details={"added": len(new), "present": len(rows) - len(new)},
    )
    db.session.flush()
    return len(new), len(rows) - len(new)


# --- Counts -----------------------------------------------------------------------------------


def verified_counts():
    """(community, number of residents verified now) for every community, in order."""
    now = utcnow()
    counted = (
        sa.select(Verification.area_id, sa.func.count(sa.distinct(Verification.user_id)).label("n"))
        .where(Verification.revoked_dt.is_(None), Verification.expires_dt > now)
        .group_by(Verification.area_id)
        .subquery()
    )
    return db.session.execute(
        sa.select(Area, sa.func.coalesce(counted.c.n, 0))
        .outerjoin(counted, counted.c.area_id == Area.id)
        .order_by(Area.position, Area.id)
    ).all()


def set_show_community(user, show):
    verification = current_verification(user)
    if verification is None:
        raise RuleError(_l("You are not verified."))
    verification.show_community = bool(show)
    db.session.flush()

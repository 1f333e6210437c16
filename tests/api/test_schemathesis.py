"""Schemathesis against the live app: generated requests, with a read-write token, find no
server error and no answer that breaks the OpenAPI document.

The server is the real gunicorn on the test database, seeded with the demo municipality. Path
parameters are drawn both from the schema and from the seeded data (schemathesis_hooks.py), so
the requests reach the operations, not only their 404s. The number of examples per operation
is bounded to keep the run near a minute on two cores; RUAMKID_ST_EXAMPLES and RUAMKID_ST_SEED
change it.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from participation.config import ROOT_DIR

CHECKS = ",".join([
    "not_a_server_error", "status_code_conformance", "content_type_conformance",
    "response_schema_conformance", "response_headers_conformance", "negative_data_rejection",
    "unsupported_method",
])  # fmt: skip


def _seed_with_a_token(app):
    """The demo data, tokens of someone else first (so low token ids are not ours), and a
    read-write token of a resident for the run; returns the token and the known parameters."""
    from participation.accounts.models import User
    from participation.accounts.operations import create_access_token, find_user_by_email
    from participation.api.views import _document
    from participation.demo.seed import seed
    from participation.extensions import db
    from tests.api.known import known_parameters

    with app.app_context():
        seed()
        db.session.commit()
        other = find_user_by_email("malee@ruamkid.test")
        for number in range(30):
            create_access_token(other, f"decoy {number}")
        resident = db.session.get(User, find_user_by_email("somchai@ruamkid.test").id)
        _row, token = create_access_token(resident, "schemathesis", write=True)
        db.session.commit()
    with app.test_request_context("/api/v1/openapi.json", headers={"Accept-Language": "en"}):
        known = known_parameters(_document())
    with app.app_context():
        db.session.remove()
    return token, known


@pytest.mark.slow
def test_schemathesis_finds_no_server_error_and_no_answer_outside_the_document(
    app, live_server, tmp_path
):
    token, known = _seed_with_a_token(app)
    known_file = tmp_path / "known.json"
    known_file.write_text(json.dumps(known))
    server = live_server()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT_DIR),
        "SCHEMATHESIS_HOOKS": "tests.api.schemathesis_hooks",
        "RUAMKID_ST_KNOWN": str(known_file),
    }
    command = [
        str(Path(sys.executable).parent / "schemathesis"), "--no-color", "run",
        f"{server.url}/api/v1/openapi.json",
        "--header", f"Authorization: Bearer {token}",
        "--header", "Accept-Language: th",
        "--checks", CHECKS,
        "--max-examples", os.environ.get("RUAMKID_ST_EXAMPLES", "40"),
        "--seed", os.environ.get("RUAMKID_ST_SEED", "20261121"),
        "--phases", "examples,coverage,fuzzing",
        "--workers", "1",
        "--request-timeout", "30",
        "--suppress-health-check", "all",
    ]  # fmt: skip
    result = subprocess.run(  # noqa: S603 - our own command line
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-20_000:]
    selected, total = map(int, re.search(r"Selected: (\d+)/(\d+)", output).groups())
    tested = int(re.search(r"Tested: (\d+)", output).group(1))
    assert selected == tested == total >= 30, output[-3000:]
    assert server.errors() == [], server.log.read_text()[-5000:]

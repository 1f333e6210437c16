"""Configuration from the environment, and clear failures when it is wrong."""

import os
import stat

import pytest

from participation.config import Config, ConfigError


@pytest.fixture
def env(monkeypatch, tmp_path):
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "RUAMKID_ENV", "MAIL_BACKEND"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RUAMKID_INSTANCE_DIR", str(tmp_path / "instance"))
    return monkeypatch


def test_default_is_embedded_sqlite_in_the_instance_folder(env, tmp_path):
    config = Config()
    assert config.SQLALCHEMY_DATABASE_URI == f"sqlite:///{tmp_path}/instance/ruamkid.sqlite3"
    assert config.REDIS_URL is None
    assert config.RATELIMIT_STORAGE_URI == "memory://"


def test_database_url_switches_to_postgresql(env):
    env.setenv("DATABASE_URL", "postgres://ruamkid:secret@db.local/ruamkid")
    assert Config().SQLALCHEMY_DATABASE_URI == (
        "postgresql+psycopg://ruamkid:secret@db.local/ruamkid"
    )


def test_redis_url_feeds_rate_limits(env):
    env.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    assert Config().RATELIMIT_STORAGE_URI == "redis://127.0.0.1:6379/0"


def test_secret_key_is_generated_once_and_kept_private(env, tmp_path):
    first = Config().SECRET_KEY
    second = Config().SECRET_KEY

    assert first == second
    assert len(first) >= 32
    mode = os.stat(tmp_path / "instance" / "secret_key").st_mode
    assert stat.S_IMODE(mode) == 0o600


def test_secret_key_from_the_environment_wins(env):
    env.setenv("SECRET_KEY", "x" * 40)
    assert Config().SECRET_KEY == "x" * 40


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("DATABASE_URL", "mysql://root@localhost/x", "DATABASE_URL"),
        ("REDIS_URL", "http://localhost:6379", "REDIS_URL"),
        ("SECRET_KEY", "short", "32 characters"),
        ("RUAMKID_ENV", "staging", "RUAMKID_ENV"),
        ("SESSION_IDLE_MINUTES", "soon", "whole number"),
        ("SESSION_COOKIE_SECURE", "maybe", "true or false"),
        ("MAIL_BACKEND", "pigeon", "MAIL_BACKEND"),
    ],
)
def test_misconfiguration_fails_at_start_with_a_clear_message(env, name, value, words):
    env.setenv(name, value)
    with pytest.raises(ConfigError, match=words):
        Config()


def test_production_needs_an_explicit_secret_key(env):
    env.setenv("RUAMKID_ENV", "production")
    with pytest.raises(ConfigError, match="SECRET_KEY must be set"):
        Config()


def test_production_needs_the_public_address(env):
    env.setenv("RUAMKID_ENV", "production")
    env.setenv("SECRET_KEY", "y" * 48)
    env.setenv("MAIL_SERVER", "smtp.example.org")
    with pytest.raises(ConfigError, match="PUBLIC_URL"):
        Config()
    env.setenv("PUBLIC_URL", "ruamkid.example.org")
    with pytest.raises(ConfigError, match="PUBLIC_URL"):
        Config()


def test_production_uses_secure_cookies(env):
    env.setenv("RUAMKID_ENV", "production")
    env.setenv("SECRET_KEY", "y" * 48)
    env.setenv("MAIL_SERVER", "smtp.example.org")
    env.setenv("PUBLIC_URL", "https://ruamkid.example.org")
    config = Config()
    assert config.SESSION_COOKIE_SECURE is True
    assert config.REMEMBER_COOKIE_SECURE is True
    assert config.PREFERRED_URL_SCHEME == "https"


def test_the_app_refuses_to_start_with_a_bad_setting(env):
    from participation import create_app

    env.setenv("DATABASE_URL", "oracle://nope")
    with pytest.raises(ConfigError):
        create_app()


def test_behind_a_proxy_the_public_scheme_and_host_are_used(config, make_app):
    config.PROXY_COUNT = 1
    app = make_app(config)

    @app.route("/where")
    def where():
        from flask import request, url_for

        return f"{request.scheme} {request.host} {url_for('home.index', _external=True)}"

    response = app.test_client().get(
        "/where", headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "ruamkid.example.th"}
    )
    assert response.get_data(as_text=True) == "https ruamkid.example.th https://ruamkid.example.th/"


def test_requests_for_other_hosts_are_refused_when_the_public_address_is_set(config, make_app):
    config.PUBLIC_URL = "https://ruamkid.example.org"
    config.TRUSTED_HOSTS = ["ruamkid.example.org"]
    client = make_app(config).test_client()

    assert client.get("/", headers={"Host": "ruamkid.example.org"}).status_code == 200
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400


def _settings_the_code_reads():
    """Every environment variable read anywhere in the application's code."""
    import re

    from participation.config import ROOT_DIR

    reads = re.compile(
        r"""(?:\benv|_env_int|_env_bool|os\.environ\.get|getenv)\(\s*["']([A-Z][A-Z0-9_]+)["']"""
        r"""|os\.environ\[\s*["']([A-Z][A-Z0-9_]+)["']\s*\]"""
    )
    names = set()
    for path in (ROOT_DIR / "participation").rglob("*.py"):
        for match in reads.finditer(path.read_text(encoding="utf-8")):
            names.add(match.group(1) or match.group(2))
    return names


def _settings_in_the_readme():
    """The variable names in the first column of the README's configuration table."""
    import re

    from participation.config import ROOT_DIR

    readme = (ROOT_DIR / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    names = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            first_column = line.split("|")[1]
            names.update(re.findall(r"`([A-Z][A-Z0-9_]+)`", first_column))
    return names


def test_the_readme_table_lists_every_setting_the_code_reads_and_no_other():
    read = _settings_the_code_reads()
    documented = _settings_in_the_readme()

    assert {"FORM_MIN_SECONDS", "DATABASE_URL", "IDLE_CONNECTION_SECONDS"} <= read  # the scan works
    assert sorted(read - documented) == [], "settings missing from README.md's table"
    assert sorted(documented - read) == [], "README.md documents settings nothing reads"

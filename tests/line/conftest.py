"""A fake LINE on loopback, and the app configured to use it."""

import pytest

from tests.line import fake_line


@pytest.fixture
def line():
    fake, stop = fake_line.start()
    yield fake
    stop()


def configure_line(config, fake):
    config.LINE_LOGIN_CHANNEL_ID = fake.channel_id
    config.LINE_LOGIN_CHANNEL_SECRET = fake.login_secret
    config.LINE_CHANNEL_SECRET = fake.channel_secret
    config.LINE_CHANNEL_ACCESS_TOKEN = fake.access_token
    config.LINE_API_URL = fake.url
    config.LINE_ACCESS_URL = fake.url
    config.LINE_MONTHLY_QUOTA = 15000  # a paid plan: the quota tests set their own
    config.PUBLIC_URL = "https://ruamkid.example.go.th"
    config.TRUSTED_HOSTS = ["ruamkid.example.go.th", "localhost"]
    return config


@pytest.fixture
def config(config, line):
    return configure_line(config, line)

"""Headless Chromium (Debian's chromium and chromium-driver) driven by Selenium."""

import shutil
import tempfile

import pytest


def _start(width=390, height=900, language="th", scale=1):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="ruamkid-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in (
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
        f"--user-data-dir={profile}", f"--window-size={width},{height}", f"--lang={language}",
    ):  # fmt: skip
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"intl.accept_languages": language})
    driver = webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver")))
    # Chromium keeps windows at least 500 px wide: a phone's width needs device emulation.
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": scale, "mobile": width < 768,
    })  # fmt: skip
    driver.implicitly_wait(0)
    driver.profile_dir = profile
    return driver


def _stop(driver):
    driver.quit()
    shutil.rmtree(driver.profile_dir, ignore_errors=True)


@pytest.fixture
def browser():
    driver = _start()
    yield driver
    _stop(driver)


@pytest.fixture
def browsers():
    """Open several independent browsers (separate profiles: separate people)."""
    opened = []

    def open_one(**kwargs):
        driver = _start(**kwargs)
        opened.append(driver)
        return driver

    yield open_one
    for driver in opened:
        _stop(driver)


@pytest.fixture
def say(app):
    """``say(language)`` returns that language's text for English messages (with variables),
    so one test reads the same in Thai and in English."""
    from flask_babel import force_locale, gettext

    def in_language(language):
        def translate(message, **variables):
            with app.test_request_context(), force_locale(language):
                return gettext(message, **variables)

        return translate

    return in_language

"""`make screenshots`: the main pages in Thai, at phone and desktop widths, as PNG files.

The demo municipality is seeded into a throw-away SQLite database and served by the live
server set-up (gunicorn with a gevent-websocket worker), so the town hall pages are live.
Each page is captured whole (not only the first screen). Usage:

    python -m tests.browser.screenshots [OUTPUT_DIR]     (default: screenshots/)
"""

import base64
import sys
import tempfile
import time
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec

from participation import create_app
from participation.config import TestConfig
from tests.browser import demo_site
from tests.browser.conftest import _start, _stop
from tests.browser.pages import Page
from tests.live import SocketServer

SIZES = {"phone": (390, 844, 2), "desktop": (1366, 900, 1)}  # CSS pixels, device pixel ratio
# The pages people see most, and the ones each role works from.
PAGES = ["home", "process", "process-remake", "proposals", "proposal", "new-proposal",
         "townhall", "townhall-facilitator", "projector", "summary", "opinions",
         "login", "register", "moderation", "admin-users"]  # fmt: skip


def _database(folder):
    from flask_migrate import upgrade

    url = f"sqlite:///{folder / 'demo.sqlite3'}"
    app = create_app(TestConfig(database_url=url))
    with app.app_context():
        upgrade()
    pages = demo_site.seed(app)
    pages["process-remake"] = (f"/processes/{demo_site.SCHOOL}", None)
    return url, pages


def _capture(driver, path):
    """Save the whole page, however tall, as a PNG."""
    driver.execute_async_script("document.fonts.ready.then(() => arguments[0]());")
    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1},
    })  # fmt: skip
    path.write_bytes(base64.b64decode(shot["data"]))


def _shoot(server, pages, size_name, out_dir):
    width, height, scale = SIZES[size_name]
    driver = _start(width=width, height=height, language="th", scale=scale)
    try:
        page = Page(driver, server.url)
        signed_in = object()
        for name in sorted(PAGES, key=lambda name: str(pages[name][1])):
            path, person = pages[name]
            if person != signed_in:
                if person is None:
                    driver.delete_all_cookies()
                else:
                    page.sign_in(person)
                signed_in = person
            page.open(path)
            page.wait.until(ec.presence_of_element_located((By.TAG_NAME, "h1")))
            if driver.find_elements(By.CSS_SELECTOR, "[data-connection]"):
                page.wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "[data-connection]")
                                .get_attribute("data-state") == "live")  # fmt: skip
            if driver.find_elements(By.CSS_SELECTOR, "figure.chart"):
                time.sleep(1.5)  # the charts' opening animation
            target = out_dir / f"{name}-{size_name}.png"
            _capture(driver, target)
            print(target)
    finally:
        _stop(driver)


def main(out_dir):
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ruamkid-screenshots-") as folder:
        folder = Path(folder)
        url, pages = _database(folder)
        server = SocketServer(url, folder)
        try:
            for size_name in SIZES:
                _shoot(server, pages, size_name, out_dir)
        finally:
            server.stop()
        if errors := server.errors():
            sys.exit("The server failed:\n" + "\n".join(errors))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "screenshots")

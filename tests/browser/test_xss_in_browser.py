"""In a real browser, none of the XSS corpus runs: not in server-rendered pages, not in what the
live town hall page builds from socket events. The browser is watched from before any page
script (DevTools): calls to alert/confirm/prompt, writes to window.__xss, CSP violations, and
any element that ended up with an event-handler attribute."""

import uuid

import pytest
import socketio
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec

from tests.browser.pages import Page
from tests.security.payloads import PAYLOADS

pytestmark = pytest.mark.slow
NS = "/townhall"

WATCH = """
window.__ran = [];
const note = (what) => window.__ran.push(String(what).slice(0, 120));
window.alert = (m) => note('alert ' + m);
window.confirm = (m) => note('confirm ' + m);
window.prompt = (m) => note('prompt ' + m);
Object.defineProperty(window, '__xss', {set: (v) => note('__xss ' + v), get: () => undefined});
document.addEventListener('securitypolicyviolation',
  (e) => note('csp ' + e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sample));
"""
HANDLERS = """
const found = [];
for (const el of document.querySelectorAll('*')) {
  for (const attr of el.attributes) {
    const value = attr.value.replace(/[\\x00-\\x20]/g, '').toLowerCase();
    if (attr.name.startsWith('on') || (/^(href|src|action|formaction|xlink:href)$/.test(attr.name)
        && /^(javascript|vbscript|data):/.test(value))) {
      found.push(el.tagName + ' ' + attr.name + '=' + attr.value.slice(0, 60));
    }
  }
}
return found.concat(window.__ran);
"""


def _watched(browser):
    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": WATCH})
    return browser


def _ran(page):
    # Hovering and focusing everything gives handlers a chance, had any slipped through.
    page.driver.execute_script(
        "for (const el of document.querySelectorAll('body *')) {"
        " el.dispatchEvent(new MouseEvent('mouseover', {bubbles: true}));"
        " el.dispatchEvent(new FocusEvent('focus')); }"
    )
    return page.driver.execute_script(HANDLERS)


def test_no_payload_runs_in_pages_or_in_the_live_town_hall(
    app, browsers, socket_server, resident, create_user, create_process, create_contribution,
    create_townhall, token_for, thai,
):  # fmt: skip
    app.config["NEW_ACCOUNT_DAYS"] = 0
    process = create_process("reimagine")
    body = "\n\n".join(PAYLOADS)[:10_000]
    item_id = create_contribution(process, resident, title="ข้อเสนอทดสอบความปลอดภัย", body=body)
    townhall = create_townhall()
    server = socket_server(extra_env={"NEW_ACCOUNT_DAYS": "0"})

    talker = socketio.Client(reconnection=False)
    talker.connect(server.url, namespaces=[NS], transports=["websocket"],
                   auth={"token": token_for(resident)}, wait_timeout=10)  # fmt: skip
    host = socketio.Client(reconnection=False)
    host.connect(server.url, namespaces=[NS], transports=["websocket"],
                 auth={"token": token_for(townhall.facilitator)}, wait_timeout=10)  # fmt: skip
    asked = 0
    try:
        for client in (talker, host):
            assert client.call("join", {"townhall": townhall.slug}, namespace=NS)["ok"]
        for payload in PAYLOADS[:60]:
            for event in ("ask", "post"):
                answer = talker.call(
                    event,
                    {
                        "townhall": townhall.slug,
                        "body": payload[:280],
                        "client_id": str(uuid.uuid4()),
                    },
                    namespace=NS,
                )
                asked += event == "ask" and answer["ok"]
        poll = host.call("open_poll", {"townhall": townhall.slug, "question": PAYLOADS[1],
                                       "options": PAYLOADS[3:7]}, namespace=NS)  # fmt: skip
        assert poll["ok"], poll
        for payload in PAYLOADS[60:120]:
            talker.call("post", {"townhall": townhall.slug, "body": payload[:280],
                                 "client_id": str(uuid.uuid4())}, namespace=NS)  # fmt: skip
    finally:
        talker.disconnect()
        host.disconnect()
    assert asked > 0

    page = Page(_watched(browsers()), server.url)
    problems = {}
    pages = (f"/processes/{process.slug}/proposals/{item_id}",
             f"/processes/{process.slug}/proposals", f"/townhalls/{townhall.slug}")  # fmt: skip
    for path in pages:
        page.open(path)
        page.wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "footer")))
        if path.startswith("/townhalls/"):
            page.wait.until(lambda driver: len(driver.find_elements(
                By.CSS_SELECTOR, "[data-list] li")) >= asked)  # fmt: skip
        if found := _ran(page):
            problems[path] = found
    page.sign_in(resident)
    page.open(f"/processes/{process.slug}/proposals/{item_id}")
    if found := _ran(page):
        problems["signed in"] = found

    assert problems == {}
    assert server.errors() == []

"""Event fixtures: cases moved through the engine's services, department tokens, and a real HTTP subscriber
(a threaded server on a loopback port) that records what it receives and checks every signature."""

import http.server
import json
import os
import threading
import uuid

import pytest

from onevisit.accounts.models import ApiToken
from onevisit.events.signing import SIGNATURE_HEADER, verify
from tests.cases.conftest import api, item, make_item, online_payload, staff  # noqa: F401

SECRET = "subscriber-secret-0123456789"


@pytest.fixture
def tokens(personas, staff):  # noqa: F811
    def issue(user):
        return {"Authorization": f"Bearer {ApiToken.issue(user=user, name='部门业务系统')[1]}"}

    return {"market": issue(personas["reviewer"]), "tax": issue(personas["other_reviewer"]),
            "supervisor": issue(personas["supervisor"]), "re": issue(staff["re_reviewer"])}


@pytest.fixture
def two_departments(personas, departments, region_tree, item):  # noqa: F811
    """An item of the market department (the fixture `item`) and one of real estate."""
    re_item = make_item(personas["catalog_admin"], departments, region_tree, "331100-RE-0009", dept="realestate",
                        domain="real_estate")
    return {"market": item, "realestate": re_item}


def submit(citizen, code):
    from onevisit.cases.services import case_submit

    p = online_payload(citizen, item_code=code)
    case, _created = case_submit(actor=citizen, item_code=p["item_code"], applicant=p["applicant"],
                                 channel="online", form=p["form"], materials=p["materials"])
    return case


class Subscriber:
    """A department system's endpoint: answers `status` (200 by default), records every request."""

    def __init__(self, secret=SECRET, port=0):
        self.secret = secret
        self.received: list[dict] = []
        self.bad_signatures = 0
        self.status = 200
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with outer.lock:
                    ok = verify(outer.secret, body, self.headers.get(SIGNATURE_HEADER, ""))
                    status = outer.status
                    if not ok:
                        outer.bad_signatures += 1
                    elif 200 <= status < 300:
                        data = json.loads(body)
                        for e in data if isinstance(data, list) else [data]:
                            outer.received.append(e)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/onevisit"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def positions(self):
        return [e["position"] for e in self.received]


@pytest.fixture
def subscriber():
    s = Subscriber()
    yield s
    s.stop()


@pytest.fixture
def amqp_url(settings):
    """A real RabbitMQ (ONEVISIT_TEST_AMQP_URL, e.g. a vhost of its own) and an exchange for this test only."""
    url = os.environ.get("ONEVISIT_TEST_AMQP_URL")
    if not url:
        pytest.skip("ONEVISIT_TEST_AMQP_URL is not set: the broker tests need a real RabbitMQ (.ci/run sets it)")
    settings.ONEVISIT_AMQP_URL = url
    settings.ONEVISIT_EVENTS_EXCHANGE = f"test.onevisit.events.{uuid.uuid4().hex[:8]}"
    yield url
    from onevisit.events.amqp import connect

    conn, channel = connect(url)
    channel.exchange_delete(settings.ONEVISIT_EVENTS_EXCHANGE)
    conn.close()

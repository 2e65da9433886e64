"""Reads from a real streaming replica (made by pg_basebackup: `.ci/replica start`, DATABASE_REPLICA_URL):
the public pages and dashboards read it; the worklists, the API and a browser that has just written read the
primary. Replay is paused on the replica to make the difference visible."""

import os
import time

import dj_database_url
import pytest
from django.db import connections

from onevisit.cases.models import Case
from onevisit.catalog.models import ServiceItem
from onevisit.scale.replica import PIN_COOKIE
from tests.cases.conftest import make_item, online_payload

REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
pytestmark = [
    pytest.mark.skipif(not REPLICA_URL, reason="DATABASE_REPLICA_URL is not set (.ci/replica start makes one)"),
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
]


@pytest.fixture
def replica():
    """The 'replica' alias pointed at the real standby, on the test database the primary streams to it."""
    conn = connections["replica"]
    mirrored = conn.settings_dict
    target = dj_database_url.parse(REPLICA_URL)
    conn.close()
    conn.settings_dict = {**connections["default"].settings_dict, "HOST": target["HOST"], "PORT": target["PORT"]}
    yield conn
    with conn.cursor() as cur:
        cur.execute("SELECT pg_wal_replay_resume()")
    conn.close()
    conn.settings_dict = mirrored


def caught_up(conn, *, timeout=30.0) -> bool:
    """Wait until the replica has replayed everything the primary has written so far."""
    with connections["default"].cursor() as cur:
        cur.execute("SELECT pg_current_wal_lsn()")
        target = cur.fetchone()[0]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with conn.cursor() as cur:
            cur.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            if cur.fetchone()[0]:
                return True
        time.sleep(0.1)
    return False


def test_public_pages_read_the_replica_and_worklists_and_writers_the_primary(client, replica, personas, departments,
                                                                             region_tree):
    with replica.cursor() as cur:
        cur.execute("SELECT pg_is_in_recovery()")
        assert cur.fetchone()[0] is True  # a real standby
    admin = personas["catalog_admin"]
    make_item(admin, departments, region_tree, "331100-MKT-0001", name="早已发布的事项")
    assert caught_up(replica)
    with replica.cursor() as cur:
        cur.execute("SELECT pg_wal_replay_pause()")
    make_item(admin, departments, region_tree, "331100-MKT-0002", name="刚刚发布的事项")
    assert ServiceItem.objects.filter(implementation_code="331100-MKT-0002").exists()  # on the primary

    page = client.get("/guide/").content.decode()
    assert "早已发布的事项" in page and "刚刚发布的事项" not in page  # the replica, paused behind

    # The API and the worklists read the primary: a case submitted now is there at once.
    citizen = personas["citizen"]
    client.force_login(citizen)
    import json

    r = client.post("/api/v1/cases", json.dumps(online_payload(citizen, item_code="331100-MKT-0002")),
                    content_type="application/json")
    assert r.status_code == 201, r.content
    case_id = r.json()["id"]
    assert client.get(f"/api/v1/cases/{case_id}").status_code == 200
    assert PIN_COOKIE in r.cookies  # the browser that wrote…
    page = client.get("/guide/").content.decode()
    assert "刚刚发布的事项" in page  # …reads its own writes from the primary for a while
    client.cookies.pop(PIN_COOKIE)
    assert "刚刚发布的事项" not in client.get("/guide/").content.decode()
    client.force_login(personas["reviewer"])
    clerk_view = client.get("/api/v1/worklists/clerk")
    assert clerk_view.status_code in (200, 403)
    assert Case.objects.filter(pk=case_id).exists()

    with replica.cursor() as cur:
        cur.execute("SELECT pg_wal_replay_resume()")
    assert caught_up(replica)
    client.cookies.pop(PIN_COOKIE, None)
    assert "刚刚发布的事项" in client.get("/guide/").content.decode()

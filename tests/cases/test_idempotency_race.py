"""Racing submissions with one idempotency key create one case (threads, real transactions)."""

import threading

import pytest
from django.db import connection
from django.test import Client

from onevisit.cases.models import Case, IdempotencyKey

from .conftest import online_payload

THREADS = 6


@pytest.mark.django_db(transaction=True)
def test_racing_submissions_with_one_key_create_one_case(personas, item):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite's in-memory test database is shared between threads through its shared cache, "
                    "where a writer gets 'table is locked' at once instead of waiting; the race is proven on PostgreSQL")
    import json

    citizen = personas["citizen"]
    body = json.dumps(online_payload(citizen))
    barrier = threading.Barrier(THREADS)
    results: list = []

    def post():
        from django.db import connections

        client = Client()
        client.force_login(citizen)
        barrier.wait()
        try:
            response = client.post("/api/v1/cases", body, content_type="application/json",
                                   headers={"Idempotency-Key": "race-1"})
            results.append((response.status_code, response.json().get("id")))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == THREADS
    assert {code for code, _ in results} <= {200, 201}
    assert [code for code, _ in results].count(201) == 1
    assert len({case_id for _, case_id in results}) == 1
    assert Case.objects.count() == 1 and IdempotencyKey.objects.count() == 1

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.test import override_settings

from onevisit.datahub.models import AccessRecord
from onevisit.datahub.services import datahub_read, permission_grant
from onevisit.errors import DomainError


class _DeathRegister(BaseHTTPRequestHandler):
    records: dict = {}

    def do_GET(self):  # noqa: N802
        if self.headers.get("Authorization") != "Bearer secret":
            self.send_response(401)
            self.end_headers()
            return
        ident = self.path.rsplit("/", 1)[-1]
        if ident not in self.records:
            self.send_response(404)
            self.end_headers()
            return
        body = json.dumps({"data": self.records[ident], "updated_at": "2024-03-02T08:00:00+08:00"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def remote_register():
    server = HTTPServer(("127.0.0.1", 0), _DeathRegister)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/death/"
    server.shutdown()
    server.server_close()


def test_a_resource_served_by_another_system_over_http(hub, personas, departments, remote_register):
    dead = hub["stranger_id"]
    _DeathRegister.records = {dead: {"id_number": dead, "name": "王五", "death_date": "2024-03-01"}}
    permission_grant(actor=hub["chief"], department=departments["market"], resource=hub["resources"]["death"],
                     fields=["death_date"])
    config = {"death": {"class": "onevisit.datahub.providers.HttpProvider", "base_url": remote_register,
                        "token": "secret"}}
    kwargs = {"actor": personas["reviewer"], "department": departments["market"], "resource": "death",
              "purpose_case_number": "C-3"}
    with override_settings(DATAHUB_PROVIDERS=config):
        found = datahub_read(identifier=dead, **kwargs)
        assert found.data == {"death_date": "2024-03-01"} and remote_register in found.source
        assert not datahub_read(identifier=hub["citizen"].id_number, **kwargs).found
    with override_settings(DATAHUB_PROVIDERS={"death": {**config["death"], "token": "wrong"}}):
        with pytest.raises(DomainError, match="数据源暂不可用"):
            datahub_read(identifier=dead, **kwargs)
    # back on the local table, which holds nothing for this person
    assert not datahub_read(identifier=dead, **kwargs).found
    assert list(AccessRecord.objects.order_by("id").values_list("granted", "found")) == [
        (True, True), (True, False), (False, False), (True, False)]

"""Serials never repeat (a rolled-back issue may leave a gap); verification reads the licence in one statement."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from onevisit.licences.services import licence_for_verify, licence_issue, licence_renew, licence_verify


def _issue(lic, hub):
    return licence_issue(actor=lic["approver"], licence_type=lic["elder_card"], holder=hub["citizen"].id_number,
                         data={"name": "张三", "birth_date": "1980-01-01"})


def test_serials_rise_and_a_rolled_back_issue_is_never_reused(lic, hub):
    first = _issue(lic, hub)
    with pytest.raises(RuntimeError), transaction.atomic():
        lost = _issue(lic, hub)
        raise RuntimeError("the surrounding decision failed")
    after = _issue(lic, hub)
    assert first.serial == 1 and after.serial > first.serial and after.serial >= lost.serial
    assert licence_verify(identifier=after.identifier).verdict == "valid"
    other_type = licence_issue(actor=lic["approver"], licence_type=lic["business"], holder=lic["market"].credit_code,
                               data={"name": "丽水市某公司", "legal_representative": "王五"})
    assert other_type.serial == 1  # each type counts on its own


def test_verification_reads_licence_type_issuer_key_and_predecessor_in_one_statement(lic, hub):
    old = _issue(lic, hub)
    new = licence_renew(actor=lic["approver"], licence=old)
    with CaptureQueriesContext(connection) as queries:
        loaded = licence_for_verify(new.identifier)
        verdict = licence_verify(identifier=new.identifier).verdict
    assert len(queries.captured_queries) == 2 and verdict == "valid"
    assert loaded.predecessor.identifier == old.identifier and loaded.licence_type.code == "LNK"
    assert loaded.issuer == lic["market"] and loaded.signing_key == new.signing_key
    assert loaded.issued_at == new.issued_at and loaded.data == new.data
    assert licence_for_verify("1.2.156.3005.2.LNK.nope") is None

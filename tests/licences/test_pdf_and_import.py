"""E-licence PDF (text, names, QR to the verification page) and import of existing licences."""

import shutil
import subprocess

import pytest
from django.core.management import CommandError, call_command

from onevisit.licences.models import Licence
from onevisit.licences.rendering import verify_url
from onevisit.licences.services import licence_issue, licence_verify
from tests.datahub.conftest import valid_id_number


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) not installed")
def test_pdf_carries_identifier_names_and_is_served_to_the_holder_only(client, lic, hub, tmp_path):
    licence = licence_issue(actor=lic["approver"], licence_type=lic["elder_card"], holder=hub["citizen"].id_number,
                            data={"name": "张三", "birth_date": "1980-01-01"})
    client.force_login(hub["other"])
    assert client.get(f"/api/v1/licences/{licence.identifier}/pdf").status_code == 403
    client.force_login(hub["citizen"])
    response = client.get(f"/api/v1/licences/{licence.identifier}/pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "licence.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    flat = "".join(text.split())
    assert licence.identifier in flat and "张三" in flat and "丽水市市场监督管理局" in flat and "老年人优待证" in text
    assert verify_url(licence).endswith(f"/licences/verify/{licence.identifier}/")


def _csv(tmp_path, rows):
    path = tmp_path / "licences.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_import_signs_every_licence(lic, tmp_path):
    a, b = valid_id_number("33250219450101111"), valid_id_number("33250219460202222")
    path = _csv(tmp_path, ["持证主体代码,姓名,出生日期,签发日期,有效期至",
                           f"{a},钱一,1945-01-01,2024-03-01,2027-03-01", f"{b},孙二,1946-02-02,2024-05-01,"])
    call_command("import_licences", "LNK", str(path), actor="market_system", verbosity=0)
    imported = Licence.objects.filter(licence_type=lic["elder_card"]).order_by("serial")
    assert [x.holder for x in imported] == [a, b]
    assert str(imported[0].valid_until) == "2027-03-01" and str(imported[1].valid_until) == "2025-05-01"
    assert licence_verify(identifier=imported[0].identifier).verdict == "valid"
    assert licence_verify(identifier=imported[1].identifier).verdict == "expired"  # a year's validity, long past


def test_import_is_all_or_nothing_and_lists_every_error(lic, tmp_path, capsys):
    a = valid_id_number("33250219450101111")
    path = _csv(tmp_path, ["持证主体代码,姓名,出生日期", f"{a},钱一,1945-01-01", "123,孙二,1946-02-02",
                           f"{a[:-1]}X,,not-a-date"])
    with pytest.raises(CommandError) as exc:
        call_command("import_licences", "LNK", str(path), actor="market_system", verbosity=0)
    err = capsys.readouterr().err
    assert "3 处错误" in str(exc.value) or "处错误" in str(exc.value)
    assert "第3行" in err and "第4行" in err
    assert not Licence.objects.exists()


def test_import_by_someone_outside_the_issuer_is_refused(lic, hub, tmp_path):
    path = _csv(tmp_path, ["持证主体代码,姓名,出生日期", f"{valid_id_number('33250219450101111')},钱一,1945-01-01"])
    with pytest.raises(CommandError):
        call_command("import_licences", "LNK", str(path), actor="police_system", verbosity=0)
    assert not Licence.objects.exists()

"""电子档案: an archived case becomes a signed package; verify_archive names what changed or is missing."""

import io
import json
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from onevisit.archive.models import ArchivePackage, RetentionOverride
from tests.datahub.conftest import hub  # noqa: F401 - shared fixtures
from tests.licences.conftest import lic  # noqa: F401
from tests.rules.conftest import elder  # noqa: F401
from tests.rules.test_autoapprove import submit

# 秒批 and the archive package run after the submission commits (the engine's seam): real commits here.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def archived(client, elder, personas):  # noqa: F811
    body = submit(client, elder["person"]).json()
    client.force_login(personas["reviewer"])
    response = client.post(f"/api/v1/cases/{body['id']}/archive", "{}", content_type="application/json")
    assert response.status_code == 200, response.content
    return ArchivePackage.objects.get(case__number=body["number"])


def _rewrite(package, change):
    with default_storage.open(package.path, "rb") as fh:
        files = {i.filename: zipfile.ZipFile(fh).read(i.filename) for i in zipfile.ZipFile(fh).infolist()}
    change(files)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    default_storage.delete(package.path)
    default_storage.save(package.path, ContentFile(buf.getvalue()))


def test_package_holds_form_proofs_decision_licence_and_history(archived, capsys):
    with default_storage.open(archived.path, "rb") as fh:
        names = set(zipfile.ZipFile(fh).namelist())
    assert {"case.json", "form.json", "decisions.json", "history.json", "fetched/id_card.json",
            "manifest.json", "manifest.sig"} <= names
    assert any(n.startswith("licences/1.2.156.3005.2.") for n in names)
    assert set(archived.manifest["files"]) == names - {"manifest.json", "manifest.sig"}
    history = json.loads(zipfile.ZipFile(default_storage.open(archived.path, "rb")).read("history.json"))
    assert [e["action"] for e in history][0] == "submit" and history[-1]["action"] == "archive"
    assert archived.retain_until.year - archived.created_at.year == 10  # a public service: 10 years
    call_command("verify_archive", archived.case.number)
    assert "完好" in capsys.readouterr().out


def test_a_changed_file_and_a_missing_file_are_named(archived, capsys):
    def tamper(files):
        files["form.json"] = b'{"applicant_name": "\\u51d2\\u6539"}'
        del files["history.json"]
    _rewrite(archived, tamper)
    with pytest.raises(CommandError):
        call_command("verify_archive", archived.case.number)
    out = capsys.readouterr().out
    assert "文件被修改：form.json" in out and "缺少文件：history.json" in out


def test_a_rewritten_manifest_fails_the_signature(archived, capsys):
    def tamper(files):
        manifest = json.loads(files["manifest.json"])
        files["form.json"] = b"{}"
        import hashlib

        manifest["files"]["form.json"] = hashlib.sha256(b"{}").hexdigest()
        files["manifest.json"] = json.dumps(manifest).encode()
    _rewrite(archived, tamper)
    with pytest.raises(CommandError):
        call_command("verify_archive", archived.case.number)
    assert "清单签名无效" in capsys.readouterr().out


def test_retention_override(client, elder, personas):  # noqa: F811
    from tests.rules.conftest import ELDER_CODE

    RetentionOverride.objects.create(implementation_code=ELDER_CODE, years=0, reason="永久")
    body = submit(client, elder["person"]).json()
    client.force_login(personas["reviewer"])
    client.post(f"/api/v1/cases/{body['id']}/archive", "{}", content_type="application/json")
    assert ArchivePackage.objects.get(case__number=body["number"]).retain_until is None

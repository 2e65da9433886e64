import csv

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from onevisit.accounts.models import ApiToken
from onevisit.datahub.models import DataRecord
from tests.datahub.conftest import bearer, valid_id_number

PEOPLE = [valid_id_number(p) for p in ("33250219500505456", "33250219700303345", "33250219800101123")]


def _payload(*rows):
    return {"records": [{"identifier": i, "data": d} for i, d in rows]}


def test_owning_department_system_upserts_over_the_api(hub, client):
    url = "/api/v1/datahub/resources/death/records"
    body = _payload((PEOPLE[0], {"id_number": PEOPLE[0], "name": "王五", "death_date": "2024-03-01"}))
    response = client.post(url, body, content_type="application/json", **bearer(hub["police_token"]))
    assert response.status_code == 200, response.content
    assert response.json() == {"resource": "death", "upserted": 1}
    body["records"][0]["data"]["death_date"] = "2024-03-02"
    assert client.post(url, body, content_type="application/json", **bearer(hub["police_token"])).status_code == 200
    record = DataRecord.objects.get(resource__key="death", identifier=PEOPLE[0])
    assert record.data["death_date"] == "2024-03-02"


def test_upsert_denied_for_another_department_and_for_a_citizen(hub, client, personas):
    url = "/api/v1/datahub/resources/death/records"
    body = _payload((PEOPLE[0], {"id_number": PEOPLE[0], "name": "王五", "death_date": "2024-03-01"}))
    response = client.post(url, body, content_type="application/json", **bearer(hub["market_token"]))
    assert response.status_code == 403
    _, citizen_token = ApiToken.issue(user=personas["citizen"], name="个人")
    assert client.post(url, body, content_type="application/json", **bearer(citizen_token)).status_code == 403
    assert not DataRecord.objects.filter(resource__key="death").exists()


def test_upsert_lists_every_error_and_loads_nothing(hub, client):
    url = "/api/v1/datahub/resources/death/records"
    body = _payload(
        (PEOPLE[0], {"id_number": PEOPLE[0], "name": "王五", "death_date": "2024-03-01"}),
        (PEOPLE[1][:-1] + ("0" if PEOPLE[1][-1] != "0" else "1"), {"id_number": PEOPLE[1], "name": "赵六",
                                                                   "death_date": "2024-02-30"}),
        (PEOPLE[2], {"id_number": PEOPLE[2], "death_date": "2024-01-01", "colour": "red"}),
    )
    response = client.post(url, body, content_type="application/json", **bearer(hub["police_token"]))
    assert response.status_code == 422
    fields = {(f["field"], f["reason"]) for f in response.json()["error"]["fields"]}
    assert ("records[2].identifier", "身份证号校验位不正确") in fields
    assert any(f == "records[2].death_date" and "日期" in r for f, r in fields)
    assert ("records[3].name", "姓名为必填项") in fields
    assert any(f == "records[3].colour" for f, _ in fields)
    assert not DataRecord.objects.filter(resource__key="death").exists()


def _write_csv(path, rows):
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)


def test_import_csv_with_errors_lists_all_and_loads_nothing(hub, tmp_path, capsys):
    path = tmp_path / "death.csv"
    _write_csv(path, [
        ["身份证号", "姓名", "死亡日期", "id_number"],
        [PEOPLE[0], "王五", "2024-03-01", PEOPLE[0]],
        ["330000000000000000", "赵六", "2024-03-01", PEOPLE[1]],
        [PEOPLE[2], "", "昨天", PEOPLE[2]],
        [PEOPLE[0], "王五", "2024-03-01", PEOPLE[0]],
    ])
    with pytest.raises(CommandError, match="共 4 处错误"):
        call_command("import_records", "death", str(path))
    err = capsys.readouterr().err
    assert "第3行 主键" in err and "第4行 姓名：姓名为必填项" in err and "第4行 死亡日期" in err
    assert "第5行 主键：与第2行重复" in err
    assert not DataRecord.objects.filter(resource__key="death").exists()


def test_import_csv_and_excel(hub, tmp_path):
    path = tmp_path / "death.csv"
    _write_csv(path, [["identifier", "id_number", "name", "death_date"], [PEOPLE[0], PEOPLE[0], "王五", "2024-03-01"]])
    call_command("import_records", "death", str(path), "--actor", "police_system", verbosity=0)
    book = Workbook()
    book.active.append(["统一社会信用代码", "名称", "统一社会信用代码", "法定代表人", "登记状态", "注册资本（万元）"])
    code = hub["police"].credit_code
    book.active.append([code, "丽水市公安局", code, "某某", "存续", 100])
    book.save(tmp_path / "le.xlsx")
    call_command("import_records", "legal_entity", str(tmp_path / "le.xlsx"), verbosity=0)
    assert DataRecord.objects.get(resource__key="death").data["name"] == "王五"
    le = DataRecord.objects.get(resource__key="legal_entity")
    assert le.data["registered_capital"] == "100" and le.data["credit_code"] == code


def test_import_refuses_an_actor_of_another_department(hub, tmp_path):
    path = tmp_path / "death.csv"
    _write_csv(path, [["identifier", "id_number", "name", "death_date"], [PEOPLE[0], PEOPLE[0], "王五", "2024-03-01"]])
    with pytest.raises(CommandError, match="数据管理员"):
        call_command("import_records", "death", str(path), "--actor", "market_system")
    assert not DataRecord.objects.filter(resource__key="death").exists()


def test_import_groups_entries_of_a_many_resource(hub, tmp_path):
    path = tmp_path / "real_estate.csv"
    _write_csv(path, [
        ["身份证号", "不动产权证号", "权利人身份证号", "坐落", "面积（平方米）"],
        [PEOPLE[0], "浙(2020)丽水市不动产权第0000001号", PEOPLE[0], "紫金路1号", "89.5"],
        [PEOPLE[0], "浙(2021)丽水市不动产权第0000002号", PEOPLE[0], "中山街2号", "60"],
        [PEOPLE[1], "浙(2022)丽水市不动产权第0000003号", PEOPLE[1], "解放街3号", "不知道"],
    ])
    with pytest.raises(CommandError, match="共 1 处错误"):
        call_command("import_records", "real_estate", str(path), verbosity=0)
    assert not DataRecord.objects.filter(resource__key="real_estate").exists()
    rows = path.read_text(encoding="utf-8").replace("不知道", "75")
    path.write_text(rows, encoding="utf-8")
    call_command("import_records", "real_estate", str(path), verbosity=0)
    owner = DataRecord.objects.get(resource__key="real_estate", identifier=PEOPLE[0])
    assert [i["address"] for i in owner.data["items"]] == ["紫金路1号", "中山街2号"]
    assert owner.data["items"][0]["area"] == "89.5"

"""Case fixtures: a small published catalog over the shared personas, and API helpers."""

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from onevisit.accounts.models import User
from onevisit.catalog.services import bundle_create, bundle_publish, item_create, item_publish
from onevisit.orgs.models import Role, ServiceCentre, StaffRole, Window
from onevisit.validators import make_credit_code, make_id_number
from onevisit.workdays.calendar import SHANGHAI

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
COMPANY_CODE = make_credit_code("91331100MA2A00001")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def at(y, m, d, h=10, mi=0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=SHANGHAI)


def pdf(name="申请书.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def item_data(departments, region_tree, code, dept="market", **overrides):
    data = {
        "implementation_code": code, "name": f"测试事项{code}", "basic_code": code[:10], "item_type": "licensing",
        "domain": "business", "level": "city", "region": region_tree["city"], "department": departments[dept],
        "targets": ["person", "company"], "channels": ["window", "online"], "legal_limit": 20,
        "promised_limit": 5, "promised_visits": 1, "allows_gaps": True, "allows_commitment": True,
        "legal_basis": "《中华人民共和国行政许可法》",
    }
    data.update(overrides)
    return data


MATERIALS = [
    {"key": "id-card", "name": "身份证明", "necessity": "required", "shared_data_key": "population.id"},
    {"key": "application", "name": "申请书", "necessity": "required"},
    {"key": "lease", "name": "住所使用证明", "necessity": "deferrable"},
    {"key": "safety-pledge", "name": "安全条件承诺", "necessity": "required", "commitment_allowed": True},
]
FIELDS = [
    {"key": "company_name", "label": "企业名称", "field_type": "text", "max_length": 50},
    {"key": "capital", "label": "注册资本（万元）", "field_type": "decimal", "min_value": 0},
    {"key": "scope", "label": "经营类别", "field_type": "choice", "choices": ["餐饮", "零售"]},
]


def make_item(admin, departments, region_tree, code, *, dept="market", materials=None, fields=None,
              special=None, **overrides):
    item = item_create(
        actor=admin, data=item_data(departments, region_tree, code, dept=dept, **overrides),
        children={
            "materials": MATERIALS if materials is None else materials,
            "fields": FIELDS if fields is None else fields,
            "special_procedures": special if special is not None else [
                {"kind": "site_survey", "cap": 10, "cap_unit": "working_days"}],
        },
    )
    return item_publish(actor=admin, item=item)


@pytest.fixture
def staff(personas, departments, window):
    def make(username, role, **kw):
        user = User.objects.create_user(username=username, password="pass-1234", real_name=username)
        StaffRole.objects.create(user=user, role=role, **kw)
        return user

    other_window = Window.objects.create(
        centre=ServiceCentre.objects.get(), number="9", name="不动产综合窗口", domains=["real_estate"]
    )
    return {
        "approver": make("approver", Role.APPROVER, department=departments["market"]),
        "re_reviewer": make("re_reviewer", Role.REVIEWER, department=departments["realestate"]),
        "re_approver": make("re_approver", Role.APPROVER, department=departments["realestate"]),
        "tax_approver": make("tax_approver", Role.APPROVER, department=departments["tax"]),
        "re_clerk": make("re_clerk", Role.WINDOW_CLERK, window=other_window),
        "agent": User.objects.create_user(
            username="agent", password="pass-1234", real_name="王五", id_number=make_id_number("33110220030505345")
        ),
    }


@pytest.fixture
def item(personas, departments, region_tree):
    return make_item(personas["catalog_admin"], departments, region_tree, "331100-MKT-0001")


@pytest.fixture
def on_the_spot_item(personas, departments, region_tree):
    return make_item(
        personas["catalog_admin"], departments, region_tree, "331100-MKT-0002", materials=MATERIALS[:2],
        promised_limit=0, promised_limit_unit="on_the_spot", allows_gaps=False,
    )


@pytest.fixture
def bundle(personas, departments, region_tree):
    """开办餐馆: stage 1 market + tax in parallel, stage 2 real estate."""
    admin = personas["catalog_admin"]
    shared = MATERIALS[:2]
    make_item(admin, departments, region_tree, "331100-MKT-0101", materials=[*shared, MATERIALS[2]],
              fields=FIELDS[:2])
    make_item(admin, departments, region_tree, "331100-TAX-0101", dept="tax", materials=shared,
              fields=[FIELDS[0], {"key": "tax_type", "label": "纳税人类型", "field_type": "text"}])
    make_item(admin, departments, region_tree, "331100-RE-0101", dept="realestate",
              materials=[MATERIALS[0], {"key": "floor-plan", "name": "平面图", "necessity": "required"}],
              fields=[FIELDS[0]])
    b = bundle_create(
        actor=admin,
        data={"code": "open-restaurant", "name": "开办餐馆一件事", "lead_department": departments["market"],
              "promised_limit": 10, "promised_visits": 1},
        entries=[{"stage": 1, "item_code": "331100-MKT-0101"}, {"stage": 1, "item_code": "331100-TAX-0101"},
                 {"stage": 2, "item_code": "331100-RE-0101"}],
    )
    return bundle_publish(actor=admin, bundle=b)


def applicant_of(user, **extra):
    return {"kind": "person", "name": user.real_name, "id_number": user.id_number, "phone": "13800000000", **extra}


class Api:
    """Small JSON client over Django's test client, logged in as one user at a time."""

    def __init__(self, client):
        self.client = client

    def as_(self, user):
        self.client.force_login(user)
        return self

    def get(self, url, **params):
        return self.client.get("/api/v1" + url, params)

    def post(self, url, data=None, **headers):
        return self.client.post("/api/v1" + url, json.dumps(data or {}), content_type="application/json",
                                headers=headers)

    def upload(self, url, file):
        return self.client.post("/api/v1" + url, {"file": file})


@pytest.fixture
def api(client):
    return Api(client)


def online_payload(user, item_code="331100-MKT-0001", **extra):
    payload = {
        "item_code": item_code, "channel": "online", "applicant": applicant_of(user),
        "form": {"company_name": "丽水小馆", "capital": 10, "scope": "餐饮"},
        "materials": {"id-card": "shared_data"},
    }
    payload.update(extra)
    return payload

"""Builders of catalog rows through the real services, shared by the catalog test modules."""

from onevisit.accounts.models import User
from onevisit.catalog import services
from onevisit.catalog.models import Bundle, ServiceItem


def setup_admin() -> User:
    """A superuser that builds fixtures; tests act as the personas."""
    user, _ = User.objects.get_or_create(username="fixture_builder", defaults={"is_superuser": True, "is_staff": True})
    return user


def material(key: str, name: str, **over) -> dict:
    return {"key": key, "name": name, "necessity": "required", "form": "both", "copies": 1, **over}


def field(key: str, label: str, **over) -> dict:
    return {"key": key, "label": label, "field_type": "text", "required": True, **over}


def item_payload(code: str, departments, region_tree, *, dept: str = "market", **over) -> dict:
    """A complete API body for a city-level licensing item of the given department."""
    body = {
        "implementation_code": code,
        "name": f"测试事项{code}",
        "basic_code": "00010100" + code[-3:],
        "item_type": "licensing",
        "domain": "business",
        "keywords": "营业执照 开办",
        "level": "city",
        "region": region_tree["city"].code,
        "department": departments[dept].credit_code,
        "legal_basis": "《中华人民共和国市场主体登记管理条例》第三条",
        "conditions": "申请人具有完全民事行为能力",
        "targets": ["person", "company"],
        "legal_limit": 20,
        "legal_limit_unit": "working_days",
        "promised_limit": 3,
        "promised_limit_unit": "working_days",
        "promised_visits": 0,
        "channels": ["window", "online"],
        "online_depth": 4,
        "scope": "province",
        "result_type": "licence",
        "result_name": "营业执照",
        "place": "丽水市民服务中心一楼",
        "hours": "工作日 9:00-17:00",
        "consult_phone": "0578-12345",
        "complaint_phone": "12345",
        "materials": [
            material("id_card", "申请人身份证明", shared_data_key="population.id_card", form="electronic"),
            material("application", "登记申请书", kind="form", standard="加盖公章"),
            material("lease", "住所使用证明", necessity="deferrable", commitment_allowed=True, copies=2),
        ],
        "fields": [field("applicant_name", "申请人姓名", prefill_key="population.name"), field("phone", "联系电话")],
        "special_procedures": [{"kind": "site_survey", "cap": 5, "cap_unit": "working_days", "note": "必要时现场核查"}],
    }
    body.update(over)
    return body


def service_args(body: dict, departments, region_tree) -> dict:
    """The same body as keyword arguments of services.item_create."""
    from onevisit.orgs.models import Department, Region

    data = dict(body)
    children = {k: data.pop(k) for k in ("materials", "fields", "steps", "special_procedures") if k in data}
    co = [Department.objects.get(credit_code=c) for c in data.pop("co_departments", [])]
    data["region"] = Region.objects.get(code=data["region"])
    data["department"] = Department.objects.get(credit_code=data["department"])
    return {"data": data, "children": children, "co_departments": co}


def make_item(code: str, departments, region_tree, *, publish: bool = True, actor=None, **over) -> ServiceItem:
    actor = actor or setup_admin()
    body = item_payload(code, departments, region_tree, **over)
    item = services.item_create(actor=actor, **service_args(body, departments, region_tree))
    if publish:
        item = services.item_publish(actor=actor, item=item)
    return item


def make_bundle(code: str, departments, entries: list[dict], *, publish: bool = True, **over) -> Bundle:
    actor = setup_admin()
    data = {
        "code": code, "name": f"一件事{code}", "description": "一次告知、一表申请、一窗受理",
        "promised_limit": 5, "promised_visits": 0, "lead_department": departments["market"], **over,
    }
    bundle = services.bundle_create(actor=actor, data=data, entries=entries)
    if publish:
        bundle = services.bundle_publish(actor=actor, bundle=bundle)
    return bundle

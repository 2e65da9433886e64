"""Loads the demo data through the same services everyone else uses, so that every object has its
history. Idempotent: each object is looked up by its natural key (region code, credit code, username,
implementation code, bundle code) and only what is missing is created."""

import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction

from onevisit.accounts.models import User
from onevisit.catalog.models import Bundle, LimitUnit, ServiceItem
from onevisit.catalog.services import (
    bundle_create,
    bundle_publish,
    item_create,
    item_new_version,
    item_publish,
    item_update,
)
from onevisit.demo import catalog_data as cat
from onevisit.demo import orgs_data as org
from onevisit.history.services import record_change
from onevisit.orgs.models import (
    Department,
    Domain,
    Region,
    RegionLevel,
    Role,
    ServiceCentre,
    StaffRole,
    Window,
)
from onevisit.validators import make_id_number

REASON = "加载演示数据"
ADMIN_USERNAME = "admin"


@dataclass
class LoadReport:
    created: Counter = field(default_factory=Counter)

    @property
    def anything_created(self) -> bool:
        return any(self.created.values())


def _record(obj, action: str, data: dict) -> None:
    record_change(obj=obj, actor=None, action=action, reason=REASON, data=data)


# Organisations ---------------------------------------------------------------------------------------

def _regions(report: LoadReport) -> dict[str, Region]:
    regions: dict[str, Region] = {}
    for code, name, level, parent_code in org.REGIONS:
        region = Region.objects.filter(code=code).first()
        if region is None:
            region = Region(code=code, name=name, level=level, parent=regions.get(parent_code))
            region.full_clean()
            region.save()
            _record(region, "region_created", {"code": code, "name": name, "level": level, "parent": parent_code})
            report.created["regions"] += 1
        regions[code] = region
    return regions


def department_codes() -> dict[str, tuple[str, int]]:
    """Department key -> (credit code, organisation serial)."""
    return {
        key: (org.credit_code(kind, region_code, serial), serial)
        for key, _n, _s, region_code, kind, serial in org.DEPARTMENTS
    }


def _departments(report: LoadReport, regions: dict[str, Region]) -> dict[str, Department]:
    departments: dict[str, Department] = {}
    codes = department_codes()
    for key, name, short_name, region_code, _kind, _serial in org.DEPARTMENTS:
        code = codes[key][0]
        dept = Department.objects.filter(credit_code=code).first()
        if dept is None:
            dept = Department(name=name, short_name=short_name, credit_code=code, region=regions[region_code])
            dept.full_clean()
            dept.save()
            _record(dept, "department_created", {"name": name, "credit_code": code, "region": region_code})
            report.created["departments"] += 1
        departments[key] = dept
    return departments


def _windows(report: LoadReport, regions: dict[str, Region]) -> dict[str, Window]:
    centres: dict[str, ServiceCentre] = {}
    for key, name, region_code, address, hours in org.CENTRES:
        centre = ServiceCentre.objects.filter(name=name, region=regions[region_code]).first()
        if centre is None:
            centre = ServiceCentre.objects.create(name=name, region=regions[region_code], address=address, hours=hours)
            _record(centre, "centre_created", {"name": name, "region": region_code, "address": address})
            report.created["centres"] += 1
        centres[key] = centre
    windows: dict[str, Window] = {}
    for key, centre_key, number, name, domains, accepts_any in org.WINDOWS:
        centre = centres[centre_key]
        window = Window.objects.filter(centre=centre, number=number).first()
        if window is None:
            window = Window(centre=centre, number=number, name=name, domains=list(domains), accepts_any=accepts_any)
            window.full_clean()
            window.save()
            _record(window, "window_created", {
                "centre": centre.name, "number": number, "name": name, "domains": list(domains),
                "accepts_any": accepts_any,
            })
            report.created["windows"] += 1
        windows[key] = window
    return windows


def _user(report: LoadReport, password_hash: str, username: str, **fields) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, password=password_hash, **fields)
        user.full_clean()
        user.save()
        _record(user, "user_created", {"username": username, "real_name": fields.get("real_name", "")})
        report.created["users"] += 1
    return user


def _people(report: LoadReport, departments: dict[str, Department], windows: dict[str, Window]) -> dict[str, User]:
    # One hash for every demo account: hashing is deliberately slow and the password is the same.
    password_hash = make_password(org.DEMO_PASSWORD)
    users = {
        ADMIN_USERNAME: _user(
            report, password_hash, ADMIN_USERNAME, real_name="系统管理员", is_staff=True, is_superuser=True
        )
    }
    for username, real_name, role, dept_key, window_key in org.STAFF:
        user = _user(report, password_hash, username, real_name=real_name)
        department = departments.get(dept_key) if dept_key else None
        window = windows.get(window_key) if window_key else None
        if not StaffRole.objects.filter(user=user, role=role, department=department, window=window).exists():
            staff_role = StaffRole(user=user, role=role, department=department, window=window)
            staff_role.full_clean()
            staff_role.save()
            _record(staff_role, "staff_role_granted", {
                "user": username, "role": role, "department": department.credit_code if department else None,
                "window": str(window) if window else None,
            })
            report.created["staff_roles"] += 1
        users[username] = user
    for username, real_name, prefix, phone, _note in org.CITIZENS:
        users[username] = _user(
            report, password_hash, username, real_name=real_name, id_number=make_id_number(prefix), phone=phone
        )
    return users


# Catalog ---------------------------------------------------------------------------------------------

def implementation_code(basic_code: str, credit_code: str, serial: int) -> str:
    """基本编码 + the department's region code and organisation number."""
    return f"{basic_code}-{credit_code[2:8]}{serial % 1000:03d}"


def item_codes() -> dict[str, str]:
    """Item key -> implementation code, computed from the data."""
    depts = department_codes()
    return {
        spec["key"]: implementation_code(spec["data"]["basic_code"], *depts[spec["dept"]]) for spec in cat.ITEMS
    }


_PROVINCE_PLACE = "浙江政务服务网（浙里办）在线办理"
_COUNTY_PLACE = "莲都区行政服务中心（丽水市莲都区丽青路2号）综合受理窗口"
_TOWNSHIP_PLACE = "紫金街道便民服务中心全科受理窗口"


def _place(dept: Department, domain: str) -> str:
    level = dept.region.level
    if level == RegionLevel.PROVINCE:
        return _PROVINCE_PLACE
    if level == RegionLevel.TOWNSHIP:
        return _TOWNSHIP_PLACE
    if level == RegionLevel.COUNTY:
        return _COUNTY_PLACE
    by_domain = {d: (number, name) for _k, centre, number, name, domains, _a in org.WINDOWS
                 if centre == "lishui" for d in domains}
    number, name = by_domain.get(domain) or by_domain[Domain.SOCIAL]
    return f"{org.LISHUI_CENTRE_ADDRESS} {number}号窗口（{name}）或9号无差别受理窗口"


def _items(report: LoadReport, departments: dict[str, Department], admin: User) -> dict[str, str]:
    codes = item_codes()
    for spec in cat.ITEMS:
        dept = departments[spec["dept"]]
        code = codes[spec["key"]]
        if ServiceItem.objects.filter(implementation_code=code).exists():
            continue
        data = {
            "place": _place(dept, spec["data"]["domain"]),
            "hours": org.LISHUI_HOURS if dept.region.code.startswith("3311") else "工作日 9:00-12:00，13:30-17:00；网上24小时受理",
            "consult_phone": f"{cat.PHONES[spec['dept']]}；12345政务服务便民热线",
            "complaint_phone": "12345政务服务便民热线；浙江政务服务网“好差评”",
            **spec["data"],
            "implementation_code": code, "level": dept.region.level, "region": dept.region, "department": dept,
        }
        children = {"materials": spec["materials"], "fields": spec["fields"]}
        if spec["steps"] is not None:
            children["steps"] = spec["steps"]
        if spec["special_procedures"]:
            children["special_procedures"] = spec["special_procedures"]
        item = item_create(
            actor=None, data=data, co_departments=[departments[k] for k in spec["co"]], children=children,
            reason=REASON, check_permission=False,
        )
        item = item_publish(actor=admin, item=item, reason="演示数据发布")
        report.created["items"] += 1
        if spec["key"] == "senior_bus_card":
            _second_version(item, admin)
            report.created["item_versions"] += 1
    return codes


def _second_version(item: ServiceItem, admin: User) -> None:
    draft = item_new_version(actor=admin, item=item, reason=cat.SENIOR_CARD_V2_REASON)
    draft = item_update(
        actor=admin, item=draft, data=cat.SENIOR_CARD_V2, children={"materials": cat.SENIOR_CARD_V2_MATERIALS},
        reason=cat.SENIOR_CARD_V2_REASON,
    )
    from onevisit.demo.registers import rule_on_draft  # datahub2: version 2 carries the 秒批 rule

    rule_on_draft(key="senior_bus_card", draft=draft, admin=admin)
    item_publish(actor=admin, item=draft, reason=cat.SENIOR_CARD_V2_REASON)


def _bundles(report: LoadReport, departments: dict[str, Department], codes: dict[str, str], admin: User) -> None:
    for code, name, lead, limit, visits, description, entries in cat.BUNDLES:
        if Bundle.objects.filter(code=code).exists():
            continue
        bundle = bundle_create(
            actor=None, check_permission=False, reason=REASON,
            data={
                "code": code, "name": name, "description": description, "keywords": name.removesuffix("一件事"),
                "promised_limit": limit, "promised_limit_unit": LimitUnit.WORKING_DAYS, "promised_visits": visits,
                "lead_department": departments[lead],
            },
            entries=[{"stage": stage, "position": i, "item_code": codes[key]}
                     for i, (stage, key) in enumerate(entries, start=1)],
        )
        bundle_publish(actor=admin, bundle=bundle, reason="演示数据发布")
        report.created["bundles"] += 1


@transaction.atomic
def load_demo() -> LoadReport:
    report = LoadReport()
    regions = _regions(report)
    departments = _departments(report, regions)
    windows = _windows(report, regions)
    users = _people(report, departments, windows)
    codes = _items(report, departments, users["catalog_admin"])
    _bundles(report, departments, codes, users["catalog_admin"])
    from onevisit.demo.registers import load_registers  # datahub2: registers, sharing list, 秒批 rules

    load_registers(report, users["catalog_admin"])
    return report


# The logins table ------------------------------------------------------------------------------------

def demo_logins() -> list[tuple[str, str, str, str]]:
    """(username, password, role, department or window) of every demo login."""
    dept_names = {key: name for key, name, *_rest in org.DEPARTMENTS}
    centres = {key: name for key, name, *_rest in org.CENTRES}
    windows = {key: f"{centres[c]} {n}号 {name}" for key, c, n, name, _d, _a in org.WINDOWS}
    rows = [(ADMIN_USERNAME, org.DEMO_PASSWORD, "系统管理员（超级用户）", "Django 管理后台 /admin/")]
    for username, _real, role, dept_key, window_key in org.STAFF:
        where = windows[window_key] if window_key else dept_names[dept_key] if dept_key else "全局（所有部门）"
        rows.append((username, org.DEMO_PASSWORD, Role(role).label, where))
    for username, real_name, _prefix, _phone, note in org.CITIZENS:
        rows.append((username, org.DEMO_PASSWORD, f"办事群众（{real_name}）", note))
    return rows


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def format_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(row):
        return "  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=True)).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(r) for r in rows)])

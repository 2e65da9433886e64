"""Run inside the benchmark's Django environment (bench/run.py): choose the submitted item, issue the
tokens, check one submission and its acceptance through the services, and write the pgbench script
that issues the same statements as a submission. Prints one JSON object for run.py."""

import datetime as dt
import json
import os
import sys
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onevisit.settings")
django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, Max  # noqa: E402
from django.utils import timezone  # noqa: E402

from onevisit.accounts.models import ApiToken, User  # noqa: E402
from onevisit.cases.models import HANDLING, Case  # noqa: E402
from onevisit.cases.services import case_accept, case_submit  # noqa: E402
from onevisit.catalog.models import FieldType, ServiceItem, VersionStatus  # noqa: E402
from onevisit.orgs.models import Role, StaffRole  # noqa: E402

MATERIAL_BYTES = 20 * 1024


def pdf_of(size: int, salt: str) -> bytes:
    head = b"%PDF-1.4\n% OneVisit benchmark material " + salt.encode() + b"\n"
    return head + b"0" * (size - len(head) - 6) + b"\n%%EOF"


def pick_item() -> ServiceItem:
    """An online item for persons with 5 form fields and 3 materials, all of which the applicant uploads."""
    items = ServiceItem.objects.filter(status=VersionStatus.PUBLISHED).prefetch_related("fields", "materials")
    for item in items.order_by("implementation_code"):
        fields, materials = list(item.fields.all()), list(item.materials.all())
        if (len(fields) == 5 and len(materials) == 3 and "person" in item.targets and "online" in item.channels
                and item.promised_limit_unit != "on_the_spot"):
            return item
    raise SystemExit("the demo catalog has no item with 5 fields and 3 materials")


def form_for(item: ServiceItem, citizen: User) -> dict:
    values = {FieldType.ID_NUMBER: citizen.id_number, FieldType.PHONE: "13857061234", FieldType.DATE: "2026-01-15",
              FieldType.INTEGER: 3, FieldType.DECIMAL: "120.5", FieldType.BOOLEAN: True}
    form = {}
    for f in item.fields.all():
        if f.field_type == FieldType.CHOICE:
            form[f.key] = f.choices[0]
        else:
            form[f.key] = values.get(f.field_type, f"{f.label}（测试）"[: f.max_length or 50])
    return form


def sql_literal(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    return "'" + str(value).replace("'", "''") + "'"


def insert(model, values: dict, returning: str = "") -> str:
    cols, vals = [], []
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        cols.append(f'"{f.column}"')
        raw = values.get(f.attname, f.get_default())
        vals.append(raw if isinstance(raw, str) and raw.startswith(("now()", ":", "(")) else sql_literal(raw))
    return f'INSERT INTO "{model._meta.db_table}" ({", ".join(cols)}) VALUES ({", ".join(vals)}){returning};'


def pgbench_script(item: ServiceItem, citizen: User, token_hash: str, form: dict) -> str:
    """The statements of one online submission with 3 uploaded materials, as the API issues them
    (see tests/cases/test_lifecycle.py::test_submission_is_a_few_round_trips and bench_floor.py)."""
    from onevisit.accounts.models import ApiToken as Token
    from onevisit.cases.models import CaseMaterial, IdempotencyKey
    from onevisit.history.models import Event

    code = item.implementation_code
    number = f"'{code}' || to_char(now(), 'YYYYMMDD') || lpad(:serial::text, 6, '0')"
    case_sql = insert(Case, {
        "number": "(" + number + ")", "item_id": item.pk, "item_code": code, "domain": item.domain,
        "department_id": item.department_id, "stage": 1, "status": "pre_review", "channel": "online",
        "applicant_kind": "person", "applicant_name": citizen.real_name, "applicant_id_number": citizen.id_number,
        "contact_phone": "13857061234", "form_data": form, "submitted_by_id": citizen.pk,
        "submitted_at": "now()", "updated_at": "now()",
    }, " RETURNING id AS case_id")
    materials = []
    for m in item.materials.all():
        row = insert(CaseMaterial, {
            "case_id": ":case_id", "key": m.key, "name": m.name, "necessity": m.necessity,
            "commitment_allowed": m.commitment_allowed, "shared_data_key": m.shared_data_key, "provision": "uploaded",
            "file": f"cases/x/{m.key}-0123456789abcdef0123456789abcdef.pdf", "sha256": "a" * 64,
            "size": MATERIAL_BYTES, "content_type": "application/pdf", "supplied_at": "now()"})
        materials.append(row[row.index("VALUES (") + 7:-1])
    head = insert(CaseMaterial, {})
    materials_sql = head[: head.index("VALUES") + 7] + ", ".join(materials) + ";"
    facts = {"from": None, "to": "pre_review", "at": "2026-11-22T10:00:00.000+08:00", "channel": "online",
             "item_code": code, "item_version": item.version, "materials": {m.key: "uploaded" for m in item.materials.all()},
             "promised_limit": [item.promised_limit, item.promised_limit_unit],
             "legal_limit": [item.legal_limit, item.legal_limit_unit], "promised_visits": item.promised_visits}
    event_sql = insert(Event, {
        "object_type": "cases.case", "object_id": "(:case_id)::text", "seq": 1, "at": "now()", "actor_id": citizen.pk,
        "actor_label": citizen.username, "action": "submit", "reason": "", "data": facts, "prev_hash": "",
        "hash": "b" * 64})
    key_sql = insert(IdempotencyKey, {"user_id": citizen.pk, "key": "(gen_random_uuid()::text)",
                                      "fingerprint": "c" * 64, "case_id": ":case_id", "created_at": "now()"})
    token_table = Token._meta.db_table
    user_table = User._meta.db_table
    return "\n".join([
        "BEGIN;",
        f'SELECT t.id, u.* FROM "{token_table}" t JOIN "{user_table}" u ON u.id = t.user_id '
        f"WHERE t.key_hash = '{token_hash}' AND NOT t.revoked AND u.is_active LIMIT 1;",
        f"SELECT * FROM \"{ServiceItem._meta.db_table}\" WHERE implementation_code = '{code}' AND status = 'published' "
        "ORDER BY id LIMIT 1;",
        "INSERT INTO cases_casecounter (code, day, last) VALUES "
        f"('{code}', current_date, 1) ON CONFLICT (code, day) DO UPDATE SET last = cases_casecounter.last + 1 "
        "RETURNING last AS serial \\gset",
        case_sql.rstrip(";") + " \\gset",
        key_sql,
        materials_sql,
        event_sql,
        "COMMIT;",
    ]) + "\n"


def main(out_dir: Path) -> None:
    from onevisit.accounts.models import hash_token

    item = pick_item()
    citizen = User.objects.get(username="citizen_li")
    _, citizen_token = ApiToken.issue(user=citizen, name="benchmark: mobile app")
    intake = StaffRole.objects.filter(role=Role.REVIEWER, department_id=item.department_id).select_related("user").first()
    _, intake_token = ApiToken.issue(user=intake.user, name="benchmark: department system")
    # The worklist of the department with the most work in hand.
    busiest = (Case.objects.filter(status__in=HANDLING).values("department_id").annotate(n=Count("id"))
               .order_by("-n").first())
    reviewer = StaffRole.objects.filter(role=Role.REVIEWER, department_id=busiest["department_id"]).select_related(
        "user").first()
    _, reviewer_token = ApiToken.issue(user=reviewer.user, name="benchmark: worklist")
    form = form_for(item, citizen)
    keys = [m.key for m in item.materials.all()]
    files = {k: pdf_of(MATERIAL_BYTES, k) for k in keys}
    payload = {"item_code": item.implementation_code, "channel": "online",
               "applicant": {"kind": "person", "name": citizen.real_name, "id_number": citizen.id_number,
                             "phone": "13857061234"}, "form": form, "materials": {}}
    # One submission and acceptance through the services: the payload is complete and acceptable.
    case, _ = case_submit(actor=citizen, item_code=item.implementation_code, applicant=payload["applicant"],
                          channel="online", form=form,
                          uploads={k: SimpleUploadedFile(f"{k}.pdf", v) for k, v in files.items()})
    case_accept(actor=intake.user, case=case, now=timezone.now())
    for key, content in files.items():
        (out_dir / f"{key}.pdf").write_bytes(content)
    (out_dir / "submit.pgbench").write_text(
        pgbench_script(item, citizen, hash_token(citizen_token), form), encoding="utf-8")
    handling = Case.objects.filter(status__in=HANDLING, department_id=busiest["department_id"]).count()
    print(json.dumps({
        "item_code": item.implementation_code, "item_name": item.name, "material_keys": keys, "payload": payload,
        "citizen_token": citizen_token, "intake_token": intake_token, "reviewer_token": reviewer_token,
        "worklist_department": busiest["department_id"], "worklist_department_cases": handling,
        "max_case_id": Case.objects.aggregate(m=Max("id"))["m"], "cases": Case.objects.count(),
        "vendor": connection.vendor, "at": dt.datetime.now().isoformat(),
    }, ensure_ascii=False))


if __name__ == "__main__":
    main(Path(sys.argv[1]))

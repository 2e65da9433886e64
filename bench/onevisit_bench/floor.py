"""The benchmark's floor (bench/run.py, `floor_rate`): the same stack (gunicorn, Django, ninja, token
auth, multipart parsing) doing only the inserts of an online submission, as raw SQL in one transaction,
with no validation, no file storage and no rules. Mounted only by the benchmark's settings (bench/settings.py);
it exists to show what our own code costs on top of the framework. Its history event opens a real chain
(seq 1, hashed as the platform hashes it), so `verify_history` passes on a benchmark database."""

import json
import uuid

from django.db import connection, models, transaction
from django.utils import timezone

from onevisit.cases.models import Case, CaseMaterial, IdempotencyKey
from onevisit.catalog.models import ServiceItem, VersionStatus
from onevisit.history.models import Event
from onevisit.history.services import compute_hash

_ITEMS: dict[str, ServiceItem] = {}


def _insert(model: type[models.Model], rows: list[dict], returning: bool = False) -> int | None:
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    cols = ", ".join(f'"{f.column}"' for f in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    params = []
    for row in rows:
        for f in fields:
            value = row.get(f.attname, f.get_default())
            params.append(json.dumps(value, ensure_ascii=False) if isinstance(f, models.JSONField) else value)
    sql = f'INSERT INTO "{model._meta.db_table}" ({cols}) VALUES {", ".join([one] * len(rows))}'  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql + (" RETURNING id" if returning else ""), params)
        return cursor.fetchone()[0] if returning else None


def floor_submit(request):
    """POST /api/v1/bench/floor: the multipart submission's inserts, nothing else."""
    payload = json.loads(request.POST["payload"])
    files = list(request.FILES.items())  # parsed by Django like the real endpoint; not read or stored
    code = payload["item_code"]
    item = _ITEMS.get(code)
    if item is None:
        item = _ITEMS[code] = ServiceItem.objects.get(implementation_code=code, status=VersionStatus.PUBLISHED)
    now, user = timezone.now(), request.user
    applicant = payload["applicant"]
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO cases_casecounter (code, day, last) VALUES (%s, %s, 1) ON CONFLICT (code, day) "
                "DO UPDATE SET last = cases_casecounter.last + 1 RETURNING last", [code, now.date()])
            serial = cursor.fetchone()[0]
        number = f"{code}{now:%Y%m%d}{serial:06d}"
        case_id = _insert(Case, [{
            "number": number, "item_id": item.pk, "item_code": code, "domain": item.domain,
            "department_id": item.department_id, "stage": 1, "status": "pre_review", "channel": "online",
            "applicant_kind": "person", "applicant_name": applicant["name"],
            "applicant_id_number": applicant.get("id_number", ""), "form_data": payload.get("form", {}),
            "submitted_by_id": user.pk, "submitted_at": now, "updated_at": now,
            "contact_address": "bench floor",  # keeps these rows out of the acceptance run
        }], returning=True)
        _insert(CaseMaterial, [{
            "case_id": case_id, "key": key, "name": key, "necessity": "required", "provision": "uploaded",
            "file": f"cases/{number}/{key}-{uuid.uuid4().hex}.pdf", "sha256": "0" * 64, "size": upload.size,
            "content_type": "application/pdf", "supplied_at": now,
        } for key, upload in files])
        data = {"to": "pre_review"}
        digest = compute_hash(object_type="cases.case", object_id=str(case_id), seq=1, at=now,
                              actor_label=user.username, action="submit", reason="", data=data, prev_hash="")
        _insert(Event, [{
            "object_type": "cases.case", "object_id": str(case_id), "seq": 1, "at": now, "actor_id": user.pk,
            "actor_label": user.username, "action": "submit", "reason": "", "data": data, "prev_hash": "",
            "hash": digest,
        }])
        key = request.headers.get("Idempotency-Key")
        if key:
            _insert(IdempotencyKey, [{"user_id": user.pk, "key": key, "fingerprint": "0" * 64, "case_id": case_id,
                                      "created_at": now}])
    return 201, {"id": case_id, "number": number}

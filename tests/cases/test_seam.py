"""The engine's seam: 秒批 after the commit, through every door (API, wizard, window screen); a failing
reaction leaves the submission intact and runs again; the engine imports none of the apps that plug in."""

import ast
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from onevisit.cases.models import Case, CaseReaction, CaseStatus
from onevisit.history.services import events_of, verify_chains
from onevisit.licences.models import Licence
from onevisit.portal.models import Draft
from onevisit.rules.models import AutoDecision
from tests.datahub.conftest import hub  # noqa: F401 - shared fixtures
from tests.licences.conftest import lic  # noqa: F401
from tests.rules.conftest import ELDER_CODE, elder  # noqa: F401

ROOT = Path(__file__).resolve().parents[2] / "onevisit"


def _delivered_with_licence(case: Case, holder: str) -> Licence:
    case.refresh_from_db()
    assert case.status == CaseStatus.DELIVERED and case.delivery_method == "electronic"
    licence = Licence.objects.get(case_number=case.number)
    assert licence.holder == holder
    decision = AutoDecision.objects.get(case=case)
    assert decision.outcome == "approved" and decision.licence_identifier == licence.identifier
    assert CaseReaction.objects.get(case=case).done_at is not None
    return licence


@pytest.mark.django_db(transaction=True)
def test_api_answers_the_decided_case(client, elder):  # noqa: F811
    person = elder["person"]
    client.force_login(person)
    response = client.post("/api/v1/cases", json.dumps({
        "item_code": ELDER_CODE, "channel": "online",
        "applicant": {"kind": "person", "name": person.real_name, "id_number": person.id_number}}),
        content_type="application/json")
    assert response.status_code == 201
    assert response.json()["status"] == "delivered"  # the answer comes after 秒批 has decided
    _delivered_with_licence(Case.objects.get(), person.id_number)


@pytest.mark.django_db(transaction=True)
def test_wizard_submits_an_auto_approvable_item_and_shows_it_delivered(client, elder):  # noqa: F811
    """The wizard submits and records the delivery choice in one transaction; 秒批 follows the commit, so it
    no longer finds the case delivered before the choice is written (it used to answer 409 and save nothing)."""
    person = elder["person"]
    client.force_login(person)
    url = f"/apply/items/{ELDER_CODE}/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"contact_phone": "13905781234", "f_applicant_name": person.real_name,
                                 "f_birth_date": "1950-05-05", "delivery_method": "electronic", "action": "submit"})
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get()
    assert response["Location"] == f"/my/cases/{case.pk}/?submitted=1"
    _delivered_with_licence(case, person.id_number)
    assert [e.action for e in events_of(case)][:2] == ["submit", "choose_delivery"]
    assert Draft.objects.get().case_id == case.pk
    page = client.get(response["Location"]).content.decode()
    assert "已送达" in page or "办结" in page


@pytest.mark.django_db(transaction=True)
def test_window_screen_accepts_an_auto_approvable_item_and_it_is_decided(client, elder, personas):  # noqa: F811
    """A walk-in at the window: submitted and accepted by the clerk in one transaction; 秒批 then continues
    from the accepted case (steps, approval, licence, delivery) instead of failing the clerk's acceptance."""
    person = elder["person"]
    client.force_login(personas["clerk"])
    response = client.post("/console/window/start/", {
        "id_number": person.id_number, "item": ELDER_CODE, "name": person.real_name, "phone": "13905781234",
        "form.applicant_name": person.real_name, "form.birth_date": "1950-05-05", "check.id_card": "shared_data",
        "action": "accept"})
    assert response.status_code == 302, response.content.decode()[:3000]
    case = Case.objects.get()
    licence = _delivered_with_licence(case, person.id_number)
    actions = [e.action for e in events_of(case)]
    assert actions[:2] == ["submit", "accept"] and actions[-2:] == ["deliver", "auto_decision"]
    assert [e.actor_label for e in events_of(case)][:2] == ["clerk", "clerk"]
    assert licence.holder == person.id_number
    assert case.visits == 1  # the walk-in's one visit; the result went out electronically


@pytest.mark.django_db(transaction=True)
def test_a_failing_reaction_leaves_the_case_submitted_and_runs_again(client, elder, settings):  # noqa: F811
    """The signing key cannot be opened (a wrong key-encryption key): the submission stands, the 秒批
    reaction is kept with its error, nothing half-done is left; once the key is right, running the due
    reactions decides the case, once."""
    from onevisit.licences.services import _active_key

    person = elder["person"]
    _active_key(actor=None, department=elder["item"].department)  # the department's key, sealed with the right KEK
    right_key = settings.KEY_ENCRYPTION_KEY
    settings.KEY_ENCRYPTION_KEY = "not-the-key-the-signing-keys-were-sealed-with"
    client.force_login(person)
    response = client.post("/api/v1/cases", json.dumps({
        "item_code": ELDER_CODE, "channel": "online",
        "applicant": {"kind": "person", "name": person.real_name, "id_number": person.id_number}}),
        content_type="application/json")
    assert response.status_code == 201 and response.json()["status"] == "pre_review"
    case = Case.objects.get()
    reaction = CaseReaction.objects.get(case=case)
    assert reaction.name == "rules.autoapprove" and reaction.done_at is None and reaction.attempts == 1
    assert "InvalidTag" in reaction.last_error and reaction.run_after > timezone.now()
    assert not Licence.objects.exists() and not AutoDecision.objects.exists()
    assert [e.action for e in events_of(case)] == ["submit"]  # the half-done approval rolled back

    settings.KEY_ENCRYPTION_KEY = right_key
    call_command("run_reactions")  # not due yet: the back-off holds
    assert CaseReaction.objects.get(pk=reaction.pk).done_at is None
    CaseReaction.objects.filter(pk=reaction.pk).update(run_after=timezone.now())
    call_command("run_reactions")
    _delivered_with_licence(case, person.id_number)
    call_command("run_reactions")  # nothing left to do: no second licence, no second decision
    assert Licence.objects.count() == 1 and AutoDecision.objects.count() == 1
    assert CaseReaction.objects.get(pk=reaction.pk).attempts == 2
    assert list(verify_chains(object_type="cases.case")) == []


# ------------------------------------------------------------------------------------------------
# The import graph

# What the case engine may import: the apps below it. Everything that reacts to a case plugs into the seam.
ENGINE_MAY_IMPORT = {"cases", "catalog", "orgs", "workdays", "history", "accounts", "errors", "validators", "constraints",
                     "api_schemas", "env"}


def _imports(path: Path) -> set[str]:
    """Every onevisit module a file imports, at module level or inside a function."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            out.update(n for n in names if n.startswith("onevisit."))
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("onevisit."))
    return out


def _app_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _graph() -> dict[str, set[str]]:
    """Module → the onevisit modules it imports, for every module of the package (migrations aside)."""
    graph = {}
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        module = ".".join(path.relative_to(ROOT.parent).with_suffix("").parts).removesuffix(".__init__")
        graph[module] = _imports(path)
    return graph


def test_the_engine_imports_none_of_the_apps_that_plug_into_it():
    graph = _graph()
    engine = {m: deps for m, deps in graph.items() if _app_of(m) == "cases" and ".management." not in m}
    outside = {(m, d) for m, deps in engine.items() for d in deps if _app_of(d) not in ENGINE_MAY_IMPORT}
    assert not outside, sorted(outside)


def test_no_app_both_imports_the_case_services_and_is_imported_by_them():
    graph = _graph()
    services = {m for m in graph if m.startswith("onevisit.cases.services")}
    # Everything the case services reach, transitively.
    reached, todo = set(), list(services)
    while todo:
        for dep in graph.get(todo.pop(), ()):
            module = dep if dep in graph else dep.rsplit(".", 1)[0]
            if module not in reached:
                reached.add(module)
                todo.append(module)
    apps_reached = {_app_of(m) for m in reached} - {"cases"}
    importers = {_app_of(m) for m, deps in graph.items()
                 if any(d.startswith("onevisit.cases.services") for d in deps)} - {"cases"}
    assert not (apps_reached & importers), apps_reached & importers
    assert "rules" in importers  # 秒批 drives the engine's own verbs, and the engine does not know it
    assert not apps_reached & {"rules", "datahub", "licences", "archive", "notifications", "portal", "console"}


def test_the_seams_registrations_are_in_place():
    from onevisit.cases import hooks

    assert {"rules.autoapprove", "archive.package"} <= set(hooks.registry.reactions)
    assert hooks.registry.enrichers and hooks.registry.contributors and hooks.registry.listeners

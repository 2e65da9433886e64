import pytest

from onevisit.accounts.models import User
from onevisit.licences.services import licence_type_create
from onevisit.orgs.models import Role, StaffRole
from tests.datahub.conftest import hub  # noqa: F401 - shared fixture


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The shared personas hash a dozen passwords per test; PBKDF2 made setup take seconds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def lic(hub, departments):  # noqa: F811 - hub is the data-hub fixture imported above
    market = departments["market"]
    approver = User.objects.create_user(username="market_approver", password="pass-1234")
    StaffRole.objects.create(user=approver, role=Role.APPROVER, department=market)
    StaffRole.objects.create(user=hub["market_data_admin"], role=Role.DATA_ADMIN, department=market)
    elder_card = licence_type_create(
        actor=hub["market_data_admin"], code="LNK", name="老年人优待证", issuer=market, holder_kind="id_number",
        fields=[{"key": "name", "label": "姓名", "type": "string", "required": True},
                {"key": "birth_date", "label": "出生日期", "type": "date", "required": True}],
        validity_days=365,
    )
    business = licence_type_create(
        actor=hub["market_data_admin"], code="YYZZ", name="营业执照", issuer=market, holder_kind="credit_code",
        fields=[{"key": "name", "label": "名称", "type": "string", "required": True},
                {"key": "legal_representative", "label": "法定代表人", "type": "string", "required": True}],
    )
    return {"approver": approver, "elder_card": elder_card, "business": business, "market": market}

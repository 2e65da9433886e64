import re

import pytest

from onevisit.notifications.models import Notification
from onevisit.validators import make_id_number

SIGNED_IN_ID = make_id_number("33010219850505123")


def last_code() -> str:
    n = Notification.objects.filter(template="signin_code").order_by("-pk").first()
    assert n is not None, "no sign-in code was sent"
    return re.search(r"验证码是 (\d{6})", n.body).group(1)


@pytest.fixture
def signed_in(client, db):
    """A client signed in through the demo provider as 王五."""
    response = client.post("/signin/", {"id_number": SIGNED_IN_ID, "name": "王五"})
    assert response.status_code == 302, response.content.decode()
    assert client.post("/signin/code/", {"code": last_code()}).status_code == 302
    return client


# The cases' small published catalog (items, a bundle, staff) for the wizard and my-cases pages.
from tests.cases.conftest import _media, bundle, item, staff  # noqa: E402, F401

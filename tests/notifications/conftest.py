# The cases' small published catalog and the local SMTP server, shared with the case-notification tests.
from tests.cases.conftest import _media, item, staff  # noqa: F401
from tests.notifications.test_notify import smtp_server  # noqa: F401

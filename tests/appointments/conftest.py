# The cases' small published catalog, shared with these tests.
from tests.cases.conftest import _media, item, staff  # noqa: F401

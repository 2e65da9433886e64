"""Console fixtures: the cases' small published catalog and staff over the shared personas."""

from tests.cases.conftest import _media, bundle, item, staff  # noqa: F401

"""The buying tests' shop, shared with tests/orders."""
from ..orders.conftest import two_shops  # noqa: F401  the fixture

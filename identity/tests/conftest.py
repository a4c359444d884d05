"""identity's test fixtures (each part's helpers live in their own module)."""

from identity.tests.scim_helpers import scim  # noqa: F401  (SCIM: the bearer-token client)

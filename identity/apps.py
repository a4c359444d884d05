"""identity: how people sign in and who they are to the identity provider: single sign-on (OpenID
Connect), emailed sign-in links, password reset and the account page, SCIM 2.0 provisioning.

May import: core, people.
"""

from django.apps import AppConfig


class IdentityConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "identity"

"""Sign-in paths beside Django's own /accounts/ views, the account page and SCIM (CONTRACT: /account/, /scim/v2/)."""

from django.urls import include, path

from identity import scim

urlpatterns: list = [
    path("scim/v2/", include((scim.urlpatterns, "scim"))),  # SCIM 2.0 provisioning (identity/scim.py)
]

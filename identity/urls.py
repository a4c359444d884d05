"""Sign-in paths beside Django's own /accounts/ views, the account page and SCIM (CONTRACT: /account/, /scim/v2/)."""

urlpatterns: list = []

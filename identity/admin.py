"""identity in the Django admin. Each part keeps its admin classes in its own block."""

from __future__ import annotations

from django.contrib import admin, messages

from identity.models import ScimToken

# --- SCIM provisioning -----------------------------------------------------------------------


@admin.register(ScimToken)
class ScimTokenAdmin(admin.ModelAdmin):
    """Issue a token for the identity provider: shown once on saving; delete the row to revoke it."""

    list_display = ("name", "created_at", "last_used_at")
    fields = ("name", "created_at", "last_used_at")
    readonly_fields = ("created_at", "last_used_at")

    def save_model(self, request, obj: ScimToken, form, change: bool) -> None:
        token = None
        if not change:
            token = ScimToken.new_token()
            obj.digest = ScimToken.digest_of(token)
        super().save_model(request, obj, form, change)
        if token:
            messages.warning(
                request,
                f"The SCIM token for “{obj.name}” is {token} — copy it into your identity provider now; "
                "it is not stored and will not be shown again.",
            )

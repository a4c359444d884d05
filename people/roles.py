"""The four role groups (created by a migration) and questions about a person's role."""

from __future__ import annotations

MARKETING = "Marketing"
IC = "IC"
PRESENTER = "Presenter"
EMPLOYEE = "Employee"
ALL = (MARKETING, IC, PRESENTER, EMPLOYEE)


def group_names(user) -> frozenset[str]:
    """The role groups of a user, cached on the instance for the request."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_role_names", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._role_names = cached
    return cached


def is_ic(user) -> bool:
    return user.is_authenticated and (user.is_superuser or IC in group_names(user))


def is_marketing(user) -> bool:
    return MARKETING in group_names(user)


def is_presenter(user) -> bool:
    return PRESENTER in group_names(user)


def can_manage_campaigns(user) -> bool:
    return is_ic(user) or is_marketing(user)


def primary_role(user) -> str:
    """The role a person's home page is built for."""
    if is_ic(user):
        return IC
    if is_marketing(user):
        return MARKETING
    if is_presenter(user):
        return PRESENTER
    return EMPLOYEE

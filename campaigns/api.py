"""JSON API for campaigns and audiences (DRF); the same role and object rules as the pages."""


def register(router) -> None:
    """Add this app's viewsets to the shared /api/v1/ router."""

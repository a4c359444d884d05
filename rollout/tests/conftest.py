"""The engine's fixtures live with their helpers in rollout/tests/engine.py."""

from rollout.tests.engine import running, salesforce  # noqa: F401

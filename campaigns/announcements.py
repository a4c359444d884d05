"""Render an in-app announcement for its reader (the inbox, its API and the home summary share this)."""

from campaigns.composer import RenderedMessage, render_stage

__all__ = ["RenderedMessage", "render_stage"]

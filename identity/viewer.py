"""Temporary alias while parallel work lands: the Viewer lives in `portal.core.viewer` (domain concept)."""

from portal.core.viewer import Role, Viewer

__all__ = ["Role", "Viewer"]

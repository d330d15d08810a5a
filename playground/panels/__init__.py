"""The dockable panels of the main window, one module per dock."""

import playground.qt_compat  # noqa: F401  (PySide6 reference-count guard, before any panel uses Qt)

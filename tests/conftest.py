"""Shared test set-up. Qt runs headless: the platform is chosen before anything imports Qt."""
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

"""Shared names for the workshop tests (a module with a unique name, importable from any
test module; conftest.py is not, since tests/ has several)."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PAGES_DIR = REPO / "workshop"
PULSES_DIR = PAGES_DIR / "pulses"
PASSCODE = "kettle-rota-window"
#: The workshop that test_workshop_browser.py's server creates.
BROWSER_WORKSHOP = "Browser test room"
BROWSER_THRESHOLD = 3

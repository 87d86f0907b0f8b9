"""The workshop pulse: a live, anonymous pulse for a room of 5 to 50 people.

The host starts a workshop with ``python -m leadership_course workshop start`` (see
docs/workshop-pulse.md). Voila serves two notebooks from ``workshop/``:

* ``pulse.ipynb?workshop=CODE`` (participants): ``show_pulse()``;
* ``results.ipynb?workshop=CODE`` (the host): ``show_results()``.

Voila gives each page's kernel the page's query string in $QUERY_STRING; without one (or
in JupyterLab) the page asks for the code. Neither function ever shows a traceback.
"""

import os
from urllib.parse import parse_qs

from .. import _show
from .store import WorkshopStore

__all__ = ["pulse_page", "query_code", "results_page", "show_pulse", "show_results"]


def query_code():
    """The ``workshop`` value of the page's query string (Voila), or ''."""
    values = parse_qs(os.environ.get("QUERY_STRING", "")).get("workshop") or [""]
    return values[0].strip()[:40]


def pulse_page(code=None, store=None):
    from .widgets import PulsePage

    return PulsePage(store or WorkshopStore(), query_code() if code is None else code)


def results_page(code=None, store=None):
    from .widgets import ResultsPage

    return ResultsPage(store or WorkshopStore(), query_code() if code is None else code)


def show_pulse():
    """Display the participant's pulse form for the workshop in the page's link."""
    _show(pulse_page, "workshop pulse")


def show_results():
    """Display the host's sign-in and the workshop's combined results."""
    _show(results_page, "workshop results")

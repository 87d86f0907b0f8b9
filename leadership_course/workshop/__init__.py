"""The workshop pulse: a live, anonymous pulse for a room of 5 to 500 people.

The host starts a workshop with ``python -m leadership_course workshop start`` (see
docs/workshop-pulse.md). One small tornado server (server.py; no Voila, no kernel) serves
participants a plain HTML form, the host a page of controls and results behind a
passcode, and the room's screen (the projector view); nothing else.

* store.py and database.py: the answers (SQLite, or PostgreSQL given an address);
* pulses.py: the pulse files (``workshop/pulses/*.yaml``);
* server.py and templates/: the pages;
* report.py: the combined counts as CSV and charts; cli.py: the ``workshop`` command.
"""

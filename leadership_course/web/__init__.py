"""The web edition: the course as static pages that run in the browser (build.py writes
them; static/ holds the small scripts that draw the activities and keep the record)."""

"""Reflection, pledge or goals: a prompt, a text box, and a visible "Saved at 10:42"."""

from datetime import datetime

from ..record import now
from .common import CourseBox, LiveRegion, TextBox, button, escape, friendly_message, html_widget
from .markup import markdown

MAX_LENGTH = 20_000
HEADINGS = {"reflection": "Reflection", "pledge": "Your pledge", "goals": "Your goals"}


class Reflection(CourseBox):
    """Saved when the learner selects Save, and when they leave the box."""

    def __init__(self, reflection, record):
        self.reflection = reflection
        self.record = record
        saved = record.activity(reflection["id"])
        text = saved_text(saved)
        self.status = LiveRegion()
        # The prompt is the box's label, so a screen reader says it with the box.
        self.box = TextBox(value=text, label_html=markdown(reflection["prompt"]), hint=reflection.get("hint", ""))
        self.box.observe(lambda change: self._guarded_save(), names="value")
        kind = reflection.get("kind", "reflection")
        intro = html_widget(f"<h3>{escape(heading(kind, reflection['title']))}</h3>")
        self.save_button = button("Save", self.save, self._report)
        super().__init__([intro, self.box, self.save_button, self.status], "reflection", record)
        if text and isinstance(saved.get("saved_at"), str):
            self.status.html = f"<p>Saved at {escape(clock(saved['saved_at']))}.</p>"

    def _report(self, message):
        self.status.html = message

    def _guarded_save(self):
        try:
            self.save(on_leaving=True)
        except Exception as error:  # same plain message as a button would give
            self._report(friendly_message(error))

    def save(self, on_leaving=False):
        """Save the text; say "Saved automatically" when the learner left the box, so that
        Save just after says something new ("Saved at"), and a second Save "Saved again"."""
        stamp = save_reflection(self.record, self.reflection, self.box.value)
        message = f"Saved {'automatically ' if on_leaving else ''}at {clock(stamp)}."
        if len(self.box.value) > MAX_LENGTH:
            message += f" Only the first {MAX_LENGTH:,} characters were kept."
        self.status.html = f"<p>{escape(said_anew(message, self.status.text))}</p>"


def heading(kind, title):
    """'Your pledge: Title', or the title alone when it already names the kind ('My pledge')."""
    word = HEADINGS[kind].split()[-1].lower()
    return title if word in title.lower().split() else f"{HEADINGS[kind]}: {title}"


def saved_text(saved):
    """The text of a saved reflection, or "" when there is none (or it is not text)."""
    return saved.get("text") if isinstance(saved.get("text"), str) else ""


def save_reflection(record, reflection, text):
    """Store ``text`` (up to MAX_LENGTH characters) as the answer to ``reflection``; return the time."""
    text = text[:MAX_LENGTH]
    stamp = now()
    record.update(reflection["id"], {
        "type": "reflection", "kind": reflection.get("kind", "reflection"),
        "title": reflection["title"], "module": reflection["module"],
        "prompt": reflection["prompt"], "text": text, "saved_at": stamp,
        "completed": bool(text.strip()),
    })
    return stamp


def said_anew(message, current):
    """``message``, with "again" before its time when the live region already says it: a
    screen reader reads a region out only when its words change."""
    return message.replace(" at ", " again at ", 1) if message == current else message


def clock(stamp):
    """'10:42' from an ISO time."""
    try:
        return datetime.fromisoformat(stamp).strftime("%H:%M")
    except ValueError:
        return stamp

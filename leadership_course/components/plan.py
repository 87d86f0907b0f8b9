"""A plan: several reflections answered in one card, each part saved as its own reflection."""

from .common import CourseBox, LiveRegion, TextBox, button, escape, friendly_message, html_widget
from .markup import markdown
from .reflection import MAX_LENGTH, clock, said_anew, save_reflection, saved_text


class Plan(CourseBox):
    """One card, one box per part; a part is saved when the learner leaves its box, and
    every part when they select "Save my plan". The journal and the course map see each
    part as the reflection it is."""

    def __init__(self, plan, parts, record):
        self.plan = plan
        self.parts = parts
        self.record = record
        self.status = LiveRegion()
        children = [html_widget(f"<h3>{escape(plan['title'])}</h3><p>Each part is saved when you leave its "
                                "box, and every part when you select <strong>Save my plan</strong>.</p>")]
        self.boxes = []
        stamps = []
        for number, (heading, reflection) in enumerate(parts, start=1):
            saved = record.activity(reflection["id"])
            # The part's heading and prompt are the box's label, so a screen reader says them.
            box = TextBox(value=saved_text(saved), label_html=f"<h4>{number}. {escape(heading)}</h4>"
                          f"{markdown(reflection['prompt'])}", hint=reflection.get("hint", ""), rows=4)
            box.observe(lambda change, number=number: self._guarded(lambda: self.save_part(number)),
                        names="value")
            self.boxes.append(box)
            children.append(box)
            if saved_text(saved) and isinstance(saved.get("saved_at"), str):
                stamps.append(saved["saved_at"])
        self.save_button = button("Save my plan", self.save, self._report)
        super().__init__([*children, self.save_button, self.status], "plan", record)
        if stamps:
            self.status.html = f"<p>Saved at {escape(clock(max(stamps)))}.</p>"

    def _report(self, message):
        self.status.html = message

    def _guarded(self, action):
        try:
            action()
        except Exception as error:  # same plain message as a button would give
            self._report(friendly_message(error))

    def save_part(self, number):
        """Save part ``number`` (counting from 1) and say so."""
        stamp = save_reflection(self.record, self.parts[number - 1][1], self.boxes[number - 1].value)
        self.status.html = f"<p>Part {number} saved at {escape(clock(stamp))}.{self._cut_note([number])}</p>"

    def save(self):
        """Save every part."""
        stamp = None
        for number, box in enumerate(self.boxes, start=1):
            stamp = save_reflection(self.record, self.parts[number - 1][1], box.value)
        message = f"Your plan was saved at {clock(stamp)}.{self._cut_note(range(1, len(self.boxes) + 1))}"
        self.status.html = f"<p>{escape(said_anew(message, self.status.text))}</p>"

    def _cut_note(self, numbers):
        cut = [str(n) for n in numbers if len(self.boxes[n - 1].value) > MAX_LENGTH]
        if not cut:
            return ""
        return f" In part {', '.join(cut)}, only the first {MAX_LENGTH:,} characters were kept."

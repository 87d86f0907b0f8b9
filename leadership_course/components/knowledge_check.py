"""Knowledge check: questions with feedback on every option, retry and a score summary."""

import ipywidgets as widgets

from ..record import now
from .choice_group import ChoiceGroup, shuffled_order
from .common import (CourseBox, LiveRegion, button, escape, hbox, html_widget, is_shown, plain_look, safe_callback,
                     set_shown)
from .markup import markdown

CORRECT_MARK = "✓ Correct."
WRONG_MARK = "✗ Not quite."
PARTLY_MARK = "✗ Partly right."


def score_answer(question, selected):
    """True when the selected option numbers are exactly the correct ones."""
    correct = {i for i, option in enumerate(question["options"]) if option["correct"]}
    return set(selected) == correct


def valid_selection(question, selected):
    """The saved selection if it fits the question, otherwise None."""
    count = len(question["options"])
    if not isinstance(selected, list) or not selected:
        return None
    if not all(isinstance(i, int) and not isinstance(i, bool) and 0 <= i < count for i in selected):
        return None
    if question["kind"] != "multiple" and len(selected) != 1:
        return None
    return sorted(set(selected))


def display_order(question, record, activity_id):
    """Choices shuffled per learner (the same after a reload); True and False keep their order."""
    if question["kind"] == "true_false":
        return []
    return shuffled_order(len(question["options"]), getattr(record, "directory", ""), activity_id, question["id"])


class QuestionView(widgets.VBox):
    """One question: the prompt, its options, Check answer / Try again, and feedback."""

    def __init__(self, question, number, total, on_answer, order=()):
        self.question = question
        self.on_answer = on_answer
        self.feedback = LiveRegion()
        self.selector = ChoiceGroup([o["text"] for o in question["options"]],
                                    legend_html=markdown(question["prompt"]),
                                    multiple=question["kind"] == "multiple", order=order)
        self.check_button = button("Check answer", self.check, self._report)
        self.retry_button = button("Try again", self.retry, self._report, extra_class="course-secondary")
        set_shown(self.retry_button, False)
        heading = html_widget(f"<h3>Question {number} of {total}</h3>")
        super().__init__([heading, self.selector, hbox([self.check_button, self.retry_button]),
                          self.feedback], **plain_look())
        self.add_class("course-question")
        self.answer = None
        self.selector.observe(self._late_choice, names="value")

    def _report(self, message):
        self.feedback.html = message

    def _late_choice(self, change):
        """A choice made just before Check answer can reach the kernel after the click
        (ipywidgets sends clicks at once but queues value changes): check it again, so the
        feedback and the record always match what the learner sees. It is the same attempt,
        corrected, not a new one."""
        locked = self.selector.disabled and self.answer
        if locked and change["new"] and sorted(change["new"]) != self.answer["selected"]:
            safe_callback(self._report)(self.check)(same_attempt=True)

    @property
    def selected(self):
        """The option numbers currently chosen."""
        return list(self.selector.value)

    def select(self, numbers):
        """Choose options by number (as a learner's clicks would)."""
        self.selector.value = list(numbers)

    def check(self, same_attempt=False):
        """Check the chosen options; ``same_attempt`` corrects the last attempt's choice."""
        selected = self.selected
        if not selected:
            self.feedback.html = "<p>Choose an answer first, then select Check answer.</p>"
            return
        attempts = (self.answer or {}).get("attempts", 0) + (0 if same_attempt and self.answer else 1)
        self.show_result(selected)
        # The Check answer button has gone: keep the keyboard focus on the question
        # (Try again after a wrong answer; the chosen option after a right one).
        (self.retry_button if is_shown(self.retry_button) else self.selector).focus()
        self.answer = {"selected": selected, "correct": score_answer(self.question, selected),
                       "attempts": attempts, "answered_at": now()}
        self.on_answer(self.question["id"], self.answer)

    def show_result(self, selected):
        """Lock the options and explain every chosen option."""
        options = self.question["options"]
        correct = score_answer(self.question, selected)
        if correct:
            verdict = CORRECT_MARK
        elif any(options[i]["correct"] for i in selected):
            verdict = PARTLY_MARK
        else:
            verdict = WRONG_MARK
        parts = [f"<p><strong>{verdict}</strong></p>"]
        for i in selected:
            stop = "" if options[i]["text"].rstrip().endswith((".", "?", "!")) else "."
            parts.append(f"<p>You chose <em>{escape(options[i]['text'])}</em>{stop} "
                         f"{markdown(options[i]['feedback'])}</p>")
        if not correct:
            missed = sum(1 for i, o in enumerate(options) if o["correct"] and i not in selected)
            if self.question["kind"] == "multiple" and missed:
                parts.append(f"<p>You missed {missed} correct option{'s' if missed > 1 else ''}.</p>")
            parts.append("<p>Select Try again to have another go.</p>")
        self.feedback.html = "".join(parts)
        self.set_locked(True, correct)

    def set_locked(self, locked, correct=False):
        """Locked after an answer is checked; Try again is offered only for a wrong one."""
        self.selector.disabled = locked
        set_shown(self.check_button, not locked)
        set_shown(self.retry_button, locked and not correct)

    def retry(self):
        """Unlock the question; the focus goes to its options, so it is read again. The
        ticks of a multiple-choice question stay, to be changed rather than redone."""
        if self.question["kind"] != "multiple":
            self.select([])
        self.feedback.html = "<p>Have another go: change your answer, then select Check answer.</p>"
        self.set_locked(False)
        self.selector.focus()

    def restore(self, saved):
        """Show a saved answer again, if it still fits the question."""
        if not isinstance(saved, dict):
            return
        selected = valid_selection(self.question, saved.get("selected"))
        if selected is None:
            return
        self.select(selected)
        self.show_result(selected)
        attempts = saved.get("attempts")
        self.answer = {"selected": selected, "correct": score_answer(self.question, selected),
                       "attempts": attempts if isinstance(attempts, int) else 1,
                       "answered_at": saved.get("answered_at")}


class KnowledgeCheck(CourseBox):
    """All the questions of one knowledge check, with a running score."""

    def __init__(self, activity, record):
        self.activity = activity
        self.record = record
        questions = activity["questions"]
        self.views = [QuestionView(q, n + 1, len(questions), self.save, display_order(q, record, activity["id"]))
                      for n, q in enumerate(questions)]
        self.summary = LiveRegion(kind="plain")  # the score line is announced when it changes
        saved = record.activity(activity["id"]).get("answers", {})
        for view in self.views:
            view.restore(saved.get(view.question["id"]) if isinstance(saved, dict) else None)
        intro = f"<h3>{escape(activity['title'])}</h3>{markdown(activity.get('intro', ''))}"
        super().__init__([html_widget(intro), *self.views, self.summary], "knowledge-check", record)
        self.update_summary()

    @property
    def answers(self):
        return {v.question["id"]: v.answer for v in self.views if v.answer}

    @property
    def score(self):
        """(number correct, number of questions)."""
        return sum(1 for a in self.answers.values() if a["correct"]), len(self.views)

    def save(self, question_id, answer):
        answers = self.answers
        self.record.update(self.activity["id"], {
            "type": "knowledge_check", "title": self.activity["title"], "module": self.activity["module"],
            "answers": answers, "score": self.score[0], "out_of": self.score[1],
            "completed": len(answers) == len(self.views),
        })
        self.update_summary()

    def update_summary(self):
        right, total = self.score
        answered = len(self.answers)
        text = f"Your score: {right} of {total} correct."
        if answered < total:
            text += f" {total - answered} question{'s' if total - answered > 1 else ''} still to answer."
        else:
            text += " You have answered every question."
        self.summary.html = f"<p class='course-score'><strong>{text}</strong></p>"

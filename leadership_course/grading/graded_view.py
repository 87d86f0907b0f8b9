"""Assessment parts as plain, escaped HTML (not widgets): what nbgrader runs show, so that
graders and feedback readers see each submitted answer, and the learner's instructions.

Loads no widget library, so each submission autogrades without ipywidgets."""

from IPython.display import HTML

from .questions import ANSWERS_FILE, MAX_WRITTEN_LENGTH, chosen_options, read_answers, written_text
from ..components.markup import escape, markdown


def static_box(kind, body):
    """Plain HTML output (not a widget), so it shows in graded notebooks and feedback pages."""
    return HTML(f"<div class='course-box course-{kind}'>{body}</div>")


def graded_question(question, number, entry):
    chosen = chosen_options(question, entry) if entry is not None else None
    if entry is None:
        given = "<p><strong>No answer given.</strong></p>"
    elif chosen is None:
        given = "<p><strong>The saved answer could not be read, so it scores 0.</strong></p>"
    else:
        given = "<p>Answer submitted:</p><ul>" + "".join(f"<li>{escape(c)}</li>" for c in chosen) + "</ul>"
    return static_box("assessment-question", f"<h3>Question {number}</h3>{markdown(question['prompt'])}{given}")


def graded_written(written, entry):
    raw = entry.get("text") if isinstance(entry, dict) else None
    if raw is not None and not isinstance(raw, str):
        given = "<p><strong>The saved answer was not text, so nothing can be shown.</strong></p>"
    elif not (raw or "").strip():
        given = "<p><strong>No answer given.</strong></p>"
    else:
        cut = (f"<p><em>The answer was longer than {MAX_WRITTEN_LENGTH:,} characters; only the start is shown.</em></p>"
               if len(raw) > MAX_WRITTEN_LENGTH else "")
        given = (f"<p>Answer submitted:</p><blockquote style='white-space:pre-wrap'>{escape(written_text(entry))}"
                 f"</blockquote>{cut}")
    return static_box("written-answer", f"{markdown(written['prompt'])}{given}")


def submission_report(assessment, folder="."):
    """What a grader needs to know about a submission before marking it."""
    answers, problems = read_answers(folder)
    questions = assessment["questions"]
    answered = [q for q in questions if q["id"] in answers]
    unreadable = [q["id"] for q in answered if chosen_options(q, answers[q["id"]]) is None]
    for question_id in unreadable:
        problems.append(f"The answer to {question_id} could not be read as a choice of its options and scores 0.")
    written = assessment.get("written") or []
    wrote = [w for w in written if written_text(answers.get(w["id"])).strip()]
    rows = (f"<li>Questions answered: {len(answered) - len(unreadable)} of {len(questions)}</li>"
            f"<li>Written answers given: {len(wrote)} of {len(written)}</li>")
    issues = "".join(f"<li>{escape(p)}</li>" for p in problems) or "<li>None.</li>"
    return static_box("submission-check", f"<h2>Submission check</h2><ul>{rows}</ul>"
                                          f"<p>Problems found:</p><ul>{issues}</ul>")


def learner_instructions(assessment, submitted=None):
    """How the assessment works; on a hub, when it was last submitted (``submitted``, a datetime)."""
    from .exchange import submitted_note

    return static_box("submission-check", (
        f"<h2>How this assessment works</h2>{submitted_note(submitted) if submitted else ''}<p>Answer each "
        "question by choosing an option. Write your answers in the boxes and select Save. Everything is saved "
        f"as you go, in a file called <code>{ANSWERS_FILE}</code> beside this page.</p><p>When you have "
        "finished, hand in your answers at the end of this page.</p>"))

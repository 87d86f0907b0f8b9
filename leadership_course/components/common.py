"""What every component shares: the live region, text rendering, styles and safe callbacks."""

import functools
import html
import logging
import re

import anywidget
import ipywidgets as widgets
import mistune
import traitlets

log = logging.getLogger("leadership_course")

_markdown = mistune.create_markdown(escape=True)

STYLES = """
<style>
.course-box { border: 1px solid #6b6b6b; border-radius: 6px; padding: 12px 16px; margin: 12px 0;
  max-width: 52rem; }
.course-box h3, .course-box h4 { margin-top: 0.4em; }
.course-box p, .course-box li { font-size: 1rem; line-height: 1.5; }
.course-box .widget-button, .course-box button { min-height: 2.25rem; min-width: 6rem; }
.course-choice button, button.course-choice { white-space: normal; height: auto !important;
  text-align: left; padding: 8px 12px; line-height: 1.4; }
.course-feedback:empty { border: 0; padding: 0; margin: 0; }
.course-feedback { border-left: 6px solid #0b5cad; background: #f3f6fa; color: #111;
  padding: 8px 12px; margin-top: 8px; }
.course-notice { border: 2px solid #8a4b00; background: #fff8ec; color: #111; padding: 8px 12px; }
.course-box table { border-collapse: collapse; margin: 8px 0; }
.course-box th, .course-box td { border: 1px solid #6b6b6b; padding: 4px 8px; text-align: left; }
.course-box img { max-width: 100%; height: auto; }
.course-box textarea { font-size: 1rem; line-height: 1.5; }
</style>
"""


class LiveRegion(anywidget.AnyWidget):
    """A persistent role="status" region: screen readers announce each new message."""

    _esm = """
    function render({ model, el }) {
      const region = document.createElement("div");
      region.setAttribute("role", "status");
      region.setAttribute("aria-live", "polite");
      region.className = "course-feedback";
      const update = () => { region.innerHTML = model.get("html"); };
      model.on("change:html", update);
      update();
      el.appendChild(region);
    }
    export default { render };
    """
    html = traitlets.Unicode("").tag(sync=True)

    @property
    def text(self):
        """The message without markup (for tests and logs)."""
        return html_to_text(self.html)


def html_to_text(markup):
    """Roughly the text a reader sees in a piece of HTML."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup))).strip()


def markdown(text):
    """Authored Markdown as HTML (raw HTML in the source is escaped)."""
    return _markdown(text or "").strip()


def escape(text):
    """Learner text made safe to place in HTML."""
    return html.escape(str(text), quote=True)


def styles():
    """A widget carrying the course styles (harmless when shown more than once)."""
    return widgets.HTML(STYLES)


class CourseBox(widgets.VBox):
    """The frame of every component: styles, any notice about the record, then the parts.

    ``kind`` becomes the class ``course-<kind>`` that styles and browser tests find.
    """

    def __init__(self, parts, kind, record):
        notice = notice_widget(record)
        super().__init__([styles(), *([notice] if notice else []), *parts])
        self.add_class("course-box")
        self.add_class(f"course-{kind}")


def button(label, handler, on_error, extra_class=None):
    """A button whose label wraps; any error in ``handler`` goes to ``on_error`` as a
    plain message, never as a traceback."""
    made = widgets.Button(description=label, tooltip=label, layout=widgets.Layout(width="auto", height="auto"))
    if extra_class:
        made.add_class(extra_class)
    guarded = safe_callback(on_error)(handler)
    made.on_click(lambda _: guarded())
    return made


def notice_widget(record):
    """Messages the learner must see about their record (shown once per session)."""
    notices = record.take_notices()
    if not notices:
        return None
    return widgets.HTML(
        "<div class='course-notice' role='alert'>"
        + "".join(f"<p>{escape(message)}</p>" for message in notices)
        + "</div>"
    )


def safe_callback(report):
    """Wrap a widget callback: on any error, tell the learner plainly instead of failing."""

    def decorate(function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            try:
                return function(*args, **kwargs)
            except Exception as error:  # the learner must never see a traceback
                log.exception("Error in %s", function.__name__)
                report(friendly_message(error))

        return wrapper

    return decorate


def friendly_message(error):
    """A plain message for an error, naming the problem without a traceback."""
    from ..content import ContentError
    from ..record import RecordError

    if isinstance(error, (ContentError, RecordError)):
        return f"<p>Sorry, something went wrong: {escape(error)}</p>"
    return (
        "<p>Sorry, something went wrong with this activity. Your earlier answers are safe. "
        "Try again, or tell your facilitator.</p>"
    )


def problem_widget(error, what):
    """Shown in place of a component that could not be built."""
    from ..content import ContentError

    if isinstance(error, ContentError):
        details = "".join(f"<li>{escape(p)}</li>" for p in error.problems)
        body = (
            f"<p><strong>This {escape(what)} could not be shown</strong> because its content file "
            f"has a problem. Please tell your facilitator; the rest of the course still works.</p>"
            f"<ul>{details}</ul>"
        )
    else:
        log.exception("Could not build %s", what)
        body = (
            f"<p><strong>This {escape(what)} could not be shown.</strong> Please tell your "
            "facilitator; the rest of the course still works.</p>"
        )
    return widgets.HTML(STYLES + f"<div class='course-box course-notice' role='alert'>{body}</div>")

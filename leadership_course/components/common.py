"""What every component shares: the live region, text rendering, styles and safe callbacks."""

import functools
import logging

import anywidget
import ipywidgets as widgets
from ipywidgets.widgets.widget_string import HTMLStyle, TextStyle

from .markup import escape, html_to_text
import traitlets

log = logging.getLogger("leadership_course")


STYLES = """
<style>
.course-box { border: 1px solid #6b6b6b; border-radius: 6px; padding: 12px 16px; margin: 12px 0;
  max-width: 52rem; }
.course-box h3, .course-box h4 { margin-top: 0.4em; }
.course-box p, .course-box li { line-height: 1.5; }
.course-box .widget-button, .course-box button { min-height: 2.25rem; min-width: 6rem; }
.course-feedback:empty { border: 0; padding: 0; margin: 0; }
.course-feedback { border-left: 6px solid #0b5cad; background: #f3f6fa; color: #111;
  padding: 8px 12px; margin-top: 8px; scroll-margin-top: 1rem; }
.course-notice { border: 2px solid #8a4b00; background: #fff8ec; color: #111; padding: 8px 12px; }
.course-box table { border-collapse: collapse; margin: 8px 0; }
.course-box th, .course-box td { border: 1px solid #6b6b6b; padding: 4px 8px; text-align: left; }
.course-box img { max-width: 100%; height: auto; }
.course-box textarea { font-size: 1rem; line-height: 1.5; }
.course-hidden { display: none !important; }
.course-unseen { position: absolute !important; width: 1px !important; height: 1px !important; margin: 0 !important;
  padding: 0 !important; overflow: hidden !important; clip: rect(0 0 0 0) !important; clip-path: inset(50%) !important;
  border: 0 !important; white-space: nowrap !important; }
</style>
"""


_shared_models = {}


def shared(model_class, **settings):
    """One ``model_class`` model (a Layout or a style) with ``settings`` for the whole kernel.

    Every ipywidgets widget otherwise brings a Layout and a style model of its own, and the
    browser builds every model before it draws the page: sharing them halves the models
    on a module page. A shared model must never change, so it refuses changes; hide and
    show widgets with :func:`set_shown` instead of ``layout.display``.
    """
    key = (model_class, tuple(sorted(settings.items())))
    model = _shared_models.get(key)
    if model is None or model.comm is None:
        model = _shared_models[key] = model_class(**settings)
        model.observe(_refuse_change, names=[name for name in model.keys if not name.startswith("_")])
    return model


def _refuse_change(change):
    raise AttributeError(f"{type(change['owner']).__name__} is shared by many widgets and must not change "
                         f"('{change['name']}'); use set_shown() to hide or show a widget")


def plain_look():
    """Keyword arguments that give a widget the shared Layout."""
    return {"layout": shared(widgets.Layout)}


def html_look():
    """Keyword arguments that give an HTML widget the shared Layout and style."""
    return {"layout": shared(widgets.Layout), "style": shared(HTMLStyle)}


def text_box_look():
    """Keyword arguments for a wide text box whose label sits beside it at its own width."""
    return {"layout": shared(widgets.Layout, width="95%"),
            "style": shared(TextStyle, description_width="initial")}


def html_widget(value="", **kwargs):
    """An HTML widget with the shared Layout and style."""
    return widgets.HTML(value, **html_look(), **kwargs)


def vbox(children=(), **kwargs):
    """A VBox with the shared Layout."""
    return widgets.VBox(list(children), **plain_look(), **kwargs)


def hbox(children=(), **kwargs):
    """An HBox with the shared Layout."""
    return widgets.HBox(list(children), **plain_look(), **kwargs)


def set_shown(widget, shown):
    """Show or hide a widget: by a class, so that its Layout can be shared, except for an
    anywidget (its view ignores classes), which needs a Layout of its own."""
    if isinstance(widget, anywidget.AnyWidget):
        widget.layout.display = None if shown else "none"
    elif shown:
        widget.remove_class("course-hidden")
    else:
        widget.add_class("course-hidden")


def is_shown(widget):
    """False when :func:`set_shown` has hidden the widget."""
    if isinstance(widget, anywidget.AnyWidget):
        return widget.layout.display != "none"
    return "course-hidden" not in widget._dom_classes


class LiveRegion(anywidget.AnyWidget):
    """A persistent role="status" region: screen readers announce each new message.

    ``kind`` styles it: "feedback" (a blue-edged box), "plain" (text only, for a score
    line) or "unseen" (heard, not seen: for announcing what the page already shows)."""

    def __init__(self, kind="feedback", **kwargs):
        super().__init__(**{**plain_look(), "kind": kind, **kwargs})

    _esm = """
    function render({ model, el }) {
      const region = document.createElement("div");
      region.setAttribute("role", "status");
      region.setAttribute("aria-live", "polite");
      region.className = "course-" + model.get("kind");
      const update = () => { region.innerHTML = model.get("html"); };
      model.on("change:html", update);
      update();
      el.appendChild(region);
    }
    export default { render };
    """
    html = traitlets.Unicode("").tag(sync=True)
    kind = traitlets.Enum(["feedback", "plain", "unseen"], "feedback").tag(sync=True)

    @property
    def text(self):
        """The message without markup (for tests and logs)."""
        return html_to_text(self.html)


class FocusableHTML(anywidget.AnyWidget):
    """HTML whose first heading can take the keyboard focus (``focus()``), for example a
    scenario step's heading after a choice, so that the focus never falls to the page."""

    def __init__(self, value="", **kwargs):
        super().__init__(**{**plain_look(), "value": value, **kwargs})

    _esm = """
    function render({ model, el }) {
      const box = document.createElement("div");
      box.className = "course-focusable-html";
      const update = () => { box.innerHTML = model.get("value"); };
      model.on("change:value", update);
      model.on("msg:custom", (message) => {
        if (!message || !message.focus) return;
        const target = box.querySelector("h1, h2, h3, h4, h5, h6") || box;
        target.setAttribute("tabindex", "-1");
        target.focus({ preventScroll: true });
        // Scroll to the part of the component named by ``show_from`` (when it has text), so
        // that what led here shows above the heading; else to the heading itself.
        const component = message.show_from && box.closest(".course-box");
        const lead = component && component.querySelector(message.show_from);
        (lead && lead.textContent.trim() ? lead : target).scrollIntoView({ block: "start" });
      });
      update();
      el.appendChild(box);
    }
    export default { render };
    """
    _css = """
    .course-focusable-html h1, .course-focusable-html h2, .course-focusable-html h3,
    .course-focusable-html h4, .course-focusable-html h5, .course-focusable-html h6 { scroll-margin-top: 1rem; }
    """
    value = traitlets.Unicode("").tag(sync=True)

    def focus(self, show_from=None):
        """Move the keyboard focus to the first heading (else the whole block). With
        ``show_from``, a CSS selector, the view scrolls to that part of the same component
        instead (for example the consequence above a scenario's new step)."""
        self.send({"focus": True, "show_from": show_from})


class TextBox(anywidget.AnyWidget):
    """A multi-line text box whose accessible name is its question (``label_html``, shown
    above it), with an optional hint read after it. ``value`` changes when the learner
    leaves the box. Drawn in the page's own font, not as code."""

    def __init__(self, value="", label_html="", hint="", rows=6, **kwargs):
        super().__init__(**{**plain_look(), "value": value, "label_html": label_html, "hint": hint,
                            "rows": rows, **kwargs})

    _esm = """
    let boxes = 0;
    function render({ model, el }) {
      const id = "course-text-" + (++boxes) + "-" + Math.random().toString(36).slice(2, 8);
      const label = document.createElement("div");
      label.className = "course-text-label";
      label.id = id + "-label";
      const hint = document.createElement("div");
      hint.className = "course-hint";
      hint.id = id + "-hint";
      const box = document.createElement("textarea");
      box.className = "course-textarea";
      box.setAttribute("aria-labelledby", label.id);
      function draw() {
        label.innerHTML = model.get("label_html");
        hint.textContent = model.get("hint");
        hint.hidden = !model.get("hint");
        if (model.get("hint")) box.setAttribute("aria-describedby", hint.id); else box.removeAttribute("aria-describedby");
        box.rows = model.get("rows");
      }
      box.value = model.get("value");
      box.addEventListener("change", () => { model.set("value", box.value); model.save_changes(); });
      model.on("change:value", () => { if (box.value !== model.get("value")) box.value = model.get("value"); });
      model.on("change:label_html change:hint change:rows", draw);
      draw();
      el.append(label, hint, box);
    }
    export default { render };
    """
    _css = """
    .course-text-label { margin: 0 0 0.5em; }
    .course-text-label p { margin: 0 0 0.5em; }
    .course-hint { color: #4c6272; margin: 0 0 0.5em; }
    .course-textarea { display: block; box-sizing: border-box; width: 100%; max-width: 100%; padding: 0.5em;
      border: 2px solid #4c6272; font: inherit; font-size: 1.1875rem; line-height: 1.5; color: #212b32;
      background: #ffffff; resize: vertical; }
    """
    value = traitlets.Unicode("").tag(sync=True)
    label_html = traitlets.Unicode("").tag(sync=True)
    hint = traitlets.Unicode("").tag(sync=True)
    rows = traitlets.Int(6).tag(sync=True)


def styles():
    """A widget carrying the course styles (harmless when shown more than once)."""
    return html_widget(STYLES)


class CourseBox(widgets.VBox):
    """The frame of every component: styles, any notice about the record, then the parts.

    ``kind`` becomes the class ``course-<kind>`` that styles and browser tests find.
    """

    def __init__(self, parts, kind, record):
        notice = notice_widget(record)
        super().__init__([styles(), *([notice] if notice else []), *parts], **plain_look())
        self.add_class("course-box")
        self.add_class(f"course-{kind}")


def button(label, handler, on_error, extra_class=None):
    """A button whose label wraps; any error in ``handler`` goes to ``on_error`` as a
    plain message, never as a traceback."""
    made = widgets.Button(description=label, tooltip=label, layout=shared(widgets.Layout, width="auto", height="auto"),
                          style=shared(widgets.ButtonStyle))
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
    return html_widget(
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
    return html_widget(STYLES + f"<div class='course-box course-notice' role='alert'>{body}</div>")

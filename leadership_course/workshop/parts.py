"""Small widgets for the workshop pages: a focusable status region and heading, a Send button
that carries the answers the person can see, and a form of text boxes that sends its values.

Why the last two: ipywidgets holds back a widget's value changes while an earlier change is
still on its way to the kernel, but sends a button's click at once. A quick click (or Enter)
can therefore reach the kernel before the last answer chosen or the last character typed,
and the kernel would act on an old value. Here the click itself carries the values, so the
kernel acts on exactly what is on the screen. (The passcode is never kept in widget state.)
"""

import anywidget
import traitlets

from ..components.common import LiveRegion, plain_look, safe_callback

_BUTTON_CLASSES = "jupyter-widgets jupyter-button widget-button course-action"


class StatusRegion(LiveRegion):
    """A LiveRegion that can also take the keyboard focus (``.focus()``), for when the
    control that had it has gone (the Send button after sending, for example)."""

    _esm = """
    function render({ model, el }) {
      const region = document.createElement("div");
      region.setAttribute("role", "status");
      region.setAttribute("aria-live", "polite");
      region.setAttribute("tabindex", "-1");
      region.className = "course-feedback";
      const update = () => { region.innerHTML = model.get("html"); };
      model.on("change:html", update);
      model.on("msg:custom", (message) => { if (message && message.do === "focus") region.focus(); });
      update();
      el.appendChild(region);
    }
    export default { render };
    """

    def focus(self):
        self.send({"do": "focus"})


class FocusHeading(anywidget.AnyWidget):
    """A heading that can take the keyboard focus (``.focus()``): where the focus goes when a
    part of the page is replaced (after Join, after signing in).

    The request is a synced flag, not a message, because the heading is often brand new when
    it is asked for: a message would arrive before the browser has drawn it, and be lost.
    The browser focuses the heading as soon as it is drawn and visible, then clears the flag."""

    _esm = """
    function render({ model, el }) {
      const heading = document.createElement("h" + model.get("level"));
      heading.setAttribute("tabindex", "-1");
      heading.className = "course-focus-heading";
      const update = () => { heading.textContent = model.get("text"); };
      function focusWhenShown() {
        let tries = 0;
        const attempt = () => {
          if (!model.get("focus_requested")) return;
          if (heading.isConnected && heading.offsetParent !== null) {
            heading.focus();
            model.set("focus_requested", false);
            model.save_changes();
          } else if (++tries < 100) {
            setTimeout(attempt, 50);
          }
        };
        attempt();
      }
      model.on("change:text", update);
      model.on("change:focus_requested", () => { if (model.get("focus_requested")) focusWhenShown(); });
      update();
      el.appendChild(heading);
      if (model.get("focus_requested")) focusWhenShown();
    }
    export default { render };
    """
    text = traitlets.Unicode("").tag(sync=True)
    level = traitlets.Int(2).tag(sync=True)
    focus_requested = traitlets.Bool(False).tag(sync=True)

    def __init__(self, text="", level=2):
        super().__init__(text=text, level=level, **plain_look())

    def focus(self):
        self.focus_requested = False  # so that the next line is a change, even if still set
        self.focus_requested = True


class SendButton(anywidget.AnyWidget):
    """A button that sends, with its click, the option checked in each choice group of the
    enclosing ``.course-<kind>`` box (None where nothing is checked)."""

    _esm = """
    function render({ model, el }) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "%s";
      const update = () => {
        button.textContent = model.get("label");
        button.disabled = model.get("disabled");
      };
      button.addEventListener("click", () => {
        const box = el.closest("." + model.get("container_class"));
        const groups = box ? [...box.querySelectorAll("fieldset.course-choice-group")] : [];
        const answers = groups.map((group) => {
          const checked = group.querySelector("input:checked");
          return checked ? Number(checked.value) : null;
        });
        model.send({ event: "click", answers });
      });
      model.on("change:label change:disabled", update);
      model.on("msg:custom", (message) => { if (message && message.do === "focus") button.focus(); });
      update();
      el.appendChild(button);
    }
    export default { render };
    """ % _BUTTON_CLASSES
    label = traitlets.Unicode("").tag(sync=True)
    disabled = traitlets.Bool(False).tag(sync=True)
    container_class = traitlets.Unicode("course-box").tag(sync=True)

    def __init__(self, label, handler, on_error, container_class):
        super().__init__(label=label, container_class=container_class)  # own Layout: set_shown() uses it
        self._handler = safe_callback(on_error)(handler)
        self.on_msg(self._message)

    def _message(self, _widget, content, _buffers):
        if isinstance(content, dict) and content.get("event") == "click":
            answers = content.get("answers")
            self._handler(answers if isinstance(answers, list) else None)

    def click(self):
        """As a click with no answers from the page: the handler uses the widgets' values
        (for tests, and for front ends that do not send them)."""
        self._handler(None)

    def focus(self):
        self.send({"do": "focus"})


class FieldsForm(anywidget.AnyWidget):
    """Labelled text boxes and a submit button in a <form>: Enter in any box, or the button,
    sends every box's text with the submission. ``fields`` is a list of
    {name, label, type ("text" or "password"), value, autocomplete}."""

    _esm = """
    let forms = 0;
    function render({ model, el }) {
      const form = document.createElement("form");
      form.className = "course-fields-form";
      form.noValidate = true;
      const prefix = "course-field-" + (++forms) + "-" + Math.random().toString(36).slice(2, 8);
      const inputs = {};
      for (const field of model.get("fields")) {
        const row = document.createElement("div");
        row.className = "course-field";
        const label = document.createElement("label");
        const input = document.createElement("input");
        input.id = prefix + "-" + field.name;
        label.htmlFor = input.id;
        label.textContent = field.label;
        input.type = field.type || "text";
        input.name = field.name;
        input.value = field.value || "";
        input.autocomplete = field.autocomplete || "off";
        input.spellcheck = false;
        if (field.type !== "password") input.autocapitalize = "characters";
        row.append(label, input);
        form.append(row);
        inputs[field.name] = input;
      }
      const button = document.createElement("button");
      button.type = "submit";
      button.className = "%s";
      button.textContent = model.get("button");
      form.append(button);
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        const values = {};
        for (const [name, input] of Object.entries(inputs)) values[name] = input.value;
        model.send({ event: "submit", values });
      });
      model.on("msg:custom", (message) => {
        if (!message) return;
        const input = inputs[message.name];
        if (message.do === "clear" && input) input.value = "";
        if (message.do === "focus" && input) input.focus();
      });
      el.appendChild(form);
    }
    export default { render };
    """ % _BUTTON_CLASSES
    _css = """
    .course-fields-form { display: flex; flex-direction: column; gap: 0.6em; margin: 0.5em 0; }
    .course-field { display: flex; flex-wrap: wrap; align-items: center; gap: 0.3em 0.8em; }
    .course-field label { min-width: 9em; font-size: 1rem; }
    .course-field input { font-size: 1rem; line-height: 1.5; padding: 0.4rem 0.5rem; min-height: 2.5rem;
      border: 2px solid #768692; border-radius: 2px; width: 16em; max-width: 100%; box-sizing: border-box; }
    body.course-page .course-fields-form input:focus-visible {
      outline-offset: -3px !important; box-shadow: inset 0 0 0 6px #ffeb3b !important; }
    .course-fields-form button { align-self: flex-start; }
    """
    fields = traitlets.List(traitlets.Dict()).tag(sync=True)
    button = traitlets.Unicode("").tag(sync=True)

    def __init__(self, fields, button, handler, on_error):
        super().__init__(fields=list(fields), button=button, **plain_look())
        self._handler = safe_callback(on_error)(handler)
        self.on_msg(self._message)

    def _message(self, _widget, content, _buffers):
        if isinstance(content, dict) and content.get("event") == "submit" and isinstance(content.get("values"), dict):
            names = {field["name"] for field in self.fields}
            self._handler({name: str(value)[:200] for name, value in content["values"].items() if name in names})

    def submit(self, **values):
        """As if the person typed ``values`` (other boxes keep their first value) and submitted."""
        self._handler({**{f["name"]: f.get("value", "") for f in self.fields}, **values})

    def clear(self, name):
        self.send({"do": "clear", "name": name})

    def focus(self, name):
        self.send({"do": "focus", "name": name})

"""A group of radio buttons or checkboxes inside <fieldset> with a <legend>.

ipywidgets' RadioButtons give the options no shared name and no group label, so a screen
reader does not hear the question with its options and each option is its own Tab stop.
This widget renders native inputs that share a name, in a labelled fieldset: Tab reaches
the group once and the arrow keys move between radio options.

Options can be shown in an order of their own (``order``), for example shuffled per learner
with ``shuffled_order``, so that an option's place says nothing about whether it is right;
``value`` always holds the options' own numbers, whatever the order on screen."""

import hashlib
import random

import anywidget
import traitlets

from .common import plain_look


class ChoiceGroup(anywidget.AnyWidget):
    """``value`` holds the numbers of the chosen options (one at most unless ``multiple``)."""

    _esm = """
    let groups = 0;
    function render({ model, el }) {
      const fieldset = document.createElement("fieldset");
      fieldset.className = "course-choice-group";
      const legend = document.createElement("legend");
      const list = document.createElement("div");
      list.className = "course-options";
      fieldset.append(legend, list);
      const name = "course-choice-" + (++groups) + "-" + Math.random().toString(36).slice(2, 8);
      const inputs = () => [...list.querySelectorAll("input")];
      // A locked group (disabled) keeps its options focusable and readable: they are
      // aria-disabled and refuse changes, so Tab still reaches the question and its answer.
      function sync() {
        const chosen = new Set(model.get("value"));
        const locked = model.get("disabled");
        fieldset.classList.toggle("course-locked", locked);
        for (const input of inputs()) {
          input.checked = chosen.has(Number(input.value));
          input.setAttribute("aria-disabled", locked ? "true" : "false");
        }
      }
      function draw() {
        legend.innerHTML = model.get("legend_html");
        list.className = "course-options" + (model.get("horizontal") ? " course-options-row" : "");
        list.replaceChildren();
        const options = model.get("options");
        const order = model.get("order").length ? model.get("order") : options.map((_, i) => i);
        order.forEach((i) => {
          const text = options[i];
          const label = document.createElement("label");
          const input = document.createElement("input");
          input.type = model.get("multiple") ? "checkbox" : "radio";
          input.name = name;
          input.value = String(i);
          input.addEventListener("click", (event) => {
            if (model.get("disabled")) event.preventDefault();
          });
          input.addEventListener("change", () => {
            model.set("value", inputs().filter((x) => x.checked).map((x) => Number(x.value)));
            model.save_changes();
          });
          label.append(input, document.createTextNode(" " + text));
          list.append(label);
        });
        sync();
      }
      model.on("change:options change:order change:legend_html change:multiple change:horizontal", draw);
      model.on("change:value change:disabled", sync);
      model.on("msg:custom", (message) => {
        if (!message || !message.focus) return;
        const all = inputs();
        (all.find((x) => x.checked) || all[0] || fieldset).focus();
      });
      draw();
      el.append(fieldset);
    }
    export default { render };
    """
    # The NHS.UK design system's radios and checkboxes: 40 px, a 2 px dark border, a
    # whole-row label, a clear mark when chosen, and no fading when the group is locked.
    _css = """
    .course-choice-group { border: 0; margin: 0.5em 0 1em; padding: 0; min-width: 0; }
    .course-choice-group legend { padding: 0; margin-bottom: 0.6em; font-size: 1.1875rem; line-height: 1.5;
      font-weight: 600; }
    .course-choice-group legend p { margin: 0; }
    .course-options { display: flex; flex-direction: column; gap: 0.5em; }
    .course-options-row { flex-direction: row; flex-wrap: wrap; gap: 0.5em 1.5em; }
    .course-options label { display: flex; align-items: center; gap: 0.75em; min-height: 40px;
      line-height: 1.5; cursor: pointer; font-size: 1.1875rem; color: #212b32; }
    .course-options input { appearance: none; -webkit-appearance: none; width: 40px; height: 40px; margin: 0;
      flex: none; border: 2px solid #4c6272; background: #ffffff; cursor: pointer; }
    .course-options input[type="radio"] { border-radius: 50%; }
    .course-options input[type="radio"]:checked { background: radial-gradient(circle, #212b32 0 10px, #ffffff 11px); }
    .course-options input[type="checkbox"]:checked { background: #ffffff
      url("data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 36 36'%3E%3Cpath d='M7 18l7 7 15-15' fill='none' stroke='%23212b32' stroke-width='5'/%3E%3C/svg%3E")
      center / 28px no-repeat; }
    .course-locked label { cursor: default; }
    .course-locked input { cursor: default; }
    """
    options = traitlets.List(traitlets.Unicode()).tag(sync=True)
    value = traitlets.List(traitlets.Int()).tag(sync=True)
    order = traitlets.List(traitlets.Int()).tag(sync=True)
    multiple = traitlets.Bool(False).tag(sync=True)
    horizontal = traitlets.Bool(False).tag(sync=True)
    disabled = traitlets.Bool(False).tag(sync=True)
    legend_html = traitlets.Unicode("").tag(sync=True)

    def __init__(self, options, legend_html="", multiple=False, horizontal=False, value=(), order=()):
        super().__init__(options=list(options), legend_html=legend_html, multiple=multiple,
                         horizontal=horizontal, value=list(value), order=list(order), **plain_look())

    def focus(self):
        """Give the keyboard focus to the chosen option, else the first one shown."""
        self.send({"focus": True})

    @traitlets.validate("order")
    def _valid_order(self, proposal):
        order = list(proposal["value"])
        if order and sorted(order) != list(range(len(self.options))):
            raise traitlets.TraitError("the order must list every option number once")
        return order

    @property
    def shown_options(self):
        """The option texts in the order they appear on screen."""
        return [self.options[i] for i in (self.order or range(len(self.options)))]

    @traitlets.validate("value")
    def _valid_value(self, proposal):
        chosen = sorted(set(proposal["value"]))
        if any(not 0 <= i < len(self.options) for i in chosen):
            raise traitlets.TraitError(f"options are numbered 0 to {len(self.options) - 1}")
        if not self.multiple and len(chosen) > 1:
            raise traitlets.TraitError("only one option can be chosen")
        return chosen


def shuffled_order(count, *seed):
    """A display order for ``count`` options that is the same every time for the same ``seed``
    (for example the learner's record folder and the question), and differs between learners."""
    order = list(range(count))
    random.Random(hashlib.sha256("|".join(map(str, seed)).encode()).digest()).shuffle(order)
    return order

"""Branching scenario: choices change the state, the state opens or closes later choices
and decides some endings; Back and Restart; a debrief that ties the path to the evidence."""


import anywidget
import traitlets

from ..conditions import condition_holds, follow_choice
from ..content import load_references
from ..record import now
from .common import CourseBox, FocusableHTML, LiveRegion, button, escape, hbox, html_widget, plain_look, safe_callback
from .markup import markdown
from .reference_pages import reference_html

OUTCOME_NAMES = {"positive": "a positive ending", "mixed": "a mixed ending", "difficult": "a difficult ending"}


class ScenarioWalk:
    """The rules of one scenario, with no display: where a path of choices leads."""

    def __init__(self, scenario):
        self.scenario = scenario
        self.nodes = scenario["nodes"]
        self.endings = scenario["endings"]

    def replay(self, path):
        """Follow saved steps from the start; return (valid steps, place, state).

        A step is {"node", "choice"}; steps that no longer fit the content are dropped."""
        place, state, kept = self.scenario["start"], dict(self.scenario.get("state") or {}), []
        for step in path if isinstance(path, list) else []:
            if place in self.endings or not isinstance(step, dict) or step.get("node") != place:
                break
            index = step.get("choice")
            if not isinstance(index, int) or isinstance(index, bool) or index not in self.open_choices(place, state):
                break
            place, state = self.choose(place, state, index)
            kept.append({"node": step["node"], "choice": index,
                         "text": self.nodes[step["node"]]["choices"][index]["text"]})
        return kept, place, state

    def open_choices(self, node_id, state):
        """Numbers of the choices on offer at a node, given the state."""
        return [i for i, choice in enumerate(self.nodes[node_id]["choices"])
                if "requires" not in choice or condition_holds(choice["requires"], state)]

    def choose(self, node_id, state, index):
        """The place and state after taking choice ``index`` at ``node_id``."""
        return follow_choice(self.nodes[node_id]["choices"][index], state)


class Scenario(CourseBox):
    """The learner's view of a scenario; the path is saved after every step."""

    def __init__(self, scenario, record):
        self.scenario = scenario
        self.record = record
        self.walk = ScenarioWalk(scenario)
        self.heading = html_widget(self._heading_html())
        self.consequence = LiveRegion()
        self.announcer = LiveRegion(kind="unseen")  # reads out the new step, which the page shows
        self.body = FocusableHTML()
        self.choices = ChoiceButtons(safe_callback(self._report)(self.pick))
        self.back_button = button("Back", self.back, self._report, extra_class="course-secondary")
        self.restart_button = button("Restart", self.restart, self._report, extra_class="course-secondary")
        self.standing = html_widget()
        saved = record.activity(scenario["id"])
        self.runs = saved.get("runs") if isinstance(saved.get("runs"), list) else []
        self.path, self.place, self.state = self.walk.replay(saved.get("path", []))
        super().__init__([self.heading, self.consequence, self.announcer, self.body, self.choices, self.standing,
                          hbox([self.back_button, self.restart_button])], "scenario", record)
        self.show()

    def _report(self, message):
        self.consequence.html = message

    def _heading_html(self):
        s = self.scenario
        parts = [f"<h3>Scenario: {escape(s['title'])}</h3>"]
        if s.get("setting"):
            parts.append(f"<p><strong>Setting:</strong> {escape(s['setting'])}</p>")
        if s.get("content_note"):
            parts.append("<div class='course-warning'><p class='course-warning-label'>"
                         "<span class='course-unseen'>Important: </span>Content note</p>"
                         f"<p>{escape(s['content_note'])}</p></div>")
        return "".join(parts)

    @property
    def at_ending(self):
        return self.place in self.walk.endings

    def visible_choices(self):
        """(number, text) of the choices on offer now."""
        if self.at_ending:
            return []
        node = self.walk.nodes[self.place]
        return [(i, node["choices"][i]["text"]) for i in self.walk.open_choices(self.place, self.state)]

    def pick(self, index):
        """Take the choice with this number (as clicking its button does)."""
        if index not in self.walk.open_choices(self.place, self.state):
            raise ValueError(f"choice {index} is not on offer at '{self.place}'")
        choice = self.walk.nodes[self.place]["choices"][index]
        self.path.append({"node": self.place, "choice": index, "text": choice["text"]})
        self.place, self.state = self.walk.choose(self.place, self.state, index)
        self.consequence.html = f"<p><strong>What happens next:</strong> {markdown(choice['consequence'])}</p>"
        if self.at_ending:
            self.finish()
        self.save()
        self.show(keep_consequence=True)

    def back(self):
        if not self.path:
            self.consequence.html = "<p>You are at the start of the scenario.</p>"
            return
        self.path, self.place, self.state = self.walk.replay(self.path[:-1])
        self.consequence.html = "<p>You went back one step. Choose again.</p>"
        self.save()
        self.show(keep_consequence=True)

    def restart(self):
        self.path, self.place, self.state = self.walk.replay([])
        self.consequence.html = "<p>You are back at the start. Try a different path if you like.</p>"
        self.save()
        self.show(keep_consequence=True)

    def finish(self):
        ending = self.walk.endings[self.place]
        self.runs.append({"path": list(self.path), "ending": self.place, "ending_title": ending["title"],
                          "outcome": ending["outcome"], "state": dict(self.state), "finished_at": now()})

    def save(self):
        self.record.update(self.scenario["id"], {
            "type": "scenario", "title": self.scenario["title"], "module": self.scenario["module"],
            "path": self.path, "place": self.place, "state": self.state, "runs": self.runs,
            "completed": bool(self.runs),
        })

    def show(self, keep_consequence=False):
        """Draw the current step or ending. After an action (``keep_consequence``) the new
        step's story or the ending is announced, and the focus goes to its heading; the view
        shows the consequence above it, so that the learner sees what their choice led to."""
        if not keep_consequence:
            self.consequence.html = ""
        if self.at_ending:
            ending = self.walk.endings[self.place]
            self.body.value = self._ending_html()
            announcement = (f"<p>Ending: {escape(ending['title'])}. Outcome: {OUTCOME_NAMES[ending['outcome']]}.</p>"
                            f"{markdown(ending['text'])}")
        else:
            node = self.walk.nodes[self.place]
            step = len(self.path) + 1
            self.body.value = f"<h4>Step {step}</h4>{markdown(node['text'])}"
            announcement = f"<p>Step {step}.</p>{markdown(node['text'])}"
        self.choices.show(self.visible_choices())
        self.back_button.disabled = not self.path
        self.standing.value = self._standing_html()
        if keep_consequence:
            self.announcer.html = announcement
            self.body.focus(show_from="[role='status'].course-feedback")

    def _standing_html(self):
        parts = []
        labels = self.scenario.get("state_labels") or {}
        if labels:
            items = "".join(f"<li>{escape(label)}: {self.state.get(name, 0)}</li>" for name, label in labels.items())
            parts.append(f"<p><strong>Where things stand</strong> (0 is where you started):</p><ul>{items}</ul>")
        reached = self.endings_reached()
        if reached:
            total = len(self.walk.endings)
            items = "".join(f"<li>{escape(title)} ({OUTCOME_NAMES[outcome]})</li>" for title, outcome in reached)
            parts.append(f"<p><strong>Endings you have reached:</strong> {len(reached)} of {total}.</p><ul>{items}</ul>")
        return "".join(parts)

    def endings_reached(self):
        """(title, outcome) of each ending this learner has reached, in the order first reached."""
        seen = []
        for run in self.runs:
            ending = self.walk.endings.get(run.get("ending")) if isinstance(run, dict) else None
            if ending and (ending["title"], ending["outcome"]) not in seen:
                seen.append((ending["title"], ending["outcome"]))
        return seen

    def _ending_html(self):
        ending = self.walk.endings[self.place]
        steps = "".join(f"<li>{escape(step['text'])}</li>" for step in self.path)
        parts = [
            f"<h4>Ending: {escape(ending['title'])}</h4>",
            f"<p><strong>Outcome:</strong> {OUTCOME_NAMES[ending['outcome']]}.</p>",
            markdown(ending["text"]),
            f"<h4>Your path</h4><ol>{steps}</ol>",
            f"<h4>Debrief</h4>{markdown(ending['debrief'])}",
        ]
        if self.scenario.get("debrief"):
            parts.append(markdown(self.scenario["debrief"]))
        references = reference_list(self.scenario.get("references") or [])
        if references:
            parts.append(f"<h4>Evidence</h4>{references}")
        parts.append("<p>Select Back to change your last choice, or Restart to try another path.</p>")
        return "".join(parts)


def reference_list(keys):
    """An HTML list of the references with these keys (unknown keys are skipped)."""
    if not keys:
        return ""
    try:
        known = load_references()
    except Exception:  # a broken reference list must not hide the scenario
        known = {}
    items = [f"<li>{reference_html(known[key])}</li>" for key in keys if key in known]
    return f"<ul>{''.join(items)}</ul>" if items else ""


class ChoiceButtons(anywidget.AnyWidget):
    """The choices on offer at a step: a labelled group of buttons. Tab reaches each one,
    and the arrow keys (and Home and End) move between them, as in any group of options.
    Selecting one calls ``on_choose(number)``; a click on the buttons of an earlier step
    (sent before they were replaced) is ignored."""

    _esm = """
    function render({ model, el }) {
      const group = document.createElement("div");
      group.setAttribute("role", "group");
      const label = document.createElement("p");
      label.className = "course-choices-label";
      label.id = "course-choices-" + Math.random().toString(36).slice(2, 10);
      label.innerHTML = "<strong>What do you do?</strong>";
      group.setAttribute("aria-labelledby", label.id);
      const list = document.createElement("div");
      list.className = "course-choices";
      group.append(label, list);
      const buttons = () => [...list.querySelectorAll("button")];
      function draw() {
        const options = model.get("options");
        group.hidden = options.length === 0;
        list.replaceChildren(...options.map(([number, text]) => {
          const choice = document.createElement("button");
          choice.type = "button";
          choice.className = "course-choice-button";
          choice.textContent = text;
          choice.addEventListener("click", () => model.send({ choose: number, round: model.get("round") }));
          return choice;
        }));
      }
      list.addEventListener("keydown", (event) => {
        const all = buttons();
        const at = all.indexOf(document.activeElement);
        if (at < 0) return;
        const moves = { ArrowDown: at + 1, ArrowRight: at + 1, ArrowUp: at - 1, ArrowLeft: at - 1,
                        Home: 0, End: all.length - 1 };
        if (!(event.key in moves)) return;
        event.preventDefault();
        all[(moves[event.key] + all.length) % all.length].focus();
      });
      model.on("msg:custom", (message) => {
        if (message && message.focus && buttons().length) buttons()[0].focus();
      });
      model.on("change:options", draw);
      draw();
      el.append(group);
    }
    export default { render };
    """
    _css = """
    .course-choices-label { margin: 1em 0 0.5em; }
    .course-choices { display: flex; flex-direction: column; align-items: flex-start; gap: 0.75em; }
    """
    options = traitlets.List(traitlets.Tuple(traitlets.Int(), traitlets.Unicode())).tag(sync=True)
    round = traitlets.Int(0).tag(sync=True)

    def __init__(self, on_choose):
        super().__init__(**plain_look())
        self.on_choose = on_choose
        self.on_msg(self._message)

    def show(self, options):
        """Offer these (number, text) choices in place of the last ones."""
        self.round += 1
        self.options = [(number, text) for number, text in options]

    @property
    def texts(self):
        return [text for _, text in self.options]

    def choose(self, number):
        """Take a choice, as selecting its button does."""
        self._message(self, {"choose": number, "round": self.round}, [])

    def focus(self):
        self.send({"focus": True})

    def _message(self, _, content, buffers):
        if not isinstance(content, dict) or content.get("round") != self.round:
            return
        number = content.get("choose")
        if any(number == offered for offered, _ in self.options):
            self.on_choose(number)

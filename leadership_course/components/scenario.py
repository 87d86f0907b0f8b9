"""Branching scenario: choices change the state, the state opens or closes later choices
and decides some endings; Back and Restart; a debrief that ties the path to the evidence."""


from ..conditions import condition_holds, follow_choice
from ..content import load_references
from ..record import now
from .common import CourseBox, LiveRegion, button, escape, hbox, html_widget, vbox
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
        self.body = html_widget()
        self.choices = vbox()
        self.choices.add_class("course-choices")
        self.back_button = button("Back", self.back, self._report)
        self.restart_button = button("Restart", self.restart, self._report)
        self.standing = html_widget()
        saved = record.activity(scenario["id"])
        self.runs = saved.get("runs") if isinstance(saved.get("runs"), list) else []
        self.path, self.place, self.state = self.walk.replay(saved.get("path", []))
        super().__init__([self.heading, self.consequence, self.body, self.choices, self.standing,
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
            parts.append(f"<p><strong>Content note:</strong> {escape(s['content_note'])}</p>")
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
        if not keep_consequence:
            self.consequence.html = ""
        if self.at_ending:
            self.body.value = self._ending_html()
            self.choices.children = []
        else:
            node = self.walk.nodes[self.place]
            step = len(self.path) + 1
            self.body.value = f"<h4>Step {step}</h4>{markdown(node['text'])}<p><strong>What do you do?</strong></p>"
            self.choices.children = [
                button(text, lambda i=i: self.pick(i), self._report, extra_class="course-choice")
                for i, text in self.visible_choices()
            ]
        self.back_button.disabled = not self.path
        self.standing.value = self._standing_html()
        if keep_consequence:  # the learner acted: keep keyboard focus in the scenario
            (self.choices.children[0] if self.choices.children else self.restart_button).focus()

    def _standing_html(self):
        labels = self.scenario.get("state_labels") or {}
        if not labels:
            return ""
        items = "".join(f"<li>{escape(label)}: {self.state.get(name, 0)}</li>" for name, label in labels.items())
        return f"<p><strong>Where things stand</strong> (0 is where you started):</p><ul>{items}</ul>"

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

"""Loading and checking the course content: YAML files in ``modules/content/``.

Every problem is reported with the file, the item and the field, so that an author
who is not a programmer can find and fix it. The format is documented in
``docs/content-format.md``.
"""

import os
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

from .conditions import ConditionError, condition_holds, condition_names, follow_choice
from .prepared import read_prepared

CONTENT_DIR_VARIABLE = "COURSE_CONTENT_DIR"
ACTIVITY_TYPES = ("knowledge_check", "scenario", "self_check", "reflection")
#: Content types: the activities, and plans (reflections answered together in one card).
CONTENT_TYPES = (*ACTIVITY_TYPES, "plan")
QUESTION_KINDS = ("single", "multiple", "true_false")
OUTCOMES = ("positive", "mixed", "difficult")
REFLECTION_KINDS = ("reflection", "pledge", "goals")
_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
#: A finished sentence ends with . ! or ?, perhaps followed by closing quotes or brackets.
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]*]*$")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
#: What a choice's text does that must never be hidden behind a score: checking that someone is
#: safe, reporting, safeguarding, asking a person's consent, or asking what matters to them.
SAFETY_OR_CONSENT = {
    "checks that someone is safe": r"\b(is|are|feels?|be|being)\s+safe\b|\bsafe\s+(to|in)\b|\bsafety\s+check"
                                   r"|\b(joint|kitchen|home|risk|falls?|capacity|clinical|safety)\s+(\w+\s+)?assessment\b",
    "reports": r"\b(incident|safeguarding)\s+report|\breport(s|ing)?\s+(it|this|the\s+(incident|error|harm|concern|fall))\b",
    "safeguards": r"\bsafeguard",
    "asks a person's consent": r"\b(consent|agreement|permission)\b"
                               r"|\bask\w*\s+(\w+\s+){0,3}(whether|if)\s+(he|she|they)\s+(would|wants?|agrees?|is happy)\b"
                               r"|\bhow\s+(he|she|they)\s+would\s+like\b",
    "asks what matters to the person": r"\bwhat\s+matters\b|\bwhat\s+(he|she|they)\s+wants?\b",
}
#: A scenario fails when its best ending is open on fewer than this share of the arrivals at
#: its last decision, unless it says why in 'rare_best_ending_because'.
BEST_ENDING_SHARE = 0.1


def safety_or_consent(text):
    """What a choice's text does that must stay on offer (see SAFETY_OR_CONSENT), or None."""
    for what, pattern in SAFETY_OR_CONSENT.items():
        if re.search(pattern, " ".join(str(text).split()), re.I):
            return what
    return None


def ends_a_sentence(text):
    """True when the text ends a sentence: with . ! or ?, not with a trailing "..." or mid-word."""
    text = str(text).rstrip()
    return bool(_SENTENCE_END.search(text)) and not re.search(r"(\.\.\.|…)[\"'”’)\]*]*$", text)


class ContentError(Exception):
    """One or more problems in a content file; ``problems`` lists them all."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def find_content_dir(start=None):
    """The folder holding ``course.yaml``: from $COURSE_CONTENT_DIR, or found by
    looking in ``content/`` and ``modules/content/`` of the working folder and its parents."""
    if os.environ.get(CONTENT_DIR_VARIABLE):
        return Path(os.environ[CONTENT_DIR_VARIABLE])
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        for candidate in (folder / "content", folder / "modules" / "content"):
            if (candidate / "course.yaml").is_file():
                return candidate
    raise ContentError(
        [
            "The course content folder was not found: open the notebooks from the "
            f"course's modules folder, or set {CONTENT_DIR_VARIABLE}."
        ]
    )


class _Checker:
    """Collects the problems found in one file."""

    def __init__(self, filename):
        self.filename = filename
        self.problems = []

    def problem(self, where, message):
        location = f"{self.filename}: {where}: " if where else f"{self.filename}: "
        self.problems.append(location + message)

    def field(self, mapping, key, where, kind=str, required=True):
        """The value of a field, reporting a missing field or a wrong kind of value."""
        place = f"{where}.{key}" if where else key
        if not isinstance(mapping, dict):
            self.problem(where or "(top)", "expected a set of named fields")
            return None
        if key not in mapping or mapping[key] is None:
            if required:
                self.problem(place, f"'{key}' is missing")
            return None
        value = mapping[key]
        if kind is str and isinstance(value, str) and not value.strip():
            self.problem(place, f"'{key}' is empty")
            return None
        if kind is int and isinstance(value, bool):
            self.problem(place, f"'{key}' must be a whole number")
            return None
        if not isinstance(value, kind):
            hint = " (put it in quotes: \"Yes\")" if kind is str and isinstance(value, bool) else ""
            self.problem(place, f"'{key}' must be {_kind_name(kind)}, not {_kind_name(type(value))}{hint}")
            return None
        return value

    def sentence(self, value, where):
        """Report explanatory text (feedback, a debrief) that stops before the end of a sentence."""
        if isinstance(value, str) and value.strip() and not ends_a_sentence(value):
            self.problem(where, "this text stops mid-sentence: end it with a full stop, ! or ?")

    def unique_id(self, value, where, seen):
        if value is None:
            return
        if not _ID.match(str(value)):
            self.problem(where, f"id '{value}' must use lower-case letters, digits and dashes")
        elif value in seen:
            self.problem(where, f"id '{value}' is used twice")
        seen.add(value)

    def done(self, value):
        if self.problems:
            raise ContentError(self.problems)
        return value


def _kind_name(kind):
    return {
        str: "text",
        int: "a whole number",
        bool: "true or false",
        list: "a list",
        dict: "a set of named fields",
    }.get(kind, kind.__name__ if isinstance(kind, type) else str(kind))


def read_yaml(path):
    """Parse one YAML file, turning syntax errors into a ContentError naming the line."""
    import yaml  # only here: pages read prepared content (prepared.py)

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContentError([f"{path.name}: the file does not exist"]) from None
    except UnicodeDecodeError:
        raise ContentError([f"{path.name}: the file is not UTF-8 text"]) from None
    try:
        # PyYAML's safe loader, in C (libyaml) where the wheel has it: about ten times faster
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f"line {mark.line + 1}: " if mark else ""
        reason = getattr(error, "problem", None) or str(error)
        raise ContentError([f"{path.name}: {line}the YAML cannot be read ({reason})"]) from None


# --- the activity types -------------------------------------------------------------


def _check_common(check, data, expected_id, expected_type=None):
    if not isinstance(data, dict):
        check.problem("", "the file must hold a set of named fields (type, id, module, ...)")
        check.done(None)
    kind = check.field(data, "type", "")
    if kind is not None and kind not in CONTENT_TYPES:
        check.problem("type", f"'{kind}' is not one of {', '.join(CONTENT_TYPES)}")
    if expected_type and kind and kind != expected_type:
        check.problem("type", f"expected a {expected_type}, found a {kind}")
    activity_id = check.field(data, "id", "")
    if activity_id is not None and expected_id is not None and activity_id != expected_id:
        check.problem("id", f"'{activity_id}' does not match the file name '{expected_id}'")
    check.field(data, "module", "", int)
    check.field(data, "title", "")
    return kind


def check_question_basics(check, question, where, seen):
    """Check a question's id, kind and prompt (shared with assessments); return its kind."""
    check.unique_id(check.field(question, "id", where), f"{where}.id", seen)
    kind = check.field(question, "kind", where)
    if kind is not None and kind not in QUESTION_KINDS:
        check.problem(f"{where}.kind", f"'{kind}' is not one of {', '.join(QUESTION_KINDS)}")
    check.field(question, "prompt", where)
    return kind


def _check_knowledge_check(check, data):
    check.field(data, "intro", "", required=False)
    questions = check.field(data, "questions", "", list)
    if questions is None:
        return
    if not questions:
        check.problem("questions", "there must be at least one question")
    seen = set()
    for q_index, question in enumerate(questions):
        where = f"questions[{q_index + 1}]"
        kind = check_question_basics(check, question, where, seen)
        options = check.field(question, "options", where, list)
        if options is None:
            continue
        if not 2 <= len(options) <= 6:
            check.problem(f"{where}.options", "a question needs 2 to 6 options")
        correct = 0
        for o_index, option in enumerate(options):
            place = f"{where}.options[{o_index + 1}]"
            check.field(option, "text", place)
            check.sentence(check.field(option, "feedback", place), f"{place}.feedback")
            if check.field(option, "correct", place, bool):
                correct += 1
        if kind in ("single", "true_false") and correct != 1:
            check.problem(f"{where}.options", f"a {kind} question needs exactly one correct option, found {correct}")
        if kind == "multiple" and correct < 1:
            check.problem(f"{where}.options", "a multiple question needs at least one correct option")
        if kind == "true_false":
            texts = [str(o.get("text")) for o in options if isinstance(o, dict)]
            if sorted(texts) != ["False", "True"]:
                check.problem(f"{where}.options", "a true_false question has exactly two options, 'True' and 'False'")


def _check_self_check(check, data):
    check.field(data, "intro", "", required=False)
    scale = check.field(data, "scale", "", list)
    if scale is not None and not (3 <= len(scale) <= 7 and all(isinstance(s, str) and s.strip() for s in scale)):
        check.problem("scale", "the scale needs 3 to 7 text labels")
    dimensions = check.field(data, "dimensions", "", list)
    if not dimensions:
        if dimensions is not None:
            check.problem("dimensions", "there must be at least one dimension")
        return
    dim_ids, item_ids = set(), set()
    for d_index, dimension in enumerate(dimensions):
        where = f"dimensions[{d_index + 1}]"
        check.unique_id(check.field(dimension, "id", where), f"{where}.id", dim_ids)
        check.field(dimension, "label", where)
        items = check.field(dimension, "items", where, list)
        if items is not None and not items:
            check.problem(f"{where}.items", "a dimension needs at least one item")
        for i_index, item in enumerate(items or []):
            place = f"{where}.items[{i_index + 1}]"
            check.unique_id(check.field(item, "id", place), f"{place}.id", item_ids)
            check.field(item, "text", place)
            check.field(item, "reverse", place, bool, required=False)


def _check_reflection(check, data):
    check.field(data, "prompt", "")
    check.field(data, "hint", "", required=False)
    kind = check.field(data, "kind", "", required=False)
    if kind is not None and kind not in REFLECTION_KINDS:
        check.problem("kind", f"'{kind}' is not one of {', '.join(REFLECTION_KINDS)}")


def _check_plan(check, data):
    parts = check.field(data, "parts", "", list) or []
    if data.get("parts") == []:
        check.problem("parts", "a plan needs at least one part")
    seen = set()
    for index, part in enumerate(parts):
        where = f"parts[{index + 1}]"
        check.unique_id(check.field(part, "reflection", where), f"{where}.reflection", seen)
        check.field(part, "heading", where)


def _targets(next_value):
    """The (condition, target) pairs of a choice's ``next``: a name or a list of {when, go}."""
    if isinstance(next_value, str):
        return [(None, next_value)]
    return [(entry.get("when"), entry.get("go")) for entry in next_value if isinstance(entry, dict)]


def _check_scenario(check, data):
    check.field(data, "setting", "", required=False)
    check.field(data, "content_note", "", required=False)
    check.sentence(check.field(data, "debrief", "", required=False), "debrief")
    check.field(data, "references", "", list, required=False)
    check.field(data, "rare_best_ending_because", "", required=False)
    state = check.field(data, "state", "", dict, required=False) or {}
    for name, value in state.items():
        if not _NAME.match(str(name)):
            check.problem(f"state.{name}", "state names use lower-case letters, digits and _")
        if not isinstance(value, int) or isinstance(value, bool):
            check.problem(f"state.{name}", "the starting value must be a whole number")
    labels = check.field(data, "state_labels", "", dict, required=False) or {}
    for name in labels:
        if name not in state:
            check.problem(f"state_labels.{name}", f"'{name}' is not declared under 'state'")
    start = check.field(data, "start", "")
    nodes = check.field(data, "nodes", "", dict) or {}
    endings = check.field(data, "endings", "", dict) or {}
    for name in set(nodes) & set(endings):
        check.problem(f"endings.{name}", f"'{name}' is both a node and an ending")

    def check_condition(text, where):
        try:
            for name in condition_names(text):
                if name not in state:
                    check.problem(where, f"'{name}' is not declared under 'state'")
        except ConditionError as error:
            check.problem(where, str(error))

    edges = {}
    for node_id, node in nodes.items():
        where = f"nodes.{node_id}"
        if not _ID.match(str(node_id)):
            check.problem(where, f"node name '{node_id}' must use lower-case letters, digits and dashes")
        check.field(node, "text", where)
        choices = check.field(node, "choices", where, list) or []
        if isinstance(node, dict) and "choices" in node and not choices:
            check.problem(f"{where}.choices", "a node needs at least one choice (or make it an ending)")
        edges[node_id] = set()
        if choices and not any(isinstance(c, dict) and "requires" not in c for c in choices):
            check.problem(f"{where}.choices", "at least one choice must have no 'requires', so nobody is stuck")
        for c_index, choice in enumerate(choices):
            place = f"{where}.choices[{c_index + 1}]"
            check.field(choice, "text", place)
            check.field(choice, "consequence", place)
            if not isinstance(choice, dict):
                continue
            if "requires" in choice:
                check_condition(choice["requires"], f"{place}.requires")
            if check.field(choice, "always_open", place, bool, required=False) and "requires" in choice:
                check.problem(f"{place}.requires", "this choice offers help or asks for consent ('always_open'), "
                                                   "so it must be on offer on every path: remove 'requires'")
            elif "requires" in choice and not check.field(choice, "requires_because", place, required=False):
                does = safety_or_consent(choice.get("text", ""))
                if does:
                    check.problem(f"{place}.requires", f"this choice {does}, so it must be on offer on every path: "
                                                       "remove 'requires' (let 'next' depend on the state instead), "
                                                       "or say why it may be hidden in 'requires_because'")
            effects = check.field(choice, "effects", place, dict, required=False) or {}
            for name, change in effects.items():
                if name not in state:
                    check.problem(f"{place}.effects.{name}", f"'{name}' is not declared under 'state'")
                if not isinstance(change, int) or isinstance(change, bool):
                    check.problem(f"{place}.effects.{name}", "a change must be a whole number such as 1 or -1")
            next_value = choice.get("next")
            if next_value is None:
                check.problem(f"{place}.next", "'next' is missing")
                continue
            if not isinstance(next_value, (str, list)) or (isinstance(next_value, list) and not next_value):
                check.problem(f"{place}.next", "'next' must be a node or ending name, or a list of {when, go}")
                continue
            if isinstance(next_value, list):
                for t_index, entry in enumerate(next_value):
                    spot = f"{place}.next[{t_index + 1}]"
                    last = t_index == len(next_value) - 1
                    if not isinstance(entry, dict) or "go" not in entry:
                        check.problem(spot, "each entry needs 'go' (and 'when', except the last)")
                    elif "when" in entry:
                        if last:
                            check.problem(spot, "the last entry must have no 'when', so there is always a way on")
                        check_condition(entry["when"], f"{spot}.when")
                    elif not last:
                        check.problem(spot, "only the last entry may leave out 'when'")
            for _, target in _targets(next_value):
                if target not in nodes and target not in endings:
                    check.problem(f"{place}.next", f"'{target}' is neither a node nor an ending")
                else:
                    edges[node_id].add(target)

    for ending_id, ending in endings.items():
        where = f"endings.{ending_id}"
        check.field(ending, "title", where)
        check.sentence(check.field(ending, "text", where), f"{where}.text")
        check.sentence(check.field(ending, "debrief", where), f"{where}.debrief")
        outcome = check.field(ending, "outcome", where)
        if outcome is not None and outcome not in OUTCOMES:
            check.problem(f"{where}.outcome", f"'{outcome}' is not one of {', '.join(OUTCOMES)}")

    if start is not None and start not in nodes:
        check.problem("start", f"'{start}' is not a node")
        return
    if start is None or check.problems:
        return
    _check_graph(check, start, edges, endings)
    if not check.problems:
        _check_paths(check, data, nodes, endings)


def _check_graph(check, start, edges, endings):
    """Every node and ending reachable; no loops, so every path reaches an ending."""
    reached, order = set(), [start]
    while order:
        node = order.pop()
        if node in reached:
            continue
        reached.add(node)
        order.extend(edges.get(node, ()))
    for name in list(edges) + list(endings):
        if name not in reached:
            where = "endings" if name in endings else "nodes"
            check.problem(f"{where}.{name}", f"'{name}' cannot be reached from the start")
    visiting, finished = [], set()

    def visit(node):
        if node in finished or node in endings:
            return
        if node in visiting:
            loop = visiting[visiting.index(node):] + [node]
            check.problem(f"nodes.{node}", "a path loops back on itself: " + " -> ".join(loop))
            return
        visiting.append(node)
        for target in sorted(edges.get(node, ())):
            visit(target)
        visiting.pop()
        finished.add(node)

    visit(start)


#: A scenario whose paths give more (place, state) pairs than this is too big to check.
PATH_LIMIT = 100_000


def _check_paths(check, data, nodes, endings):
    """Follow every path with its state: each ending is reached, and each choice with
    'requires' is on offer, on at least one path."""
    start_state = tuple(sorted((data.get("state") or {}).items()))
    seen, offered, waiting = set(), set(), [(data["start"], start_state)]
    while waiting:
        place, state = waiting.pop()
        if (place, state) in seen or place in endings:
            seen.add((place, state))
            continue
        seen.add((place, state))
        if len(seen) > PATH_LIMIT:
            check.problem("nodes", f"the scenario has more than {PATH_LIMIT} places and states to check: make it smaller")
            return
        numbers = dict(state)
        for index, choice in enumerate(nodes[place]["choices"]):
            if "requires" in choice and not condition_holds(choice["requires"], numbers):
                continue
            offered.add((place, index))
            target, after = follow_choice(choice, numbers)
            waiting.append((target, tuple(sorted(after.items()))))
    reached = {place for place, _ in seen}
    for ending_id in endings:
        if ending_id not in reached:
            check.problem(f"endings.{ending_id}", "no path reaches this ending: the conditions on the way "
                                                  "('requires' and 'when') never let it happen")
    for node_id, node in nodes.items():
        if node_id not in reached:
            check.problem(f"nodes.{node_id}", "no path reaches this node: the conditions on the way never let it happen")
            continue
        for index, choice in enumerate(node["choices"]):
            if "requires" in choice and (node_id, index) not in offered:
                check.problem(f"nodes.{node_id}.choices[{index + 1}].requires",
                              f"this choice is never on offer: no path arrives here with {choice['requires']}")
    if check.problems or data.get("rare_best_ending_because"):
        return
    paths = scenario_paths(data)
    if paths["arrivals"] and paths["best_open"] < BEST_ENDING_SHARE * paths["arrivals"]:
        check.problem(f"endings.{paths['best'][0]}",
                      f"the best ending is open on only {paths['best_open']} of {paths['arrivals']} paths that arrive at "
                      f"its last decision ({', '.join(paths['last'])}), fewer than {BEST_ENDING_SHARE:.0%}: open the way "
                      "(fewer 'requires', gentler 'when'), or say why in 'rare_best_ending_because'")


def scenario_paths(data):
    """Count the paths through a checked scenario: how many reach each ending; how many arrive at
    the best (positive) ending's last decision, and on how many of those it is still open."""
    nodes, endings = data["nodes"], data["endings"]
    start = (data["start"], tuple(sorted((data.get("state") or {}).items())))
    after, order = {}, []

    def visit(pair):
        after[pair] = []
        if pair[0] in nodes:
            numbers = dict(pair[1])
            for choice in nodes[pair[0]]["choices"]:
                if "requires" in choice and not condition_holds(choice["requires"], numbers):
                    continue
                target, state = follow_choice(choice, numbers)
                after[pair].append((target, tuple(sorted(state.items()))))
                if after[pair][-1] not in after:
                    visit(after[pair][-1])
        order.append(pair)

    visit(start)
    ways = Counter({start: 1})
    for pair in reversed(order):
        for target in after[pair]:
            ways[target] += ways[pair]
    best = [name for name, ending in endings.items() if ending.get("outcome") == "positive"]
    open_to_best = {}
    for pair in order:
        open_to_best[pair] = pair[0] in best or any(open_to_best[target] for target in after[pair])
    last = sorted(name for name, node in nodes.items()
                  if any(target in best for choice in node["choices"] for _, target in _targets(choice["next"])))
    at_last = [(pair, count) for pair, count in ways.items() if pair[0] in last]
    return {
        "endings": {name: sum(count for pair, count in ways.items() if pair[0] == name) for name in endings},
        "best": best,
        "last": last,
        "arrivals": sum(count for _, count in at_last),
        "best_open": sum(count for pair, count in at_last if open_to_best[pair]),
    }


def path_report(content_dir=None):
    """One line per scenario: how many paths reach each ending, and how open the best one is."""
    lines = []
    for path in sorted(Path(content_dir or find_content_dir()).glob("*.yaml")):
        data = read_yaml(path)
        if not isinstance(data, dict) or data.get("type") != "scenario":
            continue
        paths = scenario_paths(data)
        endings = ", ".join(f"{name} {count}" for name, count in paths["endings"].items())
        why = " (rare, and the scenario says why)" if data.get("rare_best_ending_because") else ""
        lines.append(f"{path.stem}: {sum(paths['endings'].values())} paths ({endings}); the best ending is open on "
                     f"{paths['best_open']} of {paths['arrivals']} arrivals at {', '.join(paths['last'])}{why}")
    return lines


_CHECKS = {
    "knowledge_check": _check_knowledge_check,
    "scenario": _check_scenario,
    "self_check": _check_self_check,
    "reflection": _check_reflection,
    "plan": _check_plan,
}


def check_activity(data, filename, expected_id=None, expected_type=None):
    """Check one activity's data; return it or raise ContentError with every problem."""
    check = _Checker(filename)
    kind = _check_common(check, data, expected_id, expected_type)
    if kind in _CHECKS:
        _CHECKS[kind](check, data)
    return check.done(data)


def check_course(data, filename="course.yaml"):
    """Check the course map; return it or raise ContentError."""
    check = _Checker(filename)
    check.field(data, "title", "")
    modules = check.field(data, "modules", "", list) or []
    numbers = set()
    for index, module in enumerate(modules):
        where = f"modules[{index + 1}]"
        number = check.field(module, "number", where, int)
        if number in numbers:
            check.problem(f"{where}.number", f"module {number} is listed twice")
        numbers.add(number)
        check.field(module, "title", where)
        check.field(module, "purpose", where)
        check.field(module, "minutes", where, int)
        check.field(module, "notebook", where, required=False)
        activities = check.field(module, "activities", where, list, required=False) or []
        for activity in activities:
            if not isinstance(activity, str) or not _ID.match(activity):
                check.problem(f"{where}.activities", f"'{activity}' is not an activity id")
    if [m.get("number") for m in modules if isinstance(m, dict)] != sorted(numbers):
        check.problem("modules", "modules must be listed in order of their number")
    return check.done(data)


# --- the loaded course ------------------------------------------------------------------


def load_activity(activity_id, expected_type=None, content_dir=None):
    """Load and check one activity by its id (its file name without .yaml)."""
    folder = Path(content_dir) if content_dir else find_content_dir()
    if not isinstance(activity_id, str) or not _ID.match(activity_id):
        raise ContentError([f"'{activity_id}' is not an activity id (lower-case letters, digits, dashes)"])
    path = folder / f"{activity_id}.yaml"
    if not path.is_file():
        raise ContentError([f"{path.name}: there is no activity '{activity_id}' in {folder}"])
    data = read_prepared(path)
    if data is None or (expected_type and data.get("type") != expected_type):
        data = check_activity(read_yaml(path), path.name, expected_id=activity_id, expected_type=expected_type)
    return data


def _checked(path, check):
    """A content file's checked data: its prepared copy while that fits, else ``check(read_yaml(path))``."""
    data = read_prepared(path)
    return check(read_yaml(path)) if data is None else data


def load_plan(plan_id, content_dir=None):
    """Load a plan and its parts: the plan, and a (heading, reflection) pair for each part."""
    plan = load_activity(plan_id, "plan", content_dir)
    parts = []
    for index, part in enumerate(plan["parts"]):
        try:
            reflection = load_activity(part["reflection"], "reflection", content_dir)
        except ContentError as error:
            raise ContentError([f"{plan_id}.yaml: parts[{index + 1}].reflection: {problem}"
                                for problem in error.problems]) from None
        if reflection["module"] != plan["module"]:
            raise ContentError([f"{plan_id}.yaml: parts[{index + 1}].reflection: '{part['reflection']}' belongs "
                                f"to module {reflection['module']}, the plan to module {plan['module']}"])
        parts.append((part["heading"], reflection))
    return plan, parts


@lru_cache(maxsize=4)
def _cached_course(folder):
    return _checked(Path(folder) / "course.yaml", check_course)


def load_course(content_dir=None):
    """The checked course map."""
    return _cached_course(str(content_dir or find_content_dir()))


def load_references(content_dir=None):
    """The reference list: key -> {text, url}."""
    path = Path(content_dir or find_content_dir()) / "references.yaml"
    if not path.is_file():
        return {}
    return _checked(path, lambda data: check_references(data, path.name))


def check_references(data, filename):
    """Check the reference list; return it or raise ContentError."""
    check = _Checker(filename)
    if not isinstance(data, dict):
        check.problem("", "the file must map reference keys to {text, url}")
    else:
        for key, entry in data.items():
            check.field(entry, "text", str(key))
            check.field(entry, "url", str(key), required=False)
    return check.done(data or {})


def assets_dir(content_dir=None):
    """The course's assets/ folder, beside modules/."""
    return Path(content_dir or find_content_dir()).parent.parent / "assets"


def load_pictures(content_dir=None):
    """The picture list in assets/pictures.yaml: name -> {file, alt, caption}, checked."""
    path = assets_dir(content_dir) / "pictures.yaml"
    if not path.is_file():
        return {}
    return _checked(path, lambda data: check_pictures(data, path.parent))


def check_pictures(data, folder):
    """Check the picture list of ``folder`` (assets/) and its files; return it or raise ContentError."""
    check = _Checker("assets/pictures.yaml")
    if not isinstance(data, dict):
        check.problem("", "the file must map picture names to {file, alt, caption}")
        return check.done({})
    for name, entry in data.items():
        file = check.field(entry, "file", str(name))
        alt = check.field(entry, "alt", str(name))
        check.field(entry, "caption", str(name), required=False)
        if file and not (folder / file).is_file():
            check.problem(f"{name}.file", f"'{file}' is not in assets/")
        elif file and Path(file).suffix not in (".svg", ".png"):
            check.problem(f"{name}.file", "pictures must be .svg or .png files")
        if alt and len(alt) < 20:
            check.problem(f"{name}.alt", "the alt text is too short to describe the picture")
    return check.done(data)


def load_picture(name, content_dir=None):
    """(entry, path) of one picture."""
    pictures = load_pictures(content_dir)
    if name not in pictures:
        raise ContentError([f"assets/pictures.yaml: there is no picture '{name}'"])
    return pictures[name], assets_dir(content_dir) / pictures[name]["file"]


def load_glossary(content_dir=None):
    """The glossary in glossary.yaml: term -> {full, meaning}, checked."""
    path = Path(content_dir or find_content_dir()) / "glossary.yaml"
    if not path.is_file():
        return {}
    return _checked(path, lambda data: check_glossary(data, path.name))


def check_glossary(data, filename):
    """Check the glossary; return it or raise ContentError."""
    check = _Checker(filename)
    if not isinstance(data, dict):
        check.problem("", "the file must map terms to {full, meaning}")
        return check.done({})
    for term, entry in data.items():
        check.field(entry, "full", str(term), required=False)
        check.field(entry, "meaning", str(term))
    return check.done(data)


def check_all(content_dir=None):
    """Check every content file and the links between them; return a list of problems."""
    folder = Path(content_dir or find_content_dir())
    problems, activities = [], {}
    try:
        course = check_course(read_yaml(folder / "course.yaml"))
    except ContentError as error:
        problems.extend(error.problems)
        course = {"modules": []}

    def check_file(path, check):
        if not path.is_file():
            return {}
        try:
            return check(read_yaml(path))
        except ContentError as error:
            problems.extend(error.problems)
            return {}

    references = check_file(folder / "references.yaml", lambda data: check_references(data, "references.yaml"))
    check_file(assets_dir(folder) / "pictures.yaml", lambda data: check_pictures(data, assets_dir(folder)))
    check_file(folder / "glossary.yaml", lambda data: check_glossary(data, "glossary.yaml"))
    for path in sorted(folder.glob("*.yaml")):
        if path.name in ("course.yaml", "references.yaml", "glossary.yaml"):
            continue
        try:
            activities[path.stem] = check_activity(read_yaml(path), path.name, expected_id=path.stem)
        except ContentError as error:
            problems.extend(error.problems)
    in_plans = {}
    for plan_id, plan in activities.items():
        if plan.get("type") != "plan":
            continue
        try:
            load_plan(plan_id, folder)
        except ContentError as error:
            problems.extend(error.problems)
        for part in plan["parts"]:
            if part["reflection"] in in_plans:
                problems.append(f"{plan_id}.yaml: parts: '{part['reflection']}' is already a part of "
                                f"{in_plans[part['reflection']]}")
            in_plans[part["reflection"]] = plan_id
    for module in course.get("modules", []):
        for activity_id in module.get("activities") or []:
            if activities.get(activity_id, {}).get("type") == "plan":
                problems.append(f"course.yaml: module {module['number']}: '{activity_id}' is a plan: "
                                "list its parts (the reflections) instead")
            elif activity_id not in activities and not (folder / f"{activity_id}.yaml").is_file():
                problems.append(f"course.yaml: module {module['number']}: activity '{activity_id}' has no file")
            elif activity_id in activities and activities[activity_id].get("module") != module["number"]:
                problems.append(
                    f"{activity_id}.yaml: module: says {activities[activity_id].get('module')}, "
                    f"but course.yaml lists it under module {module['number']}"
                )
        notebook = module.get("notebook")
        if notebook and not (folder.parent / notebook).is_file():
            problems.append(f"course.yaml: module {module['number']}: notebook '{notebook}' does not exist")
    for activity_id, activity in activities.items():
        for key in activity.get("references") or []:
            if key not in references:
                problems.append(f"{activity_id}.yaml: references: '{key}' is not in references.yaml")
    return problems

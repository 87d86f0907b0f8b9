"""Conditions such as ``"trust >= 2 and safety > 0"`` used by branching scenarios."""

import operator
import re

_COMPARISONS = {
    ">=": operator.ge,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    "<": operator.lt,
}
_TERM = re.compile(r"^\s*([a-z][a-z0-9_]*)\s*(>=|<=|==|!=|>|<)\s*(-?\d+)\s*$")


class ConditionError(ValueError):
    """A condition is not written in the form the course understands."""


def parse_condition(text):
    """Return a list of (name, symbol, number) terms, all of which must hold."""
    if not isinstance(text, str) or not text.strip():
        raise ConditionError("a condition must be text such as 'trust >= 2'")
    terms = []
    for part in re.split(r"\s+and\s+", text.strip()):
        match = _TERM.match(part)
        if not match:
            raise ConditionError(
                f"cannot read '{part.strip()}': write a state name, one of "
                f"{', '.join(_COMPARISONS)} and a whole number, e.g. 'trust >= 2'"
            )
        name, symbol, number = match.groups()
        terms.append((name, symbol, int(number)))
    return terms


def condition_names(text):
    """The state names a condition refers to."""
    return [name for name, _, _ in parse_condition(text)]


def follow_choice(choice, state):
    """(target, state) after a scenario choice: its effects added, its ``next`` resolved."""
    state = dict(state)
    for name, change in (choice.get("effects") or {}).items():
        state[name] = state.get(name, 0) + change
    target = choice["next"]
    if isinstance(target, list):
        target = next(entry["go"] for entry in target
                      if "when" not in entry or condition_holds(entry["when"], state))
    return target, state


def condition_holds(text, state):
    """True when every term of the condition holds for the given state numbers."""
    return all(
        _COMPARISONS[symbol](state.get(name, 0), number)
        for name, symbol, number in parse_condition(text)
    )

/*
 * The course's rules, with no page: the same rules as the Python engine, so that the web
 * edition and the Voila course behave alike (tests/web/test_parity.py checks both sides).
 *
 *   conditions   leadership_course/conditions.py          parseCondition, conditionHolds, followChoice
 *   scenarios    leadership_course/components/scenario.py  ScenarioWalk (replay, openChoices, choose)
 *   checks       leadership_course/components/knowledge_check.py  scoreAnswer, validSelection
 *   self-checks  leadership_course/components/self_check.py       dimensionScores
 *
 * Runs in the browser (window.CourseEngine) and in Node (require), for the tests.
 */
(function (root) {
  "use strict";

  const COMPARISONS = {
    ">=": (a, b) => a >= b,
    "<=": (a, b) => a <= b,
    "==": (a, b) => a === b,
    "!=": (a, b) => a !== b,
    ">": (a, b) => a > b,
    "<": (a, b) => a < b,
  };
  const TERM = /^\s*([a-z][a-z0-9_]*)\s*(>=|<=|==|!=|>|<)\s*(-?\d+)\s*$/;

  /** [[name, symbol, number], ...]: every term must hold. Throws on text it cannot read. */
  function parseCondition(text) {
    if (typeof text !== "string" || !text.trim()) throw new Error("a condition must be text such as 'trust >= 2'");
    return text.trim().split(/\s+and\s+/).map((part) => {
      const match = TERM.exec(part);
      if (!match) throw new Error("cannot read '" + part.trim() + "'");
      return [match[1], match[2], parseInt(match[3], 10)];
    });
  }

  function conditionHolds(text, state) {
    return parseCondition(text).every(([name, symbol, number]) => COMPARISONS[symbol](state[name] || 0, number));
  }

  /** [target, state] after a choice: its effects added, its `next` resolved. */
  function followChoice(choice, state) {
    const after = Object.assign({}, state);
    for (const [name, change] of Object.entries(choice.effects || {})) after[name] = (after[name] || 0) + change;
    let target = choice.next;
    if (Array.isArray(target)) {
      target = target.find((entry) => !("when" in entry) || conditionHolds(entry.when, after)).go;
    }
    return [target, after];
  }

  /** The rules of one scenario: where a path of choices leads. */
  class ScenarioWalk {
    constructor(scenario) {
      this.scenario = scenario;
      this.nodes = scenario.nodes;
      this.endings = scenario.endings;
    }

    startState() {
      return Object.assign({}, this.scenario.state || {});
    }

    isEnding(place) {
      return Object.prototype.hasOwnProperty.call(this.endings, place);
    }

    /** Numbers of the choices on offer at a node, given the state. */
    openChoices(nodeId, state) {
      const numbers = [];
      this.nodes[nodeId].choices.forEach((choice, i) => {
        if (!("requires" in choice) || conditionHolds(choice.requires, state)) numbers.push(i);
      });
      return numbers;
    }

    choose(nodeId, state, index) {
      return followChoice(this.nodes[nodeId].choices[index], state);
    }

    /** Follow saved steps from the start: {path (valid steps), place, state}; steps that
     * no longer fit the content are dropped, as in Python. */
    replay(path) {
      let place = this.scenario.start;
      let state = this.startState();
      const kept = [];
      for (const step of Array.isArray(path) ? path : []) {
        if (this.isEnding(place) || !step || typeof step !== "object" || step.node !== place) break;
        const index = step.choice;
        if (!Number.isInteger(index) || !this.openChoices(place, state).includes(index)) break;
        [place, state] = this.choose(place, state, index);
        kept.push({ node: step.node, choice: index, text: this.nodes[step.node].choices[index].text });
      }
      return { path: kept, place, state };
    }
  }

  /** True when the selected option numbers are exactly the correct ones. */
  function scoreAnswer(question, selected) {
    const correct = question.options.map((o, i) => (o.correct ? i : -1)).filter((i) => i >= 0);
    const chosen = [...new Set(selected)];
    return chosen.length === correct.length && correct.every((i) => chosen.includes(i));
  }

  /** The saved selection if it fits the question (sorted, no repeats), otherwise null. */
  function validSelection(question, selected) {
    const count = question.options.length;
    if (!Array.isArray(selected) || !selected.length) return null;
    if (!selected.every((i) => Number.isInteger(i) && i >= 0 && i < count)) return null;
    if (question.kind !== "multiple" && selected.length !== 1) return null;
    return [...new Set(selected)].sort((a, b) => a - b);
  }

  /** Python's round(x, digits): the exact value of the double, ties to even. */
  function pyRound(x, digits) {
    const fixed = x.toFixed(digits); // rounds the exact value; a tie goes away from zero
    const exact = Math.abs(x).toFixed(Math.min(100, digits + 60));
    const rest = exact.slice(exact.indexOf(".") + 1 + digits);
    if (/^50*$/.test(rest)) { // an exact tie: keep the even neighbour
      const scale = Math.pow(10, digits);
      const down = Math.trunc(Math.abs(x) * scale);
      const even = down % 2 === 0 ? down : down + 1;
      return Math.sign(x) * even / scale;
    }
    return Number(fixed);
  }

  /** Average score (1 to the scale's length) per dimension, reverse items the other way;
   * only dimensions with every item answered. */
  function dimensionScores(selfCheck, responses) {
    const top = selfCheck.scale.length;
    const scores = {};
    for (const dimension of selfCheck.dimensions) {
      const values = [];
      for (const item of dimension.items) {
        const answer = responses[item.id];
        if (Number.isInteger(answer) && answer >= 1 && answer <= top) values.push(item.reverse ? top + 1 - answer : answer);
      }
      if (values.length === dimension.items.length) {
        scores[dimension.id] = pyRound(values.reduce((a, b) => a + b, 0) / values.length, 2);
      }
    }
    return scores;
  }

  const api = { parseCondition, conditionHolds, followChoice, ScenarioWalk, scoreAnswer, validSelection,
    dimensionScores, pyRound };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.CourseEngine = api;
})(typeof window !== "undefined" ? window : globalThis);

// The web edition's rules against the answers Python gave (written by test_parity.py).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const STATIC = path.join(__dirname, "..", "..", "leadership_course", "web", "static");
const E = require(path.join(STATIC, "engine.js"));
const R = require(path.join(STATIC, "record.js"));
const cases = JSON.parse(fs.readFileSync(process.env.PARITY_CASES, "utf8"));

test("every path of every scenario: same places, states, choices on offer and endings", () => {
  for (const { scenario, paths, broken } of cases.scenarios) {
    const walk = new E.ScenarioWalk(scenario);
    for (const { choices, steps, ending } of paths) {
      const saved = [];
      steps.forEach((expected, length) => {
        const got = walk.replay(saved);
        const where = scenario.id + " after " + JSON.stringify(choices.slice(0, length));
        assert.equal(got.place, expected.place, where);
        assert.deepEqual(got.state, expected.state, where);
        assert.equal(got.path.length, expected.kept, where);
        assert.deepEqual(walk.isEnding(got.place) ? [] : walk.openChoices(got.place, got.state), expected.offered, where);
        if (length < choices.length) saved.push({ node: got.place, choice: choices[length] });
      });
      assert.equal(walk.replay(saved).place, ending);
    }
    const got = walk.replay(broken.path);
    assert.equal(got.path.length, broken.kept);
    assert.equal(got.place, broken.place);
    assert.deepEqual(got.state, broken.state);
  }
});

test("every knowledge-check answer set scores the same", () => {
  for (const { question, cases: answers } of cases.checks) {
    for (const { selected, correct, valid } of answers) {
      assert.deepEqual(E.validSelection(question, selected), valid, question.id + " " + JSON.stringify(selected));
      if (correct !== null) assert.equal(E.scoreAnswer(question, selected), correct, question.id + " " + JSON.stringify(selected));
    }
  }
});

test("self-check answers give the same scores for every area", () => {
  for (const { self_check: selfCheck, cases: answers } of cases.self_checks) {
    for (const { responses, scores } of answers) {
      assert.deepEqual(E.dimensionScores(selfCheck, responses), scores, selfCheck.id + " " + JSON.stringify(responses));
    }
  }
});

test("a damaged record gives back the same entries and sets aside the same parts", () => {
  for (const c of cases.records) {
    const got = R.checkRecord(c.text, c.chosen);
    const where = JSON.stringify(c.text.slice(-60)) + (c.chosen ? " (chosen)" : "");
    assert.equal(Boolean(got.refused), c.refused, where + ": refused");
    if (c.refused) continue;
    assert.deepEqual(got.record.activities, c.activities, where);
    assert.deepEqual(got.damaged.map((d) => d.activity + "|" + (d.field === undefined ? null : d.field) + "|" +
      (d.page === undefined ? null : d.page)).map((s) => s.replace(/\|null/g, "|None").replace(/^null\|/, "None|")).sort(),
      c.damaged, where + ": set aside");
    assert.equal(got.problems.length, c.problems, where + ": problems");
  }
});

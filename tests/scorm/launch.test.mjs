// scorm.js's launch logic against scorm-again's real Scorm12API, in Node (no browser):
//   node --test tests/scorm/launch.test.mjs BOOK.json
// (test_scorm_launch.py writes BOOK.json, module 1's book, and runs this.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const require = createRequire(import.meta.url);
const here = new URL(".", import.meta.url).pathname;
const scorm = require(here + "../../leadership_course/web/static/scorm.js");
const { Scorm12API } = await import(here + "../../.npm-test/node_modules/scorm-again/dist/esm/scorm12.js");
const BOOK = JSON.parse(readFileSync(process.env.SCORM_BOOK, "utf8"));

function runtime(cmi) {
  const api = new Scorm12API({ autocommit: false, logLevel: 5 });
  if (cmi) api.loadFromJSON(cmi);
  return api;
}

function launch(api, book = BOOK) {
  const win = { API: api, parent: null };
  win.parent = win;
  const one = new scorm.Launch(win, book);
  return [one, one.start()];
}

const at = "2026-12-04T10:00:00+00:00";
const check = BOOK.activities.find((a) => a.type === "knowledge_check");

/** A record with every activity done; `right` questions of the check answered right. */
function doneRecord(right) {
  const activities = {};
  for (const a of BOOK.activities) activities[a.id] = { type: a.type, completed: true, updated: at };
  const answers = {};
  check.questions.forEach((q, i) => {
    const wrong = [...Array(q.options).keys()].find((o) => !q.correct.includes(o));
    const selected = i < right ? q.correct : [wrong];
    answers[q.id] = { selected, correct: i < right, attempts: 1, answered_at: at };
  });
  activities[check.id] = { type: "knowledge_check", answers, completed: true, updated: at };
  return { version: 1, activities, set_aside: [], pages_opened: {} };
}

const rendered = (api) => api.renderCMIToJSONObject().cmi;

test("a first launch marks the module incomplete, with a suspend exit", () => {
  const api = runtime();
  const [one, kept] = launch(api);
  assert.equal(kept, null);
  assert.equal(one.open, true);
  assert.equal(rendered(api).core.lesson_status, "incomplete");
  assert.equal(rendered(api).core.exit, "suspend");
  one.send({ version: 1, activities: {}, set_aside: [], pages_opened: {} });
  assert.equal(rendered(api).core.score.raw, ""); // no score before the first answer
});

test("completed when every activity is done; the score is the share right, as a percentage", () => {
  const api = runtime();
  const [one] = launch(api);
  assert.equal(one.send(doneRecord(check.questions.length - 1)), true);
  const core = rendered(api).core;
  assert.equal(core.lesson_status, "completed");
  assert.deepEqual(core.score, { raw: String(Math.round((100 * (check.questions.length - 1)) / check.questions.length)), min: "0", max: "100" });
  assert.equal(core.exit, "");
});

test("with a pass mark: failed below it, passed at it, and passed is never taken back", () => {
  const book = Object.assign({}, BOOK, { passMark: 80 });
  const api = runtime();
  const [one] = launch(api, book);
  const below = Math.ceil(0.8 * check.questions.length) - 1;
  one.send(doneRecord(below));
  assert.equal(rendered(api).core.lesson_status, "failed");
  assert.equal(rendered(api).core.exit, "suspend"); // a learner who failed can come back
  one.send(doneRecord(check.questions.length));
  assert.equal(rendered(api).core.lesson_status, "passed");
  one.send(doneRecord(0));
  assert.equal(rendered(api).core.lesson_status, "passed");
});

test("a relaunch keeps the status the LMS holds when less is done in this browser", () => {
  const api = runtime({ core: { lesson_status: "completed" } });
  const [one] = launch(api);
  one.send({ version: 1, activities: {}, set_aside: [], pages_opened: {} });
  assert.equal(rendered(api).core.lesson_status, "completed");
});

test("an answer is one choice interaction, sent once, and again only when it changes", () => {
  const api = runtime();
  const [one] = launch(api);
  const record = doneRecord(1);
  one.send(record);
  one.send(record);
  const first = Object.values(rendered(api).interactions);
  assert.equal(first.length, check.questions.length);
  assert.deepEqual([first[0].type, first[0].result], ["choice", "correct"]);
  assert.match(first[1].student_response, /^[a-z](,[a-z])*$/);
  assert.equal(first[1].result, "wrong");
  record.activities[check.id].answers[check.questions[1].id] = { selected: check.questions[1].correct, correct: true, attempts: 2, answered_at: at };
  one.send(record);
  const after = Object.values(rendered(api).interactions);
  assert.equal(after.length, check.questions.length + 1);
  assert.equal(after.at(-1).result, "correct");
});

test("an answer set but not committed is sent again at the next step", () => {
  const api = runtime();
  const [one] = launch(api);
  const commit = api.LMSCommit.bind(api);
  api.LMSCommit = () => "false";
  assert.equal(one.send(doneRecord(1)), false);
  api.LMSCommit = commit;
  assert.equal(one.send(doneRecord(1)), true);
  assert.equal(Object.values(rendered(api).interactions).length, 2 * check.questions.length);
});

test("the session time is HHHH:MM:SS.SS", () => {
  assert.equal(scorm.sessionTime(0), "0000:00:00.00");
  assert.equal(scorm.sessionTime(3723456), "0001:02:03.46");
  assert.equal(scorm.sessionTime(99999 * 3600 * 1000), "9999:00:00.00");
});

test("with no API at all, nothing is called and nothing is kept", () => {
  const win = { parent: null, opener: null };
  win.parent = win;
  const one = new scorm.Launch(win, BOOK);
  assert.equal(one.start(), null);
  assert.equal(one.open, false);
  assert.equal(one.send(doneRecord(1)), false);
});

test("an API that throws on every call is treated as absent, not as an error", () => {
  const api = runtime();
  for (const name of ["LMSInitialize", "LMSGetValue", "LMSSetValue", "LMSCommit", "LMSFinish"]) {
    api[name] = () => {
      throw new Error("broken LMS");
    };
  }
  const [one, kept] = launch(api);
  assert.equal(kept, null);
  assert.equal(one.open, false);
  assert.doesNotThrow(() => one.leave());
});

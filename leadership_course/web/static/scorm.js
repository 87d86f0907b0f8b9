/*
 * The course inside a learning system (LMS) that plays SCORM 1.2 packages.
 *
 * A package's page loads this file with its module's book (window.CourseScormBook, written
 * by leadership_course/web/scorm.py: the activities, their questions, scenario steps and
 * endings). It talks to the LMS through the web edition's hooks:
 *
 *   window.CourseHost.loadRecord()  the work the LMS kept (cmi.suspend_data), as a record
 *   "course:saved" (window event)   after each saved step: status, score, answers, commit
 *   "course:leaving"                the page is left: session time, exit, LMSFinish
 *
 * The learner's work is always kept in the browser by the web edition first; the LMS gets
 * a copy. When the LMS refuses or fails, nothing is lost: everything is sent again at the
 * next step. Reflections, plans and pledges go to the LMS only in a package built with
 * --include-writing, and only as far as they fit in SCORM 1.2's 4,096 characters.
 *
 * Runs in the browser and in Node (require), where the tests measure the encoding.
 */
(function (root) {
  "use strict";

  const SUSPEND_LIMIT = 4096; // SCORM 1.2: cmi.suspend_data is a CMIString4096
  const FORMAT = 1;
  const NOT_CONNECTED = "This page is not connected to a learning system, so your work is kept in this web browser only.";
  const NOT_TAKEN = "Your learning system did not take your latest step. Your work is kept in this web browser " +
    "and will be sent again with your next step.";
  // A status is never taken back: a learner who completed or passed a module stays so.
  const STATUS_RANK = { "": 0, "not attempted": 0, browsed: 0, incomplete: 1, failed: 2, completed: 3, passed: 3 };

  // --- The compact copy of a record (cmi.suspend_data) ---------------------------------
  // [1, base, [entry or 0 for each activity of the book]]: times are seconds after `base`
  // in base 36; answers, steps and scale points are indexes into the book, so no text of
  // the course is repeated. Only a reflection carries text (with --include-writing). Each
  // entry ends with its activity's shape, so a package rebuilt after an activity changed
  // (a question, option, step or ending added, removed or moved) leaves that entry out.

  function seconds(stamp) {
    const ms = Date.parse(stamp);
    return Number.isFinite(ms) ? Math.floor(ms / 1000) : null;
  }

  function isoLocal(secs) {
    const date = new Date(secs * 1000);
    const offset = -date.getTimezoneOffset();
    const pad = (n) => String(Math.floor(Math.abs(n))).padStart(2, "0");
    const local = new Date(date.getTime() + offset * 60000).toISOString().slice(0, 19);
    return local + (offset >= 0 ? "+" : "-") + pad(offset / 60) + ":" + pad(offset % 60);
  }

  /** A short fixed name for a text (FNV-1a, base 36). */
  function fingerprint(text) {
    let hash = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
    return hash.toString(36);
  }

  /** What an entry of the copy depends on in the activity: its id and the order of its
   * questions, options, steps, choices, endings and items. Wording may change; these may not. */
  function shape(activity) {
    const { id, type, questions, nodes, choices, endings, state, items, scale } = activity;
    return fingerprint(JSON.stringify([id, type, questions, nodes, choices && nodes.map((n) => choices[n].length),
      endings && endings.map((e) => e.id), state, items, scale])).slice(0, 4);
  }

  const digit = (n) => n.toString(36);
  const undigit = (c) => parseInt(c, 36);

  function entryOf(record, id) {
    const activities = record && typeof record.activities === "object" && record.activities;
    const entry = activities && activities[id];
    return entry && typeof entry === "object" && !Array.isArray(entry) ? entry : null;
  }

  function pathText(path, activity) {
    let text = "";
    for (const step of Array.isArray(path) ? path : []) {
      const node = activity.nodes.indexOf(step && step.node);
      if (node < 0 || !Number.isInteger(step.choice) || step.choice < 0 || step.choice >= 36) break;
      text += digit(node) + digit(step.choice);
    }
    return text;
  }

  function stateText(state, activity) {
    return activity.state.map((name) => (state && Number.isInteger(state[name]) ? state[name] : 0)).join(",");
  }

  /** The compact parts of one entry, with times as seconds (made relative later); null when empty. */
  function compactEntry(activity, entry, writing) {
    const updated = seconds(entry.updated);
    if (activity.type === "knowledge_check") {
      const answers = entry.answers && typeof entry.answers === "object" ? entry.answers : {};
      const parts = activity.questions.map((question) => {
        const answer = answers[question.id];
        if (!answer || !Array.isArray(answer.selected)) return 0;
        const mask = answer.selected.reduce((m, i) => (Number.isInteger(i) && i >= 0 && i < question.options ? m | (1 << i) : m), 0);
        return mask ? [mask, Number.isInteger(answer.attempts) ? answer.attempts : 1, seconds(answer.answered_at)] : 0;
      });
      return parts.some(Boolean) ? [updated, parts] : null;
    }
    if (activity.type === "scenario") {
      const runs = Array.isArray(entry.runs) ? entry.runs : [];
      const latest = new Map(); // the latest run to each ending is kept, so the copy stays small
      for (const run of runs) {
        const ending = activity.endings.findIndex((e) => run && e.id === run.ending);
        if (ending >= 0) latest.set(ending, [ending, pathText(run.path, activity), stateText(run.state, activity), seconds(run.finished_at)]);
      }
      const places = activity.nodes.concat(activity.endings.map((e) => e.id));
      const place = Math.max(places.indexOf(entry.place), 0);
      return [updated, pathText(entry.path, activity), place, stateText(entry.state, activity), [...latest.values()]];
    }
    if (activity.type === "self_check") {
      const responses = entry.responses && typeof entry.responses === "object" ? entry.responses : {};
      const points = activity.items.map((item) => (Number.isInteger(responses[item]) && responses[item] > 0 && responses[item] <= activity.scale ? digit(responses[item]) : "0")).join("");
      const scores = entry.scores && typeof entry.scores === "object" ? entry.scores : {};
      const shown = entry.results_shown === true ? 1 : 0;
      return [updated, points, activity.dimensions.map((d) => (typeof scores[d.id] === "number" ? scores[d.id] : "")).join(","),
        shown, seconds(entry.completed_at)];
    }
    if (activity.type === "reflection" && writing && typeof entry.text === "string" && entry.text) {
      return [updated, entry.text, seconds(entry.saved_at)];
    }
    return null;
  }

  function relative(value, base) {
    return typeof value === "number" ? digit(Math.max(value - base, 0)) : "";
  }

  function toText(base, entries) {
    const relTimes = entries.map((e) => {
      if (!e) return 0;
      const activity = e.activity;
      const p = e.parts.slice();
      p[0] = relative(p[0], base);
      if (activity.type === "knowledge_check") p[1] = p[1].map((q) => (q ? [digit(q[0]), digit(q[1]), relative(q[2], base)].join(".") : 0));
      if (activity.type === "scenario") p[4] = p[4].map((r) => [r[0], r[1], r[2], relative(r[3], base)]);
      if (activity.type === "self_check") p[4] = relative(p[4], base);
      if (activity.type === "reflection") p[2] = relative(p[2], base);
      p.push(shape(activity));
      return p;
    });
    // Plain ASCII whatever the LMS stores it in: other characters as \u escapes.
    return JSON.stringify([FORMAT, digit(base), relTimes]).replace(/[\u007f-\uffff]/g,
      (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
  }

  /** The record's copy for cmi.suspend_data: within 4,096 characters. Writing (with
   * includeWriting) is added activity by activity while it fits; the rest stays in the browser.
   * Returns {text, writingLeftOut: [ids]}. */
  function encode(record, book, includeWriting) {
    const entries = book.activities.map(() => null);
    const writing = [];
    let base = Infinity;
    const noteTimes = (parts) => JSON.stringify(parts, (k, v) => {
      if (typeof v === "number" && v > 1e9) base = Math.min(base, v);
      return v;
    });
    book.activities.forEach((activity, index) => {
      const entry = entryOf(record, activity.id);
      if (!entry) return;
      const parts = compactEntry(activity, entry, includeWriting);
      if (!parts) return;
      if (activity.type === "reflection") writing.push({ index, activity, parts });
      else {
        noteTimes(parts);
        entries[index] = { activity, parts };
      }
    });
    writing.forEach((w) => noteTimes(w.parts));
    base = Number.isFinite(base) ? base : 0;
    let text = toText(base, entries);
    // Runs beyond the latest are dropped first, should a scenario ever need it.
    for (const e of entries) {
      while (text.length > SUSPEND_LIMIT && e && e.activity.type === "scenario" && e.parts[4].length > 1) {
        e.parts[4].shift();
        text = toText(base, entries);
      }
    }
    const leftOut = [];
    for (const w of writing) {
      entries[w.index] = { activity: w.activity, parts: w.parts };
      const longer = toText(base, entries);
      if (longer.length <= SUSPEND_LIMIT) text = longer;
      else {
        entries[w.index] = null;
        leftOut.push(w.activity.id);
      }
    }
    return { text, writingLeftOut: leftOut };
  }

  function pathFrom(text, activity) {
    const path = [];
    for (let at = 0; at + 1 < text.length; at += 2) {
      const node = activity.nodes[undigit(text[at])];
      const choice = undigit(text[at + 1]);
      const texts = node !== undefined ? activity.choices[node] : null;
      if (!texts || !(choice >= 0 && choice < texts.length)) break;
      path.push({ node, choice, text: texts[choice] });
    }
    return path;
  }

  function stateFrom(text, activity) {
    const values = String(text).split(",");
    const state = {};
    activity.state.forEach((name, i) => {
      const n = parseInt(values[i], 10);
      state[name] = Number.isInteger(n) ? n : 0;
    });
    return state;
  }

  /** The parts each kind of entry must have (anything else in a copy is left out). */
  const PARTS = {
    knowledge_check: (p) => Array.isArray(p[1]),
    scenario: (p) => typeof p[1] === "string" && Number.isInteger(p[2]) && typeof p[3] === "string" && Array.isArray(p[4]) &&
      p[4].every((r) => Array.isArray(r) && Number.isInteger(r[0]) && typeof r[1] === "string" && typeof r[2] === "string"),
    self_check: (p) => typeof p[1] === "string" && typeof p[2] === "string",
    reflection: (p) => typeof p[1] === "string",
  };

  function decodeEntry(activity, p, time) {
    if (!PARTS[activity.type] || !PARTS[activity.type](p)) return null;
    const common = { type: activity.type, title: activity.title, module: activity.module };
    const updated = time(p[0]);
    if (activity.type === "knowledge_check") {
      const answers = {};
      activity.questions.forEach((question, i) => {
        const part = p[1][i];
        if (typeof part !== "string") return;
        const [mask, attempts, when] = part.split(".");
        const selected = [];
        for (let o = 0; o < question.options; o++) if (undigit(mask) & (1 << o)) selected.push(o);
        if (!selected.length) return;
        const correct = selected.length === question.correct.length && selected.every((o, k) => o === question.correct[k]);
        answers[question.id] = { selected, correct, attempts: Math.max(undigit(attempts) || 1, 1), answered_at: time(when) };
      });
      const score = Object.values(answers).filter((a) => a.correct).length;
      return Object.assign(common, { answers, score, out_of: activity.questions.length,
        completed: Object.keys(answers).length === activity.questions.length, updated });
    }
    if (activity.type === "scenario") {
      const places = activity.nodes.concat(activity.endings.map((e) => e.id));
      const runs = (Array.isArray(p[4]) ? p[4] : []).filter((r) => activity.endings[r[0]]).map((r) => {
        const ending = activity.endings[r[0]];
        return { path: pathFrom(r[1], activity), ending: ending.id, ending_title: ending.title, outcome: ending.outcome,
          state: stateFrom(r[2], activity), finished_at: time(r[3]) };
      });
      return Object.assign(common, { path: pathFrom(p[1], activity), place: places[p[2]] || activity.nodes[0],
        state: stateFrom(p[3], activity), runs, completed: runs.length > 0, updated });
    }
    if (activity.type === "self_check") {
      const responses = {};
      activity.items.forEach((item, i) => {
        const value = undigit(p[1][i] || "0");
        if (value > 0 && value <= activity.scale) responses[item] = value;
      });
      const scores = {};
      String(p[2]).split(",").forEach((value, i) => {
        if (value !== "" && activity.dimensions[i] && Number.isFinite(Number(value))) scores[activity.dimensions[i].id] = Number(value);
      });
      const entry = Object.assign(common, { responses, scores, updated });
      if (p[3] === 1) {
        Object.assign(entry, { results_shown: true, completed: true, scale_top: activity.scale, completed_at: time(p[4]),
          labels: Object.fromEntries(activity.dimensions.map((d) => [d.id, d.label])) });
      }
      return entry;
    }
    if (activity.type === "reflection" && typeof p[1] === "string") {
      return Object.assign(common, { kind: activity.kind, prompt: activity.prompt, text: p[1], saved_at: time(p[2]),
        completed: Boolean(p[1].trim()), updated });
    }
    return null;
  }

  /** The record the copy holds (in the course's record layout), or null when it holds
   * nothing usable. A damaged entry is left out; the others are kept. */
  function decode(text, book) {
    let data;
    try {
      data = JSON.parse(text);
    } catch (error) {
      return null;
    }
    if (!Array.isArray(data) || data[0] !== FORMAT || !Array.isArray(data[2])) return null;
    const base = undigit(String(data[1]));
    const time = (rel) => isoLocal(base + (undigit(String(rel || "0")) || 0));
    const activities = {};
    book.activities.forEach((activity, index) => {
      const parts = data[2][index];
      // An entry from an activity that has since changed shape is left out, never misread.
      if (!Array.isArray(parts) || parts[parts.length - 1] !== shape(activity)) return;
      try {
        const entry = decodeEntry(activity, parts, time);
        if (entry) activities[activity.id] = entry;
      } catch (error) {
        // a damaged entry: the others are still used
      }
    });
    return Object.keys(activities).length ? { version: 1, activities, set_aside: [], pages_opened: {} } : null;
  }

  // --- What the LMS is told ---------------------------------------------------------

  function progress(record, book) {
    const done = book.activities.filter((a) => (entryOf(record, a.id) || {}).completed === true).length;
    return { done, total: book.activities.length, complete: done === book.activities.length };
  }

  /** Correct answers, questions and questions answered of the book's knowledge checks. */
  function knowledgeScore(record, book) {
    let raw = 0;
    let max = 0;
    let answered = 0;
    for (const activity of book.activities) {
      if (activity.type !== "knowledge_check") continue;
      max += activity.questions.length;
      const answers = (entryOf(record, activity.id) || {}).answers || {};
      for (const question of activity.questions) {
        if (answers[question.id]) answered++;
        if (answers[question.id] && answers[question.id].correct === true) raw++;
      }
    }
    return { raw, max, answered };
  }

  function letters(indexes) {
    return indexes.filter((i) => Number.isInteger(i) && i >= 0 && i < 36).map(digit).join(",");
  }

  function identifier(text) {
    return text.replace(/[^A-Za-z0-9]+/g, "_").slice(0, 255);
  }

  /** One SCORM 1.2 interaction per answered question ("choice", options as letters a, b...). */
  function interactions(record, book) {
    const found = [];
    for (const activity of book.activities) {
      if (activity.type !== "knowledge_check") continue;
      const answers = (entryOf(record, activity.id) || {}).answers || {};
      for (const question of activity.questions) {
        const answer = answers[question.id];
        if (!answer || !Array.isArray(answer.selected)) continue;
        const optionLetters = letters(answer.selected.map((i) => i));
        found.push({ id: identifier(activity.id + "." + question.id), response: letters(answer.selected.map((i) => i + 10)),
          pattern: letters(question.correct.map((i) => i + 10)), result: answer.correct === true ? "correct" : "wrong",
          key: optionLetters + "/" + answer.attempts });
      }
    }
    return found;
  }

  /** SCORM 1.2 CMITimespan: HHHH:MM:SS.SS. */
  function sessionTime(ms) {
    const centis = Math.max(0, Math.round(ms / 10));
    const hours = Math.min(Math.floor(centis / 360000), 9999);
    const minutes = Math.floor((centis % 360000) / 6000);
    const secs = (centis % 6000) / 100;
    return String(hours).padStart(4, "0") + ":" + String(minutes).padStart(2, "0") + ":" + secs.toFixed(2).padStart(5, "0");
  }

  function statusFor(record, book) {
    const { complete } = progress(record, book);
    if (!complete) return "incomplete";
    if (book.passMark === null || book.passMark === undefined) return "completed";
    const { raw, max } = knowledgeScore(record, book);
    return max === 0 || (100 * raw) / max >= book.passMark ? "passed" : "failed";
  }

  // --- The LMS's API: found the standard way (parent frames, then the opener) ------------

  function searchUp(win) {
    for (let tries = 0; win && tries < 10; tries++) {
      try {
        if (win.API && typeof win.API.LMSInitialize === "function") return win.API;
      } catch (error) {
        // another site's frame: not ours to read
      }
      let parent = null;
      try {
        parent = win.parent;
      } catch (error) {
        return null;
      }
      if (!parent || parent === win) return null;
      win = parent;
    }
    return null;
  }

  function findAPI(win) {
    const found = searchUp(win);
    if (found) return found;
    try {
      return win.opener ? searchUp(win.opener) : null;
    } catch (error) {
      return null;
    }
  }

  /** One launch of the package in the LMS. */
  class Launch {
    constructor(win, book) {
      this.window = win;
      this.book = book;
      this.api = findAPI(win);
      this.started = Date.now();
      this.open = false;
      this.finished = false;
      this.reached = ""; // the highest status the LMS held at launch or was sent
      this.sent = new Set(); // interactions the LMS took, by id and answer
      this.record = null;
      this.lastTaken = true;
    }

    call(name, ...args) {
      try {
        const result = this.api[name](...args);
        return result === true || result === "true";
      } catch (error) {
        return false;
      }
    }

    get(name) {
      try {
        const value = this.api.LMSGetValue(name);
        return typeof value === "string" ? value : "";
      } catch (error) {
        return "";
      }
    }

    set(name, value) {
      return this.call("LMSSetValue", name, String(value));
    }

    /** LMSInitialize, and the record the LMS kept (or null). */
    start() {
      if (!this.api) return null;
      this.open = this.call("LMSInitialize", "");
      if (!this.open) return null;
      this.reached = this.get("cmi.core.lesson_status");
      const kept = decode(this.get("cmi.suspend_data"), this.book);
      if (kept) for (const item of interactions(kept, this.book)) this.sent.add(item.id + "/" + item.key);
      if ((STATUS_RANK[this.reached] || 0) < 1) {
        this.set("cmi.core.lesson_status", "incomplete");
        this.set("cmi.core.exit", "suspend");
        this.call("LMSCommit", "");
        this.reached = "incomplete";
      }
      return kept;
    }

    /** The status now: never below one the LMS held at launch or was sent since. */
    status(record) {
      const computed = statusFor(record, this.book);
      if ((STATUS_RANK[computed] || 0) >= (STATUS_RANK[this.reached] || 0)) this.reached = computed;
      return this.reached;
    }

    /** Send everything the LMS should hold now, then LMSCommit. True when all was taken. */
    send(record) {
      if (!this.open || this.finished) return false;
      let taken = true;
      const status = this.status(record);
      taken = this.set("cmi.core.lesson_status", status) && taken;
      const { raw, max, answered } = knowledgeScore(record, this.book);
      if (answered > 0) { // no score before the first answer: 0% would read as a result
        taken = this.set("cmi.core.score.min", 0) && taken;
        taken = this.set("cmi.core.score.max", 100) && taken;
        taken = this.set("cmi.core.score.raw", Math.round((100 * raw) / max)) && taken;
      }
      taken = this.set("cmi.core.exit", status === "completed" || status === "passed" ? "" : "suspend") && taken;
      taken = this.set("cmi.core.session_time", sessionTime(Date.now() - this.started)) && taken;
      const copy = encode(record, this.book, this.book.includeWriting === true);
      taken = this.set("cmi.suspend_data", copy.text) && taken;
      const answers = this.sendInteractions(record);
      const committed = this.call("LMSCommit", "");
      if (committed) for (const key of answers.set) this.sent.add(key);
      return answers.taken && committed && taken;
    }

    /** Each answer not yet taken as cmi.interactions.n; the keys of those set (taken once committed). */
    sendInteractions(record) {
      const set = [];
      let taken = true;
      for (const item of interactions(record, this.book)) {
        const key = item.id + "/" + item.key;
        if (this.sent.has(key)) continue;
        const n = parseInt(this.get("cmi.interactions._count"), 10) || 0;
        const prefix = "cmi.interactions." + n + ".";
        const ok = this.set(prefix + "id", item.id) && this.set(prefix + "type", "choice") &&
          this.set(prefix + "student_response", item.response) && this.set(prefix + "result", item.result) &&
          this.set(prefix + "correct_responses.0.pattern", item.pattern);
        if (ok) set.push(key);
        taken = ok && taken;
      }
      return { set, taken };
    }

    leave() {
      if (!this.open || this.finished) return;
      if (this.record) this.send(this.record);
      else this.set("cmi.core.session_time", sessionTime(Date.now() - this.started));
      this.call("LMSFinish", "");
      this.finished = true;
    }
  }

  // --- In the page --------------------------------------------------------------------

  /** The entries of `kept` (the LMS's copy) that are newer than the browser's own. */
  function newerThanBrowser(kept, storage, key) {
    let local = null;
    try {
      local = JSON.parse(storage.getItem(key) || "null");
    } catch (error) {
      local = null; // the page repairs a damaged record itself
    }
    const activities = {};
    for (const [id, entry] of Object.entries(kept.activities)) {
      const mine = entryOf(local, id);
      const ours = mine ? seconds(mine.updated) : null;
      if (ours === null || seconds(entry.updated) > ours) activities[id] = entry;
    }
    return Object.keys(activities).length ? Object.assign({}, kept, { activities }) : null;
  }

  function attach(win) {
    const book = win.CourseScormBook;
    if (!book) return;
    const launch = new Launch(win, book);
    win.CourseScorm = launch; // for the learner's browser tools, and the tests
    const doc = win.document;
    let notice = null;
    function say(text) {
      const show = () => {
        if (!notice) {
          notice = doc.createElement("p");
          notice.className = "course-lms-notice";
          notice.setAttribute("role", "status");
          const place = doc.querySelector("main") || doc.body;
          place.insertBefore(notice, place.firstChild);
        }
        notice.textContent = text;
        notice.hidden = !text;
      };
      if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", show);
      else show();
    }
    // Started at once, so that each LMS learner's work has its own place in this browser.
    const kept = launch.start();
    const base = (win.CourseRecord && win.CourseRecord.STORAGE_KEY) || "compassionate-leadership-record";
    const storageKey = launch.open ? base + ".lms-" + fingerprint(launch.get("cmi.core.student_id")) : undefined;
    if (!launch.open) say(NOT_CONNECTED);
    win.CourseHost = {
      storageKey,
      loadRecord() {
        if (!kept) return null;
        try {
          return newerThanBrowser(kept, win.localStorage, storageKey);
        } catch (error) {
          return kept;
        }
      },
    };
    function send(record) {
      if (!record || !launch.open) return;
      launch.record = record;
      const taken = launch.send(record);
      if (taken !== launch.lastTaken) say(taken ? "" : NOT_TAKEN);
      launch.lastTaken = taken;
    }
    win.addEventListener("course:saved", (event) => send(event.detail && event.detail.record));
    // Once the page has started: work the LMS did not take last time (kept in the browser) goes now.
    win.addEventListener("load", () => {
      let record = null;
      try {
        record = JSON.parse(win.localStorage.getItem(storageKey) || "null");
      } catch (error) {
        return; // the page repairs a damaged record itself, and sends it with the next step
      }
      if (record && book.activities.some((a) => entryOf(record, a.id))) send(record);
    });
    const leave = () => launch.leave();
    win.addEventListener("course:leaving", leave);
    win.addEventListener("pagehide", leave);
  }

  const exported = { SUSPEND_LIMIT, NOT_CONNECTED, encode, decode, progress, knowledgeScore, interactions,
    sessionTime, statusFor, findAPI, Launch, attach };
  if (typeof module !== "undefined" && module.exports) module.exports = exported;
  else {
    root.CourseScormRuntime = exported;
    attach(root);
  }
})(typeof window !== "undefined" ? window : this);

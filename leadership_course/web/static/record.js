/*
 * The learner's record in the browser, in the course's own layout (leadership_course/record.py):
 *   {"version": 1, "activities": {id: entry}, "set_aside": [...], "pages_opened": {notebook: {first, last}}}
 * kept in this browser's localStorage, saved whole at every step, written as Python writes
 * it (JSON, one space of indent), so a downloaded record continues in the Voila course.
 *
 * Reading follows leadership_course/record_check.py: a damaged record gives back every
 * valid entry (a cut-off file is read as far as it goes, entry by entry), damaged entries
 * and fields go to the set-aside list, and the damaged text itself is kept under its own
 * key, never thrown away. Merging (continuing from a saved record) keeps the newer entry
 * of each activity and sets the other aside, as in Python. Runs in Node too, for tests.
 */
(function (root) {
  "use strict";

  const RECORD_VERSION = 1;
  const STORAGE_KEY = "compassionate-leadership-record";
  const MAX_FILE_BYTES = 5 * 1024 * 1024;
  const MAX_TEXT_CHARS = 50000;
  const MAX_DEPTH = 12;
  const MAX_ACTIVITIES = 2000;
  const MAX_PAGES = 500;
  const MAX_ID_CHARS = 100;
  const PAGE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*(\/[A-Za-z0-9][A-Za-z0-9_.-]*)*\.ipynb$/;
  const ACTIVITY_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;
  const HOSTILE_MARKUP = new RegExp(
    "<\\s*/?\\s*(script|style|iframe|frame|frameset|object|embed|applet|svg|math|img|image|link|meta|base|" +
    "form|input|button|textarea|select|video|audio|source|template|html|body|head|a)(?=[\\s/>])" +
    "|<[a-z][^>]*\\son[a-z]+\\s*=|javascript\\s*:|vbscript\\s*:|data\\s*:\\s*text/html", "i");
  const FIELD_TYPES = {
    type: "str", kind: "str", title: "str", prompt: "str", text: "str", place: "str",
    updated: "str", saved_at: "str", completed_at: "str", answered_at: "str",
    module: "int", score: "int", out_of: "int", scale_top: "int",
    completed: "bool", results_shown: "bool",
    answers: "dict", state: "dict", responses: "dict", scores: "dict", labels: "dict",
    path: "list", runs: "list", selected: "list",
  };
  const ITEM_TYPES = { runs: "dict", answers: "dict" };
  const TYPE_NAMES = { str: "text", int: "a whole number", bool: "yes or no", dict: "a set of named fields", list: "a list" };

  const isDict = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
  const isKind = { str: (v) => typeof v === "string", int: Number.isInteger, bool: (v) => typeof v === "boolean",
    dict: isDict, list: Array.isArray };
  const has = (o, k) => Object.prototype.hasOwnProperty.call(o, k);

  function emptyRecord() {
    return { version: RECORD_VERSION, activities: {}, set_aside: [], pages_opened: {} };
  }

  /** The local time with its offset, to the second, as Python's isoformat writes it. */
  function now(date) {
    const d = date || new Date();
    const pad = (n) => String(Math.abs(n)).padStart(2, "0");
    const offset = -d.getTimezoneOffset();
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" + pad(d.getHours()) + ":" +
      pad(d.getMinutes()) + ":" + pad(d.getSeconds()) + (offset < 0 ? "-" : "+") + pad(Math.trunc(offset / 60)) +
      ":" + pad(offset % 60);
  }

  /** Milliseconds for an ISO time (a time without an offset is this computer's), or null. */
  function moment(stamp) {
    if (typeof stamp !== "string" || !/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(stamp)) return null;
    const time = Date.parse(stamp.replace(" ", "T"));
    return Number.isNaN(time) ? null : time;
  }

  const savedTime = (entry) => moment(isDict(entry) ? entry.updated : null);

  /** The record as the course writes it (Python's json.dump with indent=1). */
  function recordJson(record) {
    return JSON.stringify(record, null, 1);
  }

  // --- checking ------------------------------------------------------------------------

  /** {record, refused, damaged, problems} for the text of a record; never throws.
   * `chosen`: a file the learner picked, held to the limits on size, text and markup. */
  function checkRecord(text, chosen) {
    if (chosen && text.length > MAX_FILE_BYTES) {
      return { refused: "it is larger than any course record (the limit is 5 MB)" };
    }
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const problems = [];
    let data;
    let cut = [];
    try {
      data = JSON.parse(text);
    } catch (error) {
      [data, cut] = salvageJson(text);
      if (!isDict(data) || !has(data, "activities")) return { refused: "it is not a course record (it is not readable as one)" };
      problems.push("the file is cut off or damaged part way, so only its readable parts were used");
    }
    if (chosen) {
      const hostile = hostileReason(data) || hostileReason(cut.map((c) => c[2]));
      if (hostile) return { refused: hostile };
    }
    return checkLayout(data, problems, cut);
  }

  function checkLayout(data, problems, cut) {
    if (!isDict(data) || !(has(data, "activities") || has(data, "version"))) return { refused: "it is not a course record" };
    const version = data.version;
    if (Number.isInteger(version) && version > RECORD_VERSION) {
      return { refused: "it was written by a newer version of the course (record version " + version + "); update the course first" };
    }
    if (!(Number.isInteger(version) && version >= 1)) {
      problems.push("its version is missing or damaged, so it was read as the course's first layout");
    }
    if (!isDict(data.activities)) return { refused: "its list of activities is missing or damaged, so nothing in it can be used" };
    const record = migrate(data);
    const damaged = [];
    const activities = Object.assign({}, data.activities);
    for (const [name, key, part] of cut) {
      if (name === "activities" && isDict(part) && Object.keys(part).length) {
        activities[key] = record.activities[key] = part;
        problems.push("the work on " + activityTitle(key, part) + " was cut off, so only the part of it that could be read was kept");
      } else if (name === "activities") {
        damaged.push({ activity: key, entry: part === undefined ? null : part, reason: "it is cut off or damaged in the file" });
      } else {
        damaged.push({ activity: null, entry: part === undefined ? null : part, reason: "a damaged part of '" + name + "'" });
      }
    }
    for (const [id, entry] of Object.entries(activities)) {
      const reason = entryProblem(id, entry);
      if (reason) {
        damaged.push({ activity: id, entry, reason });
        delete record.activities[id];
        continue;
      }
      const bad = fieldProblems(entry);
      const names = Object.keys(bad);
      if (names.length) {
        const kept = {};
        for (const [k, v] of Object.entries(entry)) if (!names.includes(k)) kept[k] = v;
        record.activities[id] = kept;
        for (const name of names) damaged.push({ activity: id, field: name, entry: { [name]: entry[name] }, reason: bad[name] });
      }
    }
    if (has(data, "set_aside") && !Array.isArray(data.set_aside)) {
      problems.push("its list of set-aside work is damaged");
      damaged.push({ activity: null, entry: data.set_aside, reason: "a damaged list of set-aside work" });
      record.set_aside = [];
    }
    const pages = has(data, "pages_opened") ? data.pages_opened : {};
    if (!isDict(pages)) {
      damaged.push({ activity: null, entry: pages, reason: "the list of module pages you opened is damaged" });
    } else {
      for (const [page, opened] of Object.entries(pages)) {
        const reason = pageProblem(page, opened);
        if (reason) {
          damaged.push({ activity: null, page, entry: opened, reason });
          delete record.pages_opened[page];
        }
      }
    }
    return { record, refused: null, damaged, problems };
  }

  function isClean(checked) {
    return !checked.refused && !checked.damaged.length && !checked.problems.length;
  }

  function pageProblem(page, opened) {
    if (page.length > MAX_ID_CHARS || !PAGE_NAME.test(page)) return "a page you opened is not named as a course page";
    if (!(isDict(opened) && moment(opened.first) !== null && moment(opened.last) !== null)) {
      return "when you opened " + page + " is not saved as two dates and times";
    }
    return null;
  }

  function migrate(data) {
    return {
      version: RECORD_VERSION,
      activities: isDict(data.activities) ? Object.assign({}, data.activities) : {},
      set_aside: Array.isArray(data.set_aside) ? data.set_aside.slice() : [],
      pages_opened: isDict(data.pages_opened) ? Object.assign({}, data.pages_opened) : {},
    };
  }

  function entryProblem(id, entry) {
    if (id.length > MAX_ID_CHARS || !ACTIVITY_ID.test(id)) return "its name is not the name of an activity";
    if (!isDict(entry)) return "it is not a set of named fields";
    return null;
  }

  function fieldProblems(entry) {
    const found = {};
    for (const [name, wanted] of Object.entries(FIELD_TYPES)) {
      if (!has(entry, name)) continue;
      const value = entry[name];
      if (!isKind[wanted](value)) {
        found[name] = "its field '" + name + "' should be " + TYPE_NAMES[wanted];
      } else if (has(ITEM_TYPES, name) && !(isDict(value) ? Object.values(value) : value).every(isKind[ITEM_TYPES[name]])) {
        found[name] = "its field '" + name + "' holds something damaged";
      }
    }
    if (has(entry, "updated") && !has(found, "updated") && savedTime(entry) === null) {
      found.updated = "its save time is not a date and time";
    }
    return found;
  }

  function hostileReason(data) {
    const activities = isDict(data) ? data.activities : null;
    if (isDict(activities) && Object.keys(activities).length > MAX_ACTIVITIES) return "it holds far more activities than the course has";
    const pages = isDict(data) ? data.pages_opened : null;
    if (isDict(pages) && Object.keys(pages).length > MAX_PAGES) return "it notes far more pages opened than the course has";
    const stack = [[data, 1]];
    while (stack.length) {
      const [value, depth] = stack.pop();
      if (depth > MAX_DEPTH) return "it is nested far more deeply than any course record";
      if (isDict(value)) {
        for (const [key, item] of Object.entries(value)) {
          const problem = textProblem(key);
          if (problem) return problem;
          stack.push([item, depth + 1]);
        }
      } else if (Array.isArray(value)) {
        for (const item of value) stack.push([item, depth + 1]);
      } else if (typeof value === "string") {
        const problem = textProblem(value);
        if (problem) return problem;
      }
    }
    return null;
  }

  function textProblem(text) {
    if (text.length > MAX_TEXT_CHARS) return "it holds a piece of text longer than any answer the course keeps";
    if (HOSTILE_MARKUP.test(text)) return "it holds web page code (markup or script), which a course record never does";
    return null;
  }

  // --- salvage: the readable parts of JSON text that does not parse whole ------------------

  /** Where the JSON value that starts at text[at] ends, or -1 when the text runs out first
   * or the value is broken (a quick scan; JSON.parse then reads the part exactly). */
  function valueEnd(text, at) {
    const first = text[at];
    if (first === '"') {
      for (let i = at + 1; i < text.length; i++) {
        if (text[i] === "\\") i++;
        else if (text[i] === '"') return i + 1;
        else if (text[i] === "\n") return -1;
      }
      return -1;
    }
    if (first === "{" || first === "[") {
      const closing = [];
      for (let i = at; i < text.length; i++) {
        const c = text[i];
        if (c === '"') {
          const end = valueEnd(text, i);
          if (end < 0) return -1;
          i = end - 1;
        } else if (c === "{") closing.push("}");
        else if (c === "[") closing.push("]");
        else if (c === "}" || c === "]") {
          if (closing.pop() !== c) return -1;
          if (!closing.length) return i + 1;
        }
      }
      return -1;
    }
    const match = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(text.slice(at, at + 400));
    return match ? at + match[0].length : -1;
  }

  /** [value, end] for the JSON value at text[at], or null when it does not parse whole. */
  function rawDecode(text, at) {
    const end = valueEnd(text, at);
    if (end < 0) return null;
    try {
      return [JSON.parse(text.slice(at, end)), end];
    } catch (error) {
      return null;
    }
  }

  const skip = (text, at) => { while (at < text.length && " \t\r\n".includes(text[at])) at++; return at; };
  const afterComma = (text, at) => { at = skip(text, at); return text[at] === "," ? skip(text, at + 1) : at; };
  const SECOND_LEVEL_KEY = /\n {2}"(?:[^"\\\n]|\\.)*"\s*:/g;

  function readKey(text, at) {
    const decoded = text[at] === '"' ? rawDecode(text, at) : null;
    if (!decoded) return [null, at];
    const end = skip(text, decoded[1]);
    if (text[end] !== ":") return [null, at];
    return [decoded[0], skip(text, end + 1)];
  }

  /** [container, broken [(key, position)], end or null], as record_check._read_members. */
  function readMembers(text, at) {
    const isObject = text[at] === "{";
    const found = isObject ? {} : [];
    const broken = [];
    at = skip(text, at + 1);
    while (at < text.length) {
      if ("}]".includes(text[at])) return [found, broken, at + 1];
      let key = found.length;
      if (isObject) {
        [key, at] = readKey(text, at);
        if (key === null) return [found, broken, null];
      }
      const decoded = rawDecode(text, at);
      if (!decoded) {
        broken.push([key, at]);
        if (!isObject) return [found, broken, null];
        SECOND_LEVEL_KEY.lastIndex = at;
        const follow = SECOND_LEVEL_KEY.exec(text);
        if (!follow) return [found, broken, null];
        at = skip(text, follow.index);
        continue;
      }
      if (isObject) found[key] = decoded[0];
      else found.push(decoded[0]);
      at = afterComma(text, decoded[1]);
    }
    return [found, broken, null];
  }

  /** [data, damaged [(field, key, part)]] from JSON text that does not parse whole. */
  function salvageJson(text) {
    let at = skip(text, 0);
    if (text[at] !== "{") return [null, []];
    const data = {};
    const damaged = [];
    at = skip(text, at + 1);
    while (at < text.length && text[at] !== "}") {
      let name;
      [name, at] = readKey(text, at);
      if (name === null) break;
      const decoded = rawDecode(text, at);
      let end;
      if (decoded) {
        data[name] = decoded[0];
        end = decoded[1];
      } else {
        if (!"{[".includes(text[at] || "x")) break;
        let broken;
        [data[name], broken, end] = readMembers(text, at);
        for (const [key, place] of broken) {
          damaged.push([name, key, text[place] === "{" ? readMembers(text, place)[0] : null]);
        }
        if (end === null) break;
      }
      at = afterComma(text, end);
    }
    return [data, damaged];
  }

  // --- merging -------------------------------------------------------------------------

  /** Python's json.dumps(value, sort_keys=True), enough to tell two entries apart. */
  function canonical(value) {
    if (Array.isArray(value)) return "[" + value.map(canonical).join(", ") + "]";
    if (isDict(value)) {
      return "{" + Object.keys(value).sort().map((k) => JSON.stringify(k) + ": " + canonical(value[k])).join(", ") + "}";
    }
    return JSON.stringify(value);
  }

  function withoutWhen(item) {
    if (!isDict(item)) return item;
    const copy = Object.assign({}, item);
    delete copy.when;
    return copy;
  }

  function newer(theirs, ours) {
    const mine = savedTime(ours);
    const other = savedTime(theirs);
    if (other === null) return false;
    return mine === null || other > mine;
  }

  function joinOpenings(ours, theirs) {
    if (!ours) return Object.assign({}, theirs);
    const first = moment(theirs.first) < moment(ours.first) ? theirs.first : ours.first;
    const last = moment(theirs.last) > moment(ours.last) ? theirs.last : ours.last;
    return Object.assign({}, ours, { first, last });
  }

  /** [merged, plan]: `checked` (not refused) merged into `current`, as record_check.merge. */
  function merge(current, checked, source, when) {
    const merged = { version: RECORD_VERSION, activities: Object.assign({}, current.activities),
      set_aside: (current.set_aside || []).slice(), pages_opened: Object.assign({}, current.pages_opened || {}) };
    const plan = { added: [], replaced: [], kept: [], same: [], set_aside_added: 0, pages: [] };
    const seen = new Set(merged.set_aside.map((item) => canonical(withoutWhen(item))));
    const setAside = (item) => {
      const print = canonical(withoutWhen(item));
      if (seen.has(print)) return;
      seen.add(print);
      merged.set_aside.push(Object.assign({}, item, { when }));
      plan.set_aside_added += 1;
    };
    for (const [id, theirs] of Object.entries(checked.record.activities)) {
      const ours = merged.activities[id];
      if (ours === undefined) {
        merged.activities[id] = theirs;
        plan.added.push(id);
      } else if (canonical(ours) === canonical(theirs)) {
        plan.same.push(id);
      } else if (newer(theirs, ours)) {
        merged.activities[id] = theirs;
        setAside({ activity: id, entry: ours, reason: "replaced by a newer entry from " + source });
        plan.replaced.push(id);
      } else {
        setAside({ activity: id, entry: theirs, reason: "an older entry from " + source + "; the newer one here was kept" });
        plan.kept.push(id);
      }
    }
    for (const item of checked.damaged) setAside(Object.assign({}, item, { reason: "damaged in " + source + ": " + item.reason }));
    for (const item of checked.record.set_aside) {
      if (isDict(item) && has(item, "file")) continue;
      setAside(isDict(item) ? item : { activity: null, entry: item, reason: "set aside in " + source });
    }
    for (const [page, theirs] of Object.entries(checked.record.pages_opened)) {
      const ours = merged.pages_opened[page];
      const joined = joinOpenings(ours, theirs);
      if (canonical(joined) !== canonical(ours === undefined ? null : ours)) {
        merged.pages_opened[page] = joined;
        plan.pages.push(page);
      }
    }
    return [merged, plan];
  }

  /** True for a set-aside item that holds a usable activity entry (record_check.restorable). */
  function restorable(item) {
    return isDict(item) && typeof item.activity === "string" && !has(item, "field") &&
      entryProblem(item.activity, item.entry) === null && !Object.keys(fieldProblems(item.entry)).length;
  }

  /** A stable name for one set-aside item (the same item always has the same name). */
  function itemKey(item) {
    return canonical(item);
  }

  function activityTitle(id, entry) {
    return isDict(entry) && typeof entry.title === "string" ? entry.title : String(id);
  }

  // --- the record in this browser ---------------------------------------------------------

  /** The record kept in `storage` (localStorage). Every change is saved at once. */
  class BrowserRecord {
    constructor(storage, key) {
      this.storage = storage;
      this.key = key || STORAGE_KEY;
      this.notices = [];
      this.data = this.load();
    }

    load() {
      let raw = null;
      try {
        raw = this.storage.getItem(this.key);
      } catch (error) {
        this.notices.push("This browser does not let the course keep your work, so it will be lost when you close " +
          "the page. Download your raw record before you leave.");
      }
      if (raw === null) return emptyRecord();
      const checked = checkRecord(raw, false);
      if (isClean(checked)) return checked.record;
      return this.repair(raw, checked);
    }

    /** Keep every valid entry; set aside what is not; tell the learner. A record that
     * could not be read whole (or at all) is first kept, as it was, under its own key. */
    repair(raw, checked) {
      const stamp = now();
      const data = checked.record || emptyRecord();
      if (checked.refused || checked.problems.length) {
        const kept = this.key + ".damaged-" + stamp.replace(/[^0-9]/g, "").slice(0, 14);
        try {
          this.storage.setItem(kept, raw);
        } catch (error) { /* full: the record itself is still saved below */ }
        data.set_aside.push({ file: kept, reason: checked.refused || checked.problems.join("; "), when: stamp });
      }
      for (const item of checked.damaged || []) data.set_aside.push(Object.assign({}, item, { when: stamp }));
      if (checked.refused) {
        this.notices.push("Your saved work could not be read (" + checked.refused + "). Nothing was deleted: a copy " +
          "was kept in this browser and a new record was started.");
      } else {
        const count = Object.keys(data.activities).length;
        this.notices.push("Some of your saved work was damaged, so it was repaired. Your work on " + count + " " +
          (count === 1 ? "activity" : "activities") + " was kept, and you can carry on." +
          (checked.damaged.length ? " What was damaged was set aside. Nothing was deleted." : ""));
      }
      this.data = data;
      this.write();
      return data;
    }

    write() {
      try {
        this.storage.setItem(this.key, recordJson(this.data));
        return true;
      } catch (error) {
        this.notices.push("Your work could not be saved in this browser (it may be full or private browsing). " +
          "Download your raw record to keep it.");
        return false;
      }
    }

    read() {
      return JSON.parse(JSON.stringify(this.data));
    }

    activity(id) {
      return Object.assign({}, this.data.activities[id] || {});
    }

    /** Merge `changes` into one activity's entry and save; returns the new entry. The
     * stored record is read again first, so that another tab's saves are kept. */
    update(id, changes) {
      this.data = this.load();
      const entry = Object.assign(this.data.activities[id] || {}, changes, { updated: now() });
      this.data.activities[id] = entry;
      this.write();
      return Object.assign({}, entry);
    }

    notePageOpened(page) {
      this.data = this.load();
      const stamp = now();
      const first = (this.data.pages_opened[page] || {}).first || stamp;
      this.data.pages_opened[page] = { first, last: stamp };
      this.write();
    }

    /** What the record text holds and what merging it would change: {checked, plan};
     * changes nothing. */
    preview(text, source) {
      const checked = checkRecord(text, true);
      if (checked.refused) return { checked, plan: null };
      return { checked, plan: merge(this.load(), checked, source, now())[1] };
    }

    /** Bring back the set-aside entry named `key` (itemKey); the entry it replaces is set
     * aside in its turn. Returns the activity id, or null when there is no such entry. */
    restore(key) {
      this.data = this.load();
      const found = this.data.set_aside.find((item) => itemKey(item) === key && restorable(item));
      if (!found) return null;
      const id = found.activity;
      this.data.set_aside.splice(this.data.set_aside.indexOf(found), 1);
      const current = this.data.activities[id];
      if (current !== undefined) {
        this.data.set_aside.push({ activity: id, entry: current, when: now(),
          reason: "replaced when you brought back an earlier entry" });
      }
      this.data.activities[id] = Object.assign({}, found.entry, { updated: now() });
      this.write();
      return id;
    }

    /** The text of a record this browser kept aside (a key the set-aside list names), or null. */
    setAsideText(name) {
      if (typeof name !== "string" || !name.startsWith(this.key + ".damaged-")) return null;
      try {
        return this.storage.getItem(name);
      } catch (error) {
        return null;
      }
    }

    /** Continue from a record (file text or an object from elsewhere): {checked, plan};
     * a refused one changes nothing. */
    mergeText(text, source) {
      const checked = checkRecord(text, true);
      if (checked.refused) return { checked, plan: null };
      this.data = this.load();
      const [merged, plan] = merge(this.data, checked, source, now());
      this.data = merged;
      this.write();
      return { checked, plan };
    }
  }

  const api = { RECORD_VERSION, STORAGE_KEY, emptyRecord, now, moment, recordJson, checkRecord, isClean, salvageJson,
    merge, restorable, itemKey, BrowserRecord };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.CourseRecord = api;
})(typeof window !== "undefined" ? window : globalThis);

/*
 * The learner's journal, as leadership_course/journal.py writes it: the same page, byte
 * for byte, from the same record (tests/web/test_journal_parity.py compares the two). No
 * page needed: runs in the browser (window.CourseJournal) and in Node (require), for the test.
 *
 *   journalHtml(record, course, created)  the whole journal; course is the pages' course map
 *   oneDecimal(number)                     a figure as Python's f"{number:.1f}" writes it
 */
(function (root) {
  "use strict";

  const OUTCOME_NAMES = { positive: "a positive ending", mixed: "a mixed ending", difficult: "a difficult ending" };
  // journal.py's JOURNAL_STYLE.
  const STYLE =
    "body{font-family:system-ui,sans-serif;font-size:1rem;max-width:48rem;margin:2rem auto;padding:0 1rem;" +
    "line-height:1.5;color:#111;overflow-wrap:anywhere}h1,h2,h3{line-height:1.25}" +
    "blockquote{border-left:4px solid #555;margin:0;padding:0 1rem;white-space:pre-wrap}" +
    "table{border-collapse:collapse;max-width:100%}th,td{border:1px solid #555;padding:4px 8px;text-align:left}" +
    ".chart{max-width:30rem;margin:1rem 0}.bar-label{display:block}.bar-row{margin-bottom:.5rem}" +
    ".bar-track{display:inline-block;width:calc(100% - 3rem);border-left:2px solid #111;vertical-align:middle}" +
    ".bar{display:block;height:1.25rem;background:#0072B2;border:1px solid #111;box-sizing:border-box}" +
    ".bar-value{display:inline-block;width:2.5rem;margin-left:.5rem}" +
    ".bar-scale{display:flex;justify-content:space-between;width:calc(100% - 3rem)}";

  const has = (object, key) => Object.prototype.hasOwnProperty.call(object, key);
  const isObject = (value) => value !== null && typeof value === "object" && !Array.isArray(value);
  const isNumber = (value) => typeof value === "number" && Number.isFinite(value);

  /** Python's str() of a value a checked record can hold. */
  function pyStr(value) {
    if (value === null || value === undefined) return "None";
    if (value === true) return "True";
    if (value === false) return "False";
    return String(value);
  }

  /** Python's html.escape(str(value), quote=True). */
  const escape = (value) => pyStr(value).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;",
    '"': "&quot;", "'": "&#x27;" }[c]));

  /** f"{x:.1f}": toFixed, except that an exact half (2.25) goes to the even tenth (2.2) as in Python. */
  function oneDecimal(x) {
    const quarters = Math.abs(x) * 4;
    if (Number.isInteger(quarters) && quarters % 2 === 1) {  // x = n/4 with n odd: .25 or .75, an exact tie
      let tenths = Math.floor(Math.abs(x) * 10);
      if (tenths % 2) tenths += 1;
      return (x < 0 ? "-" : "") + (tenths / 10).toFixed(1);
    }
    return x.toFixed(1);
  }

  const moduleIds = (module) => (module.activities || []).map((a) => (isObject(a) ? a.id : a));

  function progress(activities, module) {
    const ids = moduleIds(module);
    const done = ids.filter((id) => isObject(activities[id]) && activities[id].completed).length;
    return [done, ids.length];
  }

  /** [[module, [entry, ...]]] in course order, then anything not in the course map. */
  function moduleEntries(activities, course) {
    const placed = new Set();
    const grouped = [];
    for (const module of course.modules || []) {
      const ids = moduleIds(module).filter((id) => has(activities, id));
      ids.forEach((id) => placed.add(id));
      grouped.push([module, ids.map((id) => activities[id])]);
    }
    const others = Object.keys(activities).filter((id) => !placed.has(id)).map((id) => activities[id]);
    if (others.length) grouped.push([{ number: null, title: "Other activities" }, others]);
    return grouped;
  }

  function journalHtml(record, course, created) {
    const activities = isObject(record.activities) ? record.activities : {};
    const title = escape(has(course, "title") ? course.title : "Course");
    const out = [
      "<!DOCTYPE html><html lang='en-GB'><head><meta charset='utf-8'>" +
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
      "<title>My journal: " + title + "</title>",
      "<style>" + STYLE + "</style></head><body><main>",
      "<h1>My journal: " + title + "</h1>",
      "<p>Made on " + escape(created) + ". It holds your progress, reflections, pledges and " +
        "self-check results. Keep it somewhere private.</p>",
      "<h2>Progress</h2><table><thead><tr><th scope='col'>Module</th><th scope='col'>Done</th></tr>" +
        "</thead><tbody>",
    ];
    for (const module of course.modules || []) {
      const [done, total] = progress(activities, module);
      if (total) out.push("<tr><td>" + module.number + ". " + escape(module.title) + "</td><td>" + done + " of " + total + "</td></tr>");
    }
    out.push("</tbody></table>");
    for (const [module, entries] of moduleEntries(activities, course)) {
      if (!entries.length) continue;
      const label = module.number !== null && module.number !== undefined ? "Module " + module.number + ": " : "";
      out.push("<h2>" + label + escape(module.title) + "</h2>");
      for (const entry of entries) out.push(entryHtml(isObject(entry) ? entry : {}));
    }
    out.push("</main></body></html>");
    return out.join("");
  }

  function entryHtml(entry) {
    const title = escape(has(entry, "title") ? entry.title : "Activity");
    const kind = entry.type;
    if (kind === "reflection") {
      const text = typeof entry.text === "string" ? entry.text : "";
      return "<h3>" + title + "</h3><p><em>" + escape(has(entry, "prompt") ? entry.prompt : "") + "</em></p>" +
        "<blockquote>" + (escape(text) || "(nothing written yet)") + "</blockquote>";
    }
    if (kind === "knowledge_check") {
      return "<h3>" + title + "</h3><p>Score: " + escape(has(entry, "score") ? entry.score : 0) + " of " +
        escape(has(entry, "out_of") ? entry.out_of : "?") + ".</p>";
    }
    if (kind === "scenario") {
      const reached = new Map();  // "title\u0000outcome" -> [title, outcome, times], in the order first reached
      for (const run of Array.isArray(entry.runs) ? entry.runs : []) {
        if (!isObject(run)) continue;
        const ending = [pyStr(has(run, "ending_title") ? run.ending_title : ""), pyStr(has(run, "outcome") ? run.outcome : "")];
        const key = ending.join("\u0000");
        if (reached.has(key)) reached.get(key)[2] += 1; else reached.set(key, [...ending, 1]);
      }
      const items = [...reached.values()].map(([ending, outcome, times]) => "<li>" + escape(ending) + " (" +
        escape(has(OUTCOME_NAMES, outcome) ? OUTCOME_NAMES[outcome] : outcome) + ")" +
        (times > 1 ? ", " + times + " times" : "") + "</li>").join("");
      return "<h3>" + title + "</h3><p>Endings you reached:</p><ul>" + (items || "<li>none yet</li>") + "</ul>";
    }
    if (kind === "self_check") {
      const scores = isObject(entry.scores) ? entry.scores : {};
      const labels = isObject(entry.labels) ? entry.labels : {};
      const figures = Object.entries(scores).filter(([, v]) => isNumber(v))
        .map(([k, v]) => [pyStr(has(labels, k) ? labels[k] : k), v]);
      const rows = figures.map(([label, value]) => "<tr><td>" + escape(label) + "</td><td>" + oneDecimal(value) + "</td></tr>").join("");
      const top = entry.scale_top;
      return "<h3>" + title + "</h3><p>For reflection only, not a validated measure.</p>" +
        (Number.isInteger(top) && top > 1 ? chartHtml(figures, top) : "") +
        "<table><thead><tr><th scope='col'>Area</th><th scope='col'>Your average</th></tr></thead>" +
        "<tbody>" + rows + "</tbody></table>";
    }
    return "<h3>" + title + "</h3>";
  }

  /** journal.py's _chart_html: bars from 0 to top in HTML and CSS, read as its text equivalent. */
  function chartHtml(figures, top) {
    const rows = figures.map(([label, value]) => "<div class='bar-row'><span class='bar-label'>" + escape(label) +
      "</span><span class='bar-track'><span class='bar' style='width:" + oneDecimal(Math.max(0, Math.min(value, top)) / top * 100) +
      "%'></span></span><span class='bar-value'>" + oneDecimal(value) + "</span></div>").join("");
    let scale = "";
    for (let mark = 0; mark <= top; mark++) scale += "<span>" + mark + "</span>";
    // self_check.py's results_alt
    const alt = "Bar chart of your average for each area, on a scale of 1 to " + top + ": " +
      figures.map(([label, value]) => label + " " + oneDecimal(value)).join(", ") + ".";
    return "<div class='chart' role='img' aria-label='" + escape(alt) + "'>" + rows +
      "<div class='bar-scale'>" + scale + "</div><p>Average (1 to " + top + ")</p></div>";
  }

  const api = { journalHtml, oneDecimal };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.CourseJournal = api;
})(typeof window !== "undefined" ? window : globalThis);

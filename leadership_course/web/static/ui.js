/*
 * The web edition's page: draws each activity into its place (a div.course-activity the
 * build left where the notebook's code cell was), with the behaviour, focus moves and
 * announcements of the Voila components (leadership_course/components/). The rules are
 * in engine.js, the record in record.js; this file only draws and listens.
 *
 * Contract with a host page (the SCORM packages add a script that sets this up):
 *  - Before the record is read, if window.CourseHost exists, the page calls
 *    window.CourseHost.loadRecord(), which returns a record object (the course's layout)
 *    or null; it is merged into the browser's record, the newer entry of each activity
 *    winning, as "Continue from a saved record" merges.
 *  - After every saved step the page dispatches on window
 *      new CustomEvent("course:saved", {detail: {record, moduleId, progress: {done, total, complete},
 *        knowledgeScore: {raw, min, max}, interactions: [{id, type: "choice", response, result}]}})
 *    where moduleId is the page's module number (null on other pages), progress counts the
 *    module's activities done, knowledgeScore counts its knowledge-check questions answered
 *    right, and interactions lists each answered question (id "<activity>.<question>",
 *    response the chosen options as letters "a,c", result "correct" or "wrong").
 *  - When the page is left or closed (the "pagehide" event) it dispatches "course:leaving".
 *  - window.CourseHost.storageKey, if set, is the localStorage key of the record (one per LMS learner).
 */
(function () {
  "use strict";

  const E = window.CourseEngine;
  const R = window.CourseRecord;
  const J = window.CourseJournal;
  const DATA = JSON.parse(document.getElementById("course-data").textContent);
  const OUTCOME_NAMES = { positive: "a positive ending", mixed: "a mixed ending", difficult: "a difficult ending" };
  const DISCLAIMER = "This self-check is for your own reflection. It is not a validated measure, and it cannot " +
    "diagnose anything. Your answers stay on this computer.";
  const HEADINGS = { reflection: "Reflection", pledge: "Your pledge", goals: "Your goals" };
  const MAX_LENGTH = 20000;
  let record = null;

  // --- small helpers ---------------------------------------------------------------------

  function el(tag, attributes, children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (name === "html") node.innerHTML = value; // authored HTML, rendered and escaped at build
      else if (name === "text") node.textContent = value;
      else if (value !== null && value !== undefined && value !== false) node.setAttribute(name, value);
    }
    for (const child of children || []) if (child) node.append(child);
    return node;
  }

  const escape = (text) => String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;",
    '"': "&quot;", "'": "&#39;" }[c]));

  /** A persistent role="status" region: kind "feedback", "plain" or "unseen". */
  function liveRegion(kind) {
    return el("div", { role: "status", "aria-live": "polite", class: "course-" + (kind || "feedback") });
  }

  function button(label, handler, secondary) {
    const made = el("button", { type: "button", class: secondary ? "course-secondary" : null, text: label });
    made.addEventListener("click", handler);
    return made;
  }

  function courseBox(kind, children) {
    return el("div", { class: "course-box course-" + kind }, children);
  }

  /** Focus the first heading (else the container). The view scrolls to `lead` when it has
   * text (what led here, shown above the heading), else to the heading, as common.py's FocusableHTML. */
  function focusHeading(container, lead) {
    const target = container.querySelector("h1, h2, h3, h4, h5, h6") || container;
    target.setAttribute("tabindex", "-1");
    target.focus({ preventScroll: true });
    (lead && lead.textContent.trim() ? lead : target).scrollIntoView({ block: "start" });
  }

  function clock(stamp) {
    const match = /T(\d{2}:\d{2})/.exec(stamp || "");
    return match ? match[1] : stamp;
  }

  function say(region, html) {
    region.innerHTML = html;
  }

  /** A number for shuffling options: the same for this browser, activity and question. */
  function shuffledOrder(count, activityId, questionId) {
    let seed = null;
    try {
      seed = localStorage.getItem("compassionate-leadership-order");
      if (!seed) {
        seed = String(Math.floor(Math.random() * 1e9));
        localStorage.setItem("compassionate-leadership-order", seed);
      }
    } catch (error) {
      seed = "0";
    }
    let hash = 2166136261;
    for (const c of seed + "|" + activityId + "|" + questionId) hash = Math.imul(hash ^ c.charCodeAt(0), 16777619) >>> 0;
    const order = [...Array(count).keys()];
    for (let i = count - 1; i > 0; i--) {
      hash = Math.imul(hash ^ (hash >>> 15), 2246822507) >>> 0;
      const j = hash % (i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    return order;
  }

  // --- the record and the host --------------------------------------------------------------

  function allModules() {
    return DATA.course.modules;
  }

  function moduleProgress(data, module) {
    const ids = module.activities.map((a) => a.id);
    const done = ids.filter((id) => data.activities[id] && data.activities[id].completed === true).length;
    return { done, total: ids.length, complete: ids.length > 0 && done === ids.length };
  }

  function savedDetail() {
    const data = record.read();
    const module = allModules().find((m) => m.number === DATA.module);
    let progress;
    if (module) {
      progress = moduleProgress(data, module);
    } else {
      const parts = allModules().map((m) => moduleProgress(data, m));
      const done = parts.reduce((a, p) => a + p.done, 0);
      const total = parts.reduce((a, p) => a + p.total, 0);
      progress = { done, total, complete: total > 0 && done === total };
    }
    let raw = 0;
    let max = 0;
    const interactions = [];
    for (const [id, activity] of Object.entries(DATA.activities)) {
      if (activity.type !== "knowledge_check") continue;
      const answers = (data.activities[id] || {}).answers || {};
      for (const question of activity.questions) {
        max += 1;
        const answer = answers[question.id];
        if (!answer || !Array.isArray(answer.selected)) continue;
        if (answer.correct === true) raw += 1;
        interactions.push({ id: id + "." + question.id, type: "choice",
          response: answer.selected.map((i) => String.fromCharCode(97 + i)).join(","),
          result: answer.correct === true ? "correct" : "wrong" });
      }
    }
    return { record: data, moduleId: DATA.module, progress, knowledgeScore: { raw, min: 0, max }, interactions };
  }

  /** Save a change to one activity and tell the host page. */
  function save(id, changes) {
    const entry = record.update(id, changes);
    showNotices();
    window.dispatchEvent(new CustomEvent("course:saved", { detail: savedDetail() }));
    return entry;
  }

  let noticeBox = null;
  function showNotices() {
    if (!record.notices.length) return;
    if (!noticeBox) {
      noticeBox = el("div", { class: "course-notice", role: "alert" });
      document.getElementById("main").prepend(noticeBox);
    }
    for (const message of record.notices.splice(0)) noticeBox.append(el("p", { text: message }));
  }

  // --- knowledge check ---------------------------------------------------------------------

  function knowledgeCheck(activity) {
    const saved = record.activity(activity.id).answers;
    const answers = {};
    const summary = liveRegion("plain");
    const views = activity.questions.map((question, n) => questionView(activity, question, n + 1,
      activity.questions.length, answers, saved && typeof saved === "object" ? saved[question.id] : null, onAnswer));
    function onAnswer() {
      const right = Object.values(answers).filter((a) => a.correct).length;
      save(activity.id, { type: "knowledge_check", title: activity.title, module: activity.module, answers,
        score: right, out_of: views.length, completed: Object.keys(answers).length === views.length });
      updateSummary();
    }
    function updateSummary() {
      const right = Object.values(answers).filter((a) => a.correct).length;
      const total = views.length;
      const answered = Object.keys(answers).length;
      let text = "Your score: " + right + " of " + total + " correct.";
      text += answered < total ? " " + (total - answered) + " question" + (total - answered > 1 ? "s" : "") +
        " still to answer." : " You have answered every question.";
      say(summary, "<p class='course-score'><strong>" + text + "</strong></p>");
    }
    updateSummary();
    return courseBox("knowledge-check", [el("div", { html: "<h3>" + escape(activity.title) + "</h3>" +
      (activity.intro_html || "") }), ...views, summary]);
  }

  function choiceGroup(options, legendHtml, multiple, order, horizontal) {
    const name = "course-choice-" + Math.random().toString(36).slice(2, 10);
    const list = el("div", { class: "course-options" + (horizontal ? " course-options-row" : "") });
    const fieldset = el("fieldset", { class: "course-choice-group" }, [el("legend", { html: legendHtml }), list]);
    const group = { fieldset, locked: false, onChange: () => {} };
    for (const i of order.length ? order : options.map((_, i) => i)) {
      const input = el("input", { type: multiple ? "checkbox" : "radio", name, value: String(i) });
      input.addEventListener("click", (event) => { if (group.locked) event.preventDefault(); });
      input.addEventListener("change", () => group.onChange());
      list.append(el("label", {}, [input, document.createTextNode(" " + options[i])]));
    }
    group.inputs = () => [...list.querySelectorAll("input")];
    group.value = () => group.inputs().filter((x) => x.checked).map((x) => Number(x.value)).sort((a, b) => a - b);
    group.select = (numbers) => { for (const x of group.inputs()) x.checked = numbers.includes(Number(x.value)); };
    group.setLocked = (locked) => {
      group.locked = locked;
      fieldset.classList.toggle("course-locked", locked);
      for (const x of group.inputs()) x.setAttribute("aria-disabled", locked ? "true" : "false");
    };
    group.focus = () => { const all = group.inputs(); (all.find((x) => x.checked) || all[0]).focus(); };
    group.setLocked(false);
    return group;
  }

  function questionView(activity, question, number, total, answers, saved, onAnswer) {
    const options = question.options;
    const feedback = liveRegion();
    const order = question.kind === "true_false" ? [] : shuffledOrder(options.length, activity.id, question.id);
    const group = choiceGroup(options.map((o) => o.text), question.prompt_html, question.kind === "multiple", order);
    const check = button("Check answer", onCheck);
    const retry = button("Try again", onRetry, true);
    retry.hidden = true;
    let attempts = 0;

    function setLocked(locked, correct) {
      group.setLocked(locked);
      check.hidden = locked;
      retry.hidden = !(locked && !correct);
    }
    function showResult(selected) {
      const correct = E.scoreAnswer(question, selected);
      const verdict = correct ? "✓ Correct." : selected.some((i) => options[i].correct) ? "✗ Partly right." : "✗ Not quite.";
      const parts = ["<p><strong>" + verdict + "</strong></p>"];
      for (const i of selected) {
        const stop = /[.?!]$/.test(options[i].text.trimEnd()) ? "" : ".";  // no "staff.." (knowledge_check.py)
        parts.push("<p>You chose <em>" + escape(options[i].text) + "</em>" + stop + " " + (options[i].feedback_html || "") + "</p>");
      }
      if (!correct) {
        const missed = options.filter((o, i) => o.correct && !selected.includes(i)).length;
        if (question.kind === "multiple" && missed) parts.push("<p>You missed " + missed + " correct option" + (missed > 1 ? "s" : "") + ".</p>");
        parts.push("<p>Select Try again to have another go.</p>");
      }
      say(feedback, parts.join(""));
      setLocked(true, correct);
      return correct;
    }
    function onCheck() {
      const selected = group.value();
      if (!selected.length) {
        say(feedback, "<p>Choose an answer first, then select Check answer.</p>");
        return;
      }
      attempts += 1;
      const correct = showResult(selected);
      (retry.hidden ? group : retry).focus();
      answers[question.id] = { selected, correct, attempts, answered_at: R.now() };
      onAnswer();
    }
    function onRetry() {
      if (question.kind !== "multiple") group.select([]);
      say(feedback, "<p>Have another go: change your answer, then select Check answer.</p>");
      setLocked(false);
      group.focus();
    }
    if (saved && typeof saved === "object") {
      const selected = E.validSelection(question, saved.selected);
      if (selected) {
        group.select(selected);
        showResult(selected);
        attempts = Number.isInteger(saved.attempts) ? saved.attempts : 1;
        answers[question.id] = { selected, correct: E.scoreAnswer(question, selected), attempts,
          answered_at: saved.answered_at };
      }
    }
    return el("div", { class: "course-question" }, [el("h3", { text: "Question " + number + " of " + total }),
      group.fieldset, el("div", { class: "course-buttons" }, [check, retry]), feedback]);
  }

  // --- scenario ----------------------------------------------------------------------------

  function scenario(activity) {
    const walk = new E.ScenarioWalk(activity);
    const saved = record.activity(activity.id);
    let runs = Array.isArray(saved.runs) ? saved.runs : [];
    let { path, place, state } = walk.replay(saved.path || []);
    const consequence = liveRegion();
    const announcer = liveRegion("unseen");
    const body = el("div", { class: "course-focusable-html" });
    const label = el("p", { class: "course-choices-label", id: "choices-" + activity.id, html: "<strong>What do you do?</strong>" });
    const list = el("div", { class: "course-choices" });
    const group = el("div", { role: "group", "aria-labelledby": label.id }, [label, list]);
    const standing = el("div");
    const back = button("Back", onBack, true);
    const restart = button("Restart", onRestart, true);
    let heading = "<h3>Scenario: " + escape(activity.title) + "</h3>";
    if (activity.setting) heading += "<p><strong>Setting:</strong> " + escape(activity.setting) + "</p>";
    if (activity.content_note) {
      heading += "<div class='course-warning'><p class='course-warning-label'><span class='course-unseen'>Important: " +
        "</span>Content note</p><p>" + escape(activity.content_note) + "</p></div>";
    }
    list.addEventListener("keydown", (event) => {
      const all = [...list.querySelectorAll("button")];
      const at = all.indexOf(document.activeElement);
      const moves = { ArrowDown: at + 1, ArrowRight: at + 1, ArrowUp: at - 1, ArrowLeft: at - 1, Home: 0, End: all.length - 1 };
      if (at < 0 || !(event.key in moves)) return;
      event.preventDefault();
      all[(moves[event.key] + all.length) % all.length].focus();
    });

    const atEnding = () => walk.isEnding(place);
    function persist() {
      save(activity.id, { type: "scenario", title: activity.title, module: activity.module, path, place, state, runs,
        completed: runs.length > 0 });
    }
    function pick(index) {
      if (atEnding() || !walk.openChoices(place, state).includes(index)) return;
      const choice = walk.nodes[place].choices[index];
      path.push({ node: place, choice: index, text: choice.text });
      [place, state] = walk.choose(place, state, index);
      say(consequence, "<p><strong>What happens next:</strong> " + (choice.consequence_html || "") + "</p>");
      if (atEnding()) {
        const ending = walk.endings[place];
        runs.push({ path: path.slice(), ending: place, ending_title: ending.title, outcome: ending.outcome,
          state: Object.assign({}, state), finished_at: R.now() });
      }
      persist();
      show(true);
    }
    function onBack() {
      if (!path.length) {
        say(consequence, "<p>You are at the start of the scenario.</p>");
        return;
      }
      ({ path, place, state } = walk.replay(path.slice(0, -1)));
      say(consequence, "<p>You went back one step. Choose again.</p>");
      persist();
      show(true);
    }
    function onRestart() {
      ({ path, place, state } = walk.replay([]));
      say(consequence, "<p>You are back at the start. Try a different path if you like.</p>");
      persist();
      show(true);
    }
    function endingsReached() {
      const seen = [];
      for (const run of runs) {
        const ending = run && typeof run === "object" ? walk.endings[run.ending] : null;
        if (ending && !seen.some((s) => s[0] === ending.title && s[1] === ending.outcome)) seen.push([ending.title, ending.outcome]);
      }
      return seen;
    }
    function standingHtml() {
      let html = "";
      const labels = activity.state_labels || {};
      if (Object.keys(labels).length) {
        html += "<p><strong>Where things stand</strong> (0 is where you started):</p><ul>" + Object.entries(labels)
          .map(([name, text]) => "<li>" + escape(text) + ": " + (state[name] || 0) + "</li>").join("") + "</ul>";
      }
      const reached = endingsReached();
      if (reached.length) {
        html += "<p><strong>Endings you have reached:</strong> " + reached.length + " of " + Object.keys(walk.endings).length +
          ".</p><ul>" + reached.map(([t, o]) => "<li>" + escape(t) + " (" + OUTCOME_NAMES[o] + ")</li>").join("") + "</ul>";
      }
      return html;
    }
    function endingHtml() {
      const ending = walk.endings[place];
      let html = "<h4>Ending: " + escape(ending.title) + "</h4><p><strong>Outcome:</strong> " + OUTCOME_NAMES[ending.outcome] +
        ".</p>" + (ending.text_html || "") + "<h4>Your path</h4><ol>" + path.map((s) => "<li>" + escape(s.text) + "</li>").join("") +
        "</ol><h4>Debrief</h4>" + (ending.debrief_html || "") + (activity.debrief_html || "");
      if ((activity.references_html || []).length) {
        html += "<h4>Evidence</h4><ul>" + activity.references_html.map((r) => "<li>" + r + "</li>").join("") + "</ul>";
      }
      return html + "<p>Select Back to change your last choice, or Restart to try another path.</p>";
    }
    function show(afterAction) {
      if (!afterAction) say(consequence, "");
      let announcement;
      if (atEnding()) {
        const ending = walk.endings[place];
        body.innerHTML = endingHtml();
        announcement = "<p>Ending: " + escape(ending.title) + ". Outcome: " + OUTCOME_NAMES[ending.outcome] + ".</p>" +
          (ending.text_html || "");
        list.replaceChildren();
      } else {
        const node = walk.nodes[place];
        body.innerHTML = "<h4>Step " + (path.length + 1) + "</h4>" + (node.text_html || "");
        announcement = "<p>Step " + (path.length + 1) + ".</p>" + (node.text_html || "");
        list.replaceChildren(...walk.openChoices(place, state).map((i) => {
          const choice = el("button", { type: "button", class: "course-choice-button", text: node.choices[i].text });
          choice.addEventListener("click", () => pick(i));
          return choice;
        }));
      }
      group.hidden = atEnding();
      back.disabled = !path.length;
      standing.innerHTML = standingHtml();
      if (afterAction) {
        say(announcer, announcement);
        focusHeading(body, consequence);  // "What happens next" stays in view above the new step
      }
    }
    show(false);
    return courseBox("scenario", [el("div", { html: heading }), consequence, announcer, body, group, standing,
      el("div", { class: "course-buttons" }, [back, restart])]);
  }

  // --- self-check ----------------------------------------------------------------------------

  function barChart(labels, values, top, title) {
    const ns = "http://www.w3.org/2000/svg";
    const width = 600;
    const row = 44;
    const left = 190;
    const height = row * labels.length + 40;
    const svg = document.createElementNS(ns, "svg");
    const id = "chart-" + Math.random().toString(36).slice(2, 8);
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-labelledby", id + "-title " + id + "-desc");
    svg.setAttribute("class", "course-chart");
    const add = (tag, attributes, text) => {
      const node = document.createElementNS(ns, tag);
      for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, v);
      if (text !== undefined) node.textContent = text;
      svg.append(node);
      return node;
    };
    add("title", { id: id + "-title" }, title);
    add("desc", { id: id + "-desc" }, "Your average for each area, on a scale of 1 to " + top + ": " +
      labels.map((l, i) => l + " " + J.oneDecimal(values[i])).join(", ") + ".");
    const span = width - left - 60;
    labels.forEach((label, i) => {
      const y = 10 + i * row;
      add("text", { x: left - 10, y: y + 24, "text-anchor": "end", "font-size": "16", fill: "#212b32" }, label);
      add("rect", { x: left, y: y + 6, width: Math.max(2, span * values[i] / top), height: 26, fill: "#005eb8" });
      add("text", { x: left + span * values[i] / top + 8, y: y + 24, "font-size": "16", fill: "#212b32" }, J.oneDecimal(values[i]));
    });
    add("line", { x1: left, y1: 6, x2: left, y2: height - 30, stroke: "#212b32" });
    for (let n = 1; n <= top; n++) {
      add("text", { x: left + span * n / top, y: height - 10, "text-anchor": "middle", "font-size": "14", fill: "#212b32" }, String(n));
    }
    return svg;
  }

  function selfCheck(activity) {
    const scale = activity.scale;
    const entry = record.activity(activity.id);
    const saved = entry.responses && typeof entry.responses === "object" ? entry.responses : {};
    const status = liveRegion();
    const results = el("div", { class: "course-results" });
    const groups = {};
    const total = activity.dimensions.reduce((a, d) => a + d.items.length, 0);
    const parts = [el("div", { html: "<h3>Self-check: " + escape(activity.title) + "</h3>" + (activity.intro_html || "") +
      "<p><em>" + DISCLAIMER + "</em></p>" })];
    let number = 0;
    const responses = () => {
      const found = {};
      for (const [id, group] of Object.entries(groups)) if (group.value().length) found[id] = group.value()[0] + 1;
      return found;
    };
    const persist = (extra) => {
      const answers = responses();
      save(activity.id, Object.assign({ type: "self_check", title: activity.title, module: activity.module,
        responses: answers, scores: E.dimensionScores(activity, answers) }, extra || {}));
    };
    for (const dimension of activity.dimensions) {
      for (const item of dimension.items) {
        number += 1;
        const group = choiceGroup(scale, "<strong>" + number + " of " + total + ".</strong> " + escape(item.text), false, [], true);
        const value = saved[item.id];
        if (Number.isInteger(value) && value >= 1 && value <= scale.length) group.select([value - 1]);
        group.onChange = () => persist();
        groups[item.id] = group;
        parts.push(group.fieldset);
      }
    }
    function showResults() {
      const answers = responses();
      const missing = total - Object.keys(answers).length;
      if (missing) {
        say(status, "<p>Please answer every statement first: " + missing + " still to answer.</p>");
        return;
      }
      const scores = E.dimensionScores(activity, answers);
      const labels = activity.dimensions.map((d) => d.label);
      const values = activity.dimensions.map((d) => scores[d.id]);
      const rows = labels.map((l, i) => "<tr><th scope='row'>" + escape(l) + "</th><td>" + J.oneDecimal(values[i]) + "</td></tr>").join("");
      results.replaceChildren(el("h4", { text: "Your results" }), el("p", { html: "<em>" + DISCLAIMER + "</em>" }),
        barChart(labels, values, scale.length, "Your self-check results"),
        el("table", { html: "<caption>Your average for each area (1 to " + scale.length + "; higher means you said it " +
          "happens more)</caption><thead><tr><th scope='col'>Area</th><th scope='col'>Your average</th></tr></thead>" +
          "<tbody>" + rows + "</tbody>" }));
      say(status, "<p>Your results are below. They are saved in your journal.</p>");
      const labelMap = {};
      for (const d of activity.dimensions) labelMap[d.id] = d.label;
      return labelMap;
    }
    const showButton = button("Show my results", () => {
      const labels = showResults();
      if (labels) persist({ results_shown: true, completed: true, labels, scale_top: scale.length, completed_at: R.now() });
    });
    parts.push(showButton, status, results);
    if (entry.results_shown && Object.keys(responses()).length === total) showResults();
    return courseBox("self-check", parts);
  }

  // --- reflections and plans ---------------------------------------------------------------

  function textBox(value, labelHtml, hint, rows) {
    const id = "course-text-" + Math.random().toString(36).slice(2, 10);
    const label = el("div", { class: "course-text-label", id: id + "-label", html: labelHtml });
    const hintBox = hint ? el("div", { class: "course-hint", id: id + "-hint", text: hint }) : null;
    const box = el("textarea", { class: "course-textarea", rows: String(rows), "aria-labelledby": label.id,
      "aria-describedby": hint ? id + "-hint" : null });
    box.value = value;
    return { box, parts: [label, hintBox, box] };
  }

  const savedText = (entry) => (typeof entry.text === "string" ? entry.text : "");

  function saveReflection(reflection, text) {
    const stamp = R.now();
    text = text.slice(0, MAX_LENGTH);
    save(reflection.id, { type: "reflection", kind: reflection.kind || "reflection", title: reflection.title,
      module: reflection.module, prompt: reflection.prompt, text, saved_at: stamp, completed: Boolean(text.trim()) });
    return stamp;
  }

  /** `message` with "again" before its time when the region already says it (components/reflection.py's
   * said_anew): a screen reader reads a region out only when its words change. */
  const saidAnew = (message, region) => (region.textContent === message ? message.replace(" at ", " again at ") : message);

  /** "Your pledge: Title", or the title alone when it already names the kind ("My pledge"), as in reflection.py. */
  function heading(kind, title) {
    const word = HEADINGS[kind].split(" ").pop().toLowerCase();
    return title.toLowerCase().split(/\s+/).includes(word) ? title : HEADINGS[kind] + ": " + title;
  }

  function reflection(activity) {
    const saved = record.activity(activity.id);
    const status = liveRegion();
    const { box, parts } = textBox(savedText(saved), activity.prompt_html || "", activity.hint || "", 6);
    // Leaving the box says "Saved automatically", so that Save just after says "Saved at", and again "Saved again at".
    function onSave(onLeaving) {
      let message = "Saved " + (onLeaving === true ? "automatically " : "") + "at " + clock(saveReflection(activity, box.value)) + ".";
      if (box.value.length > MAX_LENGTH) message += " Only the first 20,000 characters were kept.";
      say(status, "<p>" + escape(saidAnew(message, status)) + "</p>");
    }
    box.addEventListener("change", () => onSave(true));
    if (savedText(saved) && typeof saved.saved_at === "string") say(status, "<p>Saved at " + escape(clock(saved.saved_at)) + ".</p>");
    return courseBox("reflection", [el("h3", { text: heading(activity.kind || "reflection", activity.title) }),
      ...parts, button("Save", () => onSave(false)), status]);
  }

  function plan(activity) {
    const status = liveRegion();
    const boxes = [];
    const children = [el("div", { html: "<h3>" + escape(activity.title) + "</h3><p>Each part is saved when you leave its " +
      "box, and every part when you select <strong>Save my plan</strong>.</p>" })];
    const stamps = [];
    activity.parts.forEach((part, n) => {
      const saved = record.activity(part.reflection.id);
      const { box, parts } = textBox(savedText(saved), "<h4>" + (n + 1) + ". " + escape(part.heading) + "</h4>" +
        (part.reflection.prompt_html || ""), part.reflection.hint || "", 4);
      box.addEventListener("change", () => {
        const stamp = saveReflection(part.reflection, box.value);
        say(status, "<p>" + escape("Part " + (n + 1) + " saved at " + clock(stamp) + "." + cutNote([n])) + "</p>");
      });
      boxes.push(box);
      children.push(...parts);
      if (savedText(saved) && typeof saved.saved_at === "string") stamps.push(saved.saved_at);
    });
    const saveAll = button("Save my plan", () => {
      let stamp = null;
      boxes.forEach((box, n) => { stamp = saveReflection(activity.parts[n].reflection, box.value); });
      const message = "Your plan was saved at " + clock(stamp) + "." + cutNote(boxes.map((_, n) => n));
      say(status, "<p>" + escape(saidAnew(message, status)) + "</p>");
    });
    function cutNote(indexes) {  // plan.py's _cut_note
      const cut = indexes.filter((n) => boxes[n].value.length > MAX_LENGTH).map((n) => n + 1);
      return cut.length ? " In part " + cut.join(", ") + ", only the first 20,000 characters were kept." : "";
    }
    if (stamps.length) say(status, "<p>Saved at " + escape(clock(stamps.sort().pop())) + ".</p>");
    return courseBox("plan", [...children, saveAll, status]);
  }

  // --- course home, journal, pledges ---------------------------------------------------------

  function moduleState(data, module) {
    if (!module.page) return { tag: "Coming soon", kind: "soon", done: [], left: [] };
    const done = [];
    const left = [];
    let touched = false;
    for (const a of module.activities) {
      const entry = data.activities[a.id];
      if (entry && typeof entry === "object") touched = true;
      if (entry && entry.completed) done.push(a.title); else left.push(a);
    }
    const opened = Object.prototype.hasOwnProperty.call(data.pages_opened, module.notebook);
    if (module.activities.length && !left.length) return { tag: "Complete", kind: "done", done, left };
    if (done.length || touched || opened) return { tag: "In progress", kind: "progress", done, left };
    return { tag: "Not started", kind: "todo", done, left };
  }

  /** "Start the course", or "Continue where you left off": the next unfinished activity of the first module
   * in progress, else the first module not begun after the last one finished (course_home.py's resume_html). */
  function resumeHtml(data) {
    const states = allModules().map((module) => [module, moduleState(data, module)]);
    const begun = states.filter(([, s]) => s.kind === "todo" || s.kind === "progress");
    if (!begun.length) {
      return "<div class='course-resume'><h2>You have finished the course</h2><p>Every activity is done. Download your " +
        "journal below to keep what you wrote.</p></div>";
    }
    if (!states.some(([, s]) => s.done.length || s.kind === "progress" || s.kind === "done")) {
      const module = begun[0][0];
      return "<div class='course-resume'><h2>Start the course</h2><p><a href='" + escape(module.page) + "'>Module " +
        module.number + ": " + escape(module.title) + "</a></p></div>";
    }
    const inProgress = begun.filter(([, s]) => s.kind === "progress");
    const lastDone = states.map(([, s]) => s.kind).lastIndexOf("done");
    const after = states.slice(lastDone + 1).filter(([, s]) => s.kind === "todo");
    const [module, state] = (inProgress.length ? inProgress : after.length ? after : begun)[0];
    const name = "Module " + module.number + ": " + escape(module.title);
    let next = "<a href='" + escape(module.page) + "'>" + name + "</a>.";
    if (state.kind === "progress" && state.left.length) {
      const first = state.left[0];
      next = "<a href='" + escape(module.page + (first.section ? "#" + first.section : "")) + "'>" + escape(first.title) + "</a>, in " + name + ".";
    }
    return "<div class='course-resume course-returning'><h2>Continue where you left off</h2><p>Next: " + next + "</p></div>";
  }

  /** A returning learner's "Continue where you left off" leads the page, just under its heading, and the
   * text for newcomers ("New here?") is hidden, as the Voila template does on the course home. */
  function leadWithResume(map) {
    const h1 = document.querySelector("#main h1");
    if (!h1) return;
    let slot = document.querySelector(".course-resume-slot");
    if (!slot) {
      slot = el("div", { class: "course-resume-slot" });
      h1.after(slot);
    }
    const resume = map.querySelector(".course-resume");
    const returning = Boolean(resume && resume.classList.contains("course-returning"));
    slot.replaceChildren(...(returning ? [resume] : []));
    for (const p of h1.parentNode.querySelectorAll("p")) if (/^New here\?/.test(p.textContent.trim())) p.hidden = returning;
  }

  function courseMapHtml() {
    const data = record.read();
    const items = allModules().map((module) => {
      const state = moduleState(data, module);
      const key = "course-module-" + module.number;
      const total = state.done.length + state.left.length;
      const hint = [escape(module.purpose), "About " + module.minutes + " minutes."];
      if (state.kind !== "soon" && total) hint.push(state.done.length + " of " + total + " activities done.");
      if (state.done.length && state.left.length) {
        hint.push("Done: " + escape(state.done.join("; ")) + ". Still to do: " + escape(state.left.map((a) => a.title).join("; ")) + ".");
      }
      let name = "Module " + module.number + ": " + escape(module.title);
      if (module.page) name = "<a class='course-task-link' href='" + escape(module.page) + "' aria-describedby='" + key + "-hint " + key + "-status'>" + name + "</a>";
      return "<li class='course-task'><div class='course-task-name'>" + name + "<span class='course-task-hint' id='" + key + "-hint'>" +
        hint.join(" ") + "</span></div><div class='course-task-status' id='" + key + "-status'><strong class='course-tag course-tag-" +
        state.kind + "'>" + state.tag + "</strong></div></li>";
    }).join("");
    return resumeHtml(data) + "<h2>Course map</h2><ul class='course-task-list'>" + items + "</ul>";
  }

  function planItems(plan, future) {
    const count = (ids) => ids.length + " activit" + (ids.length === 1 ? "y" : "ies");
    const will = future ? "will be" : "were";
    const items = [];
    if (plan.added.length) items.push(count(plan.added) + " " + will + " added.");
    if (plan.replaced.length) {
      items.push(count(plan.replaced) + " " + will + " updated with newer work from the file. Your earlier answers " +
        (future ? "will be" : "are") + " kept aside, so you can bring them back.");
    }
    if (plan.kept.length) {
      items.push(count(plan.kept) + " " + (future ? "are" : "were") + " newer here and " + (future ? "stay" : "stayed") +
        " as they are. The older work from the file " + (future ? "will be" : "is") + " kept aside.");
    }
    const others = plan.set_aside_added - plan.replaced.length - plan.kept.length;
    if (others > 0) {
      items.push(others + " other part" + (others === 1 ? "" : "s") + " of the file (damaged, or kept aside there) " +
        will + " kept aside here too.");
    }
    if (plan.same.length) items.push(count(plan.same) + " " + (future ? "are" : "were") + " the same in both.");
    if (plan.pages.length) {
      items.push("When you opened " + plan.pages.length + " module page" + (plan.pages.length === 1 ? "" : "s") + " " +
        (future ? "will be" : "was") + " added, so the course home counts those modules as started.");
    }
    return items.map((item) => "<li>" + escape(item) + "</li>").join("");
  }

  function titleOf(id, entry) {
    const title = entry && typeof entry.title === "string" ? entry.title : id;
    const module = allModules().find((m) => m.activities.some((a) => a.id === id));
    return module ? title + " (module " + module.number + ")" : title;
  }

  /** The numbers of the course modules that hold activities of a record, in order (record_check.modules_of). */
  function modulesOf(activities) {
    return allModules().filter((m) => m.activities.some((a) => Object.prototype.hasOwnProperty.call(activities, a.id))).map((m) => m.number);
  }

  function moduleWords(numbers) {
    if (numbers.length === 1) return "module " + numbers[0];
    return "modules " + numbers.slice(0, -1).join(", ") + " and " + numbers[numbers.length - 1];
  }

  /** "28 November 2026 at 10:42" in this computer's time zone (record_check.spoken_time). */
  function spokenTime(milliseconds) {
    const d = new Date(milliseconds);
    const months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
      "November", "December"];
    const pad = (n) => String(n).padStart(2, "0");
    return d.getDate() + " " + months[d.getMonth()] + " " + d.getFullYear() + " at " + pad(d.getHours()) + ":" + pad(d.getMinutes());
  }

  /** "Continue from a saved record", as the Voila course home has it (components/continue_record.py):
   * check the file, say what it holds and what would change, merge only when the learner
   * confirms; and bring back what was kept aside. */
  function continueStep(onChange) {
    const status = liveRegion();
    const input = el("input", { type: "file", id: "course-continue-file", class: "course-file-input",
      accept: ".json,application/json" });
    const summary = el("div");
    const confirm = button("Continue with this record", onConfirm);
    const cancel = button("Cancel", () => { close(); say(status, "<p>Nothing was changed.</p>"); }, true);
    const decision = el("div", { class: "course-decision" }, [summary, el("div", { class: "course-buttons" }, [confirm, cancel])]);
    const asideList = el("select", { id: "course-kept-aside" });
    const aside = el("div", {}, [el("h3", { text: "Work kept aside" }), el("p", { text: "These are earlier answers " +
      "that newer work replaced, and records that could not be read whole. Choose one to bring it back: for an " +
      "answer, the one it replaces is kept aside in turn." }), el("label", { for: "course-kept-aside", text: "Kept aside" }),
      asideList, button("Bring this back", onBringBack)]);
    let pending = null;
    decision.hidden = true;

    function close() {
      pending = null;
      decision.hidden = true;
      input.focus();
    }
    function consider(name, text) {
      const { checked, plan } = record.preview(text, name);
      if (!plan) {
        close();
        say(status, "<p><strong>" + escape(name) + " cannot be used:</strong> " + escape(checked.refused) + ". Nothing was changed.</p>");
        return;
      }
      const held = checked.record.activities;
      const count = Object.keys(held).length;
      const modules = modulesOf(held);
      const times = Object.values(held).map((entry) => R.moment(entry && typeof entry === "object" ? entry.updated : null)).filter((t) => t !== null);
      const parts = ["<p><strong>" + escape(name) + "</strong> is a course record. It holds work on " + count + " activit" +
        (count === 1 ? "y" : "ies") + (modules.length ? " in " + moduleWords(modules) : "") +
        (times.length ? ", last saved on " + spokenTime(Math.max(...times)) : "") + ".</p>"];
      if (checked.damaged.length || checked.problems.length) {
        const damage = checked.problems.concat(checked.damaged.map((item) => (item.activity || "a part") + " (" + item.reason + ")"));
        parts.push("<p>Part of it is damaged: " + escape(damage.join("; ")) + ". Everything else in it can be used, " +
          "and the damaged parts will be kept aside.</p>");
      }
      const changes = plan.added.length || plan.replaced.length || plan.kept.length || plan.set_aside_added || plan.pages.length;
      pending = changes ? { name, text } : null;
      parts.push(changes ? "<p>If you continue with it:</p><ul>" + planItems(plan, true) + "</ul>" :
        "<p>Everything in this file is already in your course, so nothing needs to change.</p>");
      summary.innerHTML = parts.join("");
      confirm.hidden = !pending;
      decision.hidden = false;
      say(status, "<p>" + escape(name) + " was checked. Read what it holds below, then choose " +
        (pending ? "Continue with this record or Cancel" : "Cancel") + ".</p>");
    }
    function onConfirm() {
      if (!pending) return;
      const { name, text } = pending;
      const { plan } = record.mergeText(text, name);
      close();
      say(status, "<p><strong>Your course now includes the work from " + escape(name) + ".</strong></p><ul>" +
        planItems(plan, false) + "</ul><p>Open any module to carry on.</p>");
      refreshAside();
      onChange();
    }
    function refreshAside() {
      const options = [];
      for (const item of record.read().set_aside.slice().reverse()) {
        let label;
        if (R.restorable(item)) label = titleOf(item.activity, item.entry) + ": " + (item.reason || "kept aside");
        else if (item && record.setAsideText(item.file) !== null) label = "A record kept in this browser: " + (item.reason || "kept aside");
        else continue;
        options.push(el("option", { value: R.itemKey(item), text: label.slice(0, 160) }));
      }
      asideList.replaceChildren(...options);
      aside.hidden = !options.length;
    }
    function onBringBack() {
      const key = asideList.value;
      const item = record.read().set_aside.find((i) => R.itemKey(i) === key);
      if (item && !R.restorable(item) && record.setAsideText(item.file) !== null) {
        consider("the record kept in this browser", record.setAsideText(item.file));
        return;
      }
      if (!item || record.restore(key) === null) {
        say(status, "<p>That is no longer kept aside (perhaps brought back in another tab).</p>");
      } else {
        say(status, "<p>" + escape(titleOf(item.activity, item.entry)) + " was brought back. The answer it replaced is kept aside.</p>");
        onChange();
      }
      refreshAside();
      if (aside.hidden) input.focus();
    }
    input.addEventListener("change", () => {
      const file = input.files && input.files[0];
      input.value = ""; // so that the same file can be chosen again
      if (!file) return;
      const name = file.name.slice(0, 80);
      if (file.size > 5 * 1024 * 1024) {
        close();
        say(status, "<p><strong>" + escape(name) + " cannot be used:</strong> it is larger than any course record " +
          "(the limit is 5 MB). Nothing was changed.</p>");
        return;
      }
      file.text().then((text) => consider(name, text), () => say(status, "<p>The file could not be read. Nothing was changed.</p>"));
    });
    refreshAside();
    return el("div", { class: "course-continue" }, [el("h2", { text: "Continue from a saved record" }),
      el("p", { text: "Worked on the course somewhere else, for example in the course web app or on another computer? " +
        "Choose the raw record you downloaded there (a file ending in .json). You will see what it holds before " +
        "anything changes. Where an activity is in both, the newer work is kept, and the other is kept aside so you " +
        "can bring it back." }),
      el("label", { for: "course-continue-file", text: "Choose your record file (it ends in .json)" }), input, status,
      decision, aside]);
  }

  function courseHome() {
    const map = el("div", { html: courseMapHtml() });
    leadWithResume(map);
    const step = continueStep(() => {
      map.innerHTML = courseMapHtml();
      leadWithResume(map);
      window.dispatchEvent(new CustomEvent("course:saved", { detail: savedDetail() }));
    });
    return courseBox("home", [map, step]);
  }

  function whereKept() {
    return el("p", { class: "course-where-kept", text: "Your work is kept in this web browser, on this computer only: " +
      "nothing is sent anywhere. It stays until you clear this browser's data, and another browser or computer " +
      "cannot see it. To keep a copy, or to carry on somewhere else, select Download my raw record below and keep the " +
      "file; choose it later under Continue from a saved record on the course home." });
  }

  function download(filename, type, text) {
    const link = el("a", { href: URL.createObjectURL(new Blob([text], { type })), download: filename });
    document.body.append(link);
    link.click();
    link.remove();
  }

  function journalDownload() {
    const status = liveRegion();
    const day = R.now().slice(0, 10);
    const journal = button("Download my journal (web page)", () => {
      download("my-journal-" + day + ".html", "text/html", J.journalHtml(record.read(), DATA.course,
        new Date().toLocaleString("en-GB")));
      say(status, "<p>Your journal was downloaded, with all your saved work.</p>");
    }, true);
    const raw = button("Download my raw record (JSON)", () => {
      download("my-learner-record-" + day + ".json", "application/json", R.recordJson(record.read()));
      say(status, "<p>Your raw record was downloaded. Keep the file to carry on somewhere else.</p>");
    }, true);
    return courseBox("journal", [el("h3", { text: "Download my journal" }),
      el("p", { text: "Your journal gathers your progress, reflections, pledges and self-check results. The first button " +
        "saves a page you can read and print. The second saves your raw record." }), whereKept(),
      el("div", { class: "course-buttons" }, [journal, raw]), status]);
  }

  function pledgesHtml() {
    const entries = Object.values(record.read().activities).filter((e) => e && e.type === "reflection" && e.kind === "pledge" &&
      typeof e.text === "string" && e.text.trim());
    entries.sort((a, b) => ((Number.isInteger(a.module) ? a.module : 99) - (Number.isInteger(b.module) ? b.module : 99)) ||
      String(a.title || "").localeCompare(String(b.title || "")));
    if (!entries.length) return "<p>You have not saved any pledges yet. Each module ends with one.</p>";
    return "<ol>" + entries.map((e) => "<li><strong>Module " + escape(e.module === undefined ? "?" : e.module) + ": " +
      escape(e.title || "") + "</strong><blockquote style='white-space:pre-wrap'>" + escape(e.text) + "</blockquote></li>").join("") + "</ol>";
  }

  function myPledges() {
    const list = el("div", { html: pledgesHtml() });
    const status = liveRegion();
    return courseBox("pledges", [el("h3", { text: "Your pledges so far" }), list, button("Show my latest pledges", () => {
      list.innerHTML = pledgesHtml();
      say(status, "<p>Your pledges are up to date.</p>");
    }), status]);
  }

  // --- the page ------------------------------------------------------------------------------

  const DRAW = {
    knowledge_check: knowledgeCheck, scenario, self_check: selfCheck, reflection, plan,
    course_home: courseHome, journal_download: journalDownload, my_pledges: myPledges,
    where_saved: () => courseBox("where-saved", [el("h3", { text: "Where your work is saved" }), whereKept()]),
  };

  function start() {
    // A host may keep each learner's work under its own key (one browser, several LMS learners).
    record = new R.BrowserRecord(window.localStorage, window.CourseHost && window.CourseHost.storageKey);
    if (window.CourseHost && typeof window.CourseHost.loadRecord === "function") {
      let hosted = null;
      try {
        hosted = window.CourseHost.loadRecord();
      } catch (error) { /* the host has nothing for us: the browser's record is used */ }
      if (hosted && typeof hosted === "object") record.mergeText(JSON.stringify(hosted), "your learning platform");
    }
    if (navigator.storage && navigator.storage.persist) {  // ask the browser to keep the record (asked once)
      navigator.storage.persisted().then((kept) => kept || navigator.storage.persist()).catch(() => {});
    }
    if (DATA.page) record.notePageOpened(DATA.page);
    for (const slot of document.querySelectorAll(".course-activity")) {
      const kind = slot.dataset.kind;
      try {
        slot.replaceChildren(DRAW[kind](DATA.activities[slot.dataset.id]));
      } catch (error) {
        slot.replaceChildren(el("div", { class: "course-box course-notice", role: "alert",
          html: "<p><strong>This activity could not be shown.</strong> Please tell your facilitator; the rest of the " +
            "course still works.</p>" }));
      }
    }
    showNotices();
    window.addEventListener("pagehide", () => window.dispatchEvent(new CustomEvent("course:leaving")));
  }

  start();
})();

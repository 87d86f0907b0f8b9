/*
 * The whole-course SCORM package's launch page holds the one LMS session while the learner
 * moves between the course's pages in its frame. SCORM 1.2 allows one LMSInitialize and one
 * LMSFinish per launch, and every page of the course would make its own: so this page offers
 * the pages an API of its own (they find it first, as their nearest parent's) that passes
 * every call to the LMS's, except that only the first LMSInitialize is passed on, a page's
 * LMSFinish only commits, and the session time is counted from this page's opening. The
 * session is finished when this page is left. Needs scorm.js (CourseScormRuntime) first.
 */
(function () {
  "use strict";

  const runtime = window.CourseScormRuntime;
  const lms = runtime.findAPI(window); // before this page has an API of its own
  if (!lms) return; // no LMS: each page keeps the learner's work in the browser, and says so
  const started = Date.now();
  let open = false;
  let finished = false;
  const pass = (name, ...args) => {
    try {
      return String(lms[name](...args));
    } catch (error) {
      return "false";
    }
  };
  window.API = {
    LMSInitialize() {
      if (!open) open = pass("LMSInitialize", "") === "true";
      return open ? "true" : "false";
    },
    LMSFinish() {
      return pass("LMSCommit", "");
    },
    LMSGetValue: (name) => pass("LMSGetValue", name),
    LMSSetValue(name, value) {
      if (name === "cmi.core.session_time") value = runtime.sessionTime(Date.now() - started);
      return pass("LMSSetValue", name, value);
    },
    LMSCommit: () => pass("LMSCommit", ""),
    LMSGetLastError: () => pass("LMSGetLastError"),
    LMSGetErrorString: (code) => pass("LMSGetErrorString", code),
    LMSGetDiagnostic: (code) => pass("LMSGetDiagnostic", code),
  };
  window.addEventListener("pagehide", () => {
    if (!open || finished) return;
    finished = true;
    pass("LMSSetValue", "cmi.core.session_time", runtime.sessionTime(Date.now() - started));
    pass("LMSCommit", "");
    pass("LMSFinish", "");
  });
})();

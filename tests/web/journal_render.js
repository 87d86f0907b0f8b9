// Renders each record of JOURNAL_CASES with the web edition's journal.js (for test_journal_parity.py).
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const J = require(path.join(__dirname, "..", "..", "leadership_course", "web", "static", "journal.js"));
const { course, created, records } = JSON.parse(fs.readFileSync(process.env.JOURNAL_CASES, "utf8"));
process.stdout.write(JSON.stringify({
  journals: records.map((record) => J.journalHtml(record, course, created)),
  figures: [2.25, 2.75, 1.67, 3.05, 0.25, 41.75, 2, 3.5, 1.125, 0.05].map(J.oneDecimal),
}));

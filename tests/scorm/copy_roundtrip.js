// Reads {book, record, includeWriting, laterBook} as JSON on stdin; writes what scorm.js
// makes of it: the suspend_data text, its length, the writing left out, and the record
// decoded from it (with laterBook, as a package rebuilt from changed content would).
const scorm = require(process.argv[2]);
let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const { book, record, includeWriting, laterBook } = JSON.parse(input);
  const copy = scorm.encode(record, book, includeWriting);
  const back = scorm.decode(copy.text, laterBook || book);
  process.stdout.write(JSON.stringify({ text: copy.text, length: copy.text.length, writingLeftOut: copy.writingLeftOut,
    decoded: back, progress: scorm.progress(back, book), ascii: /^[\x20-\x7e]*$/.test(copy.text) }));
});

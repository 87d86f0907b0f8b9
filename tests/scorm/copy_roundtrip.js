// Reads {book, record, includeWriting} as JSON on stdin; writes what scorm.js makes of it:
// the suspend_data text, its length, the writing left out, and the record decoded from it.
const scorm = require(process.argv[2]);
let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const { book, record, includeWriting } = JSON.parse(input);
  const copy = scorm.encode(record, book, includeWriting);
  const back = scorm.decode(copy.text, book);
  process.stdout.write(JSON.stringify({ text: copy.text, length: copy.text.length, writingLeftOut: copy.writingLeftOut,
    decoded: back, progress: scorm.progress(back, book), ascii: /^[\x20-\x7e]*$/.test(copy.text) }));
});

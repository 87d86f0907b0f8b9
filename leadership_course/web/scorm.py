"""SCORM 1.2 packages of the course, for the NHS Learning Hub, ESR and Moodle.

``python -m leadership_course build-scorm OUT/`` writes one zip per module: the module's
page of the web edition (``build.py``) with ``static/scorm.js`` and the module's book
(``static/scorm-book.js``: what scorm.js needs to know of the module's activities), and
``imsmanifest.xml`` at the root, naming one SCO. Every path is relative; nothing is
fetched from another host. ``--whole-course`` adds one package of the whole course (course
home and every module page in one SCO, launched from a page that holds the LMS session:
``static/scorm-session.js``).
docs/lms.md says how a trust uses them.
"""

import json
import shutil
import tempfile
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from ..content import ContentError, find_content_dir, load_activity, load_course

STATIC = Path(__file__).parent / "static"
#: Scenario steps are kept as one base-36 digit each for the node and the choice.
MOST_STEPS = 36
MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier={identifier} version="1.0"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.imsproject.org/xsd/imscp_rootv1p1p2 imscp_rootv1p1p2.xsd
                      http://www.imsglobal.org/xsd/imsmd_rootv1p2p1 imsmd_rootv1p2p1.xsd
                      http://www.adlnet.org/xsd/adlcp_rootv1p2 adlcp_rootv1p2.xsd">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>1.2</schemaversion>
  </metadata>
  <organizations default="course">
    <organization identifier="course">
      <title>{title}</title>
      <item identifier="item-1" identifierref="sco-1" isvisible="true">
        <title>{title}</title>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="sco-1" type="webcontent" adlcp:scormtype="sco" href={launch}>
{files}
    </resource>
  </resources>
</manifest>
"""


def book(activity_ids, title, pass_mark=None, include_writing=False, content_dir=None):
    """What scorm.js needs to know of these activities (in order), as a dict."""
    folder = content_dir or find_content_dir()
    activities = []
    for activity_id in activity_ids:
        data = load_activity(activity_id, content_dir=folder)
        entry = {"id": data["id"], "type": data["type"], "title": data["title"], "module": data["module"]}
        if data["type"] == "knowledge_check":
            entry["questions"] = [{"id": q["id"], "options": len(q["options"]),
                                   "correct": [i for i, o in enumerate(q["options"]) if o["correct"]]}
                                  for q in data["questions"]]
        elif data["type"] == "scenario":
            nodes = list(data["nodes"])
            widest = max(len(node["choices"]) for node in data["nodes"].values())
            if len(nodes) > MOST_STEPS or widest > MOST_STEPS:
                raise ContentError([f"{activity_id}.yaml: a SCORM package keeps at most {MOST_STEPS} nodes and "
                                    f"{MOST_STEPS} choices a node (this scenario has {len(nodes)} and {widest})"])
            entry.update(nodes=nodes, state=list(data.get("state") or {}),
                         choices={name: [c["text"] for c in node["choices"]] for name, node in data["nodes"].items()},
                         endings=[{"id": name, "title": e["title"], "outcome": e["outcome"]}
                                  for name, e in data["endings"].items()])
        elif data["type"] == "self_check":
            entry.update(items=[i["id"] for d in data["dimensions"] for i in d["items"]], scale=len(data["scale"]),
                         dimensions=[{"id": d["id"], "label": d["label"]} for d in data["dimensions"]])
        elif data["type"] == "reflection":
            entry.update(kind=data.get("kind", "reflection"), prompt=data["prompt"])
        activities.append(entry)
    return {"title": title, "passMark": pass_mark, "includeWriting": include_writing, "activities": activities}


def manifest(identifier, title, launch, files):
    """imsmanifest.xml for one SCO launched at ``launch`` holding ``files`` (relative paths).

    It has no mastery score, even with a pass mark: the package sets passed or failed itself,
    once the module is done (SCORM 1.2 lets an LMS set them from a mastery score and the
    score alone, which would pass a learner who had not finished; the Learning Hub ignores it)."""
    listed = "\n".join(f"      <file href={quoteattr(name)}/>" for name in sorted(files))
    return MANIFEST.format(identifier=quoteattr(identifier), title=escape(title), launch=quoteattr(launch),
                           files=listed)


def _package(site, zip_path, identifier, title, launch):
    files = [p.relative_to(site).as_posix() for p in sorted(site.rglob("*")) if p.is_file()]
    (site / "imsmanifest.xml").write_text(manifest(identifier, title, launch, files), encoding="utf-8")
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name in ["imsmanifest.xml", *files]:
            archive.write(site / name, name)
    return zip_path


def build_module_package(number, out_dir, pass_mark=None, include_writing=False, content_dir=None):
    """Write ``module-NN.zip`` for one module into ``out_dir``; returns its path."""
    from .build import build_module_site

    folder = content_dir or find_content_dir()
    module = next((m for m in load_course(folder)["modules"] if m["number"] == number), None)
    if module is None or not module.get("notebook"):
        raise ContentError([f"course.yaml: there is no module {number} with a page"])
    title = f"Compassionate and Inclusive Leadership: {module['number']}. {module['title']}"
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        book_script = work / "scorm-book.js"
        data = book(module.get("activities") or [], title, pass_mark, include_writing, folder)
        book_script.write_text("window.CourseScormBook = " + json.dumps(data, ensure_ascii=False) + ";\n",
                               encoding="utf-8")
        site = work / "site"
        page = build_module_site(number, site, extra_scripts=[book_script, STATIC / "scorm.js"], content_dir=folder)
        return _package(site, out_dir / f"module-{number:02d}.zip", f"compassionate-leadership-module-{number:02d}",
                        title, page.relative_to(site).as_posix())


#: The whole-course package's launch page: it holds the LMS session (scorm-session.js) while
#: the course's pages open in its frame, starting at the course home.
COURSE_LAUNCH = """<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{title}</title>
<link rel="icon" href="data:,">
<style>html, body {{ margin: 0; height: 100%; }} iframe {{ display: block; border: 0; width: 100%; height: 100%; }}</style>
<script src="static/scorm.js"></script>
<script src="static/scorm-session.js"></script>
</head>
<body>
<iframe src="{home}" title="{title}"></iframe>
</body>
</html>
"""


def build_course_package(out_dir, pass_mark=None, include_writing=False, content_dir=None):
    """Write ``whole-course.zip``: every module page and the course home as one SCO, whose
    status counts every activity of the course; returns its path."""
    from .build import HOME, build_site, page_name

    folder = content_dir or find_content_dir()
    course = load_course(folder)
    title = course["title"]
    activity_ids = [a for m in course["modules"] for a in (m.get("activities") or [])]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        book_script = work / "scorm-book.js"
        data = book(activity_ids, title, pass_mark, include_writing, folder)
        book_script.write_text("window.CourseScormBook = " + json.dumps(data, ensure_ascii=False) + ";\n",
                               encoding="utf-8")
        site = work / "site"
        build_site(site, folder, extra_scripts=[book_script, STATIC / "scorm.js"])
        shutil.copyfile(STATIC / "scorm-session.js", site / "static" / "scorm-session.js")
        (site / "index.html").write_text(COURSE_LAUNCH.format(title=escape(title), home=page_name(HOME)),
                                         encoding="utf-8")
        return _package(site, out_dir / "whole-course.zip", "compassionate-leadership-course", title, "index.html")


def build_packages(out_dir, modules=None, pass_mark=None, include_writing=False, content_dir=None):
    """Every module's package (or those numbered in ``modules``); returns their paths."""
    folder = content_dir or find_content_dir()
    numbers = modules or [m["number"] for m in load_course(folder)["modules"] if m.get("notebook")]
    return [build_module_package(n, out_dir, pass_mark, include_writing, folder) for n in numbers]


def add_parser(commands):
    parser = commands.add_parser("build-scorm", help="write a SCORM 1.2 package (zip) per module for an LMS")
    parser.add_argument("out", help="the folder for the zip files")
    parser.add_argument("--module", type=int, action="append", help="only this module (may be given again)")
    parser.add_argument("--whole-course", action="store_true",
                        help="also the whole course (course home and every module) as one package")
    parser.add_argument("--pass-mark", type=int, metavar="PERCENT",
                        help="report passed or failed against this knowledge-check score (0 to 100)")
    parser.add_argument("--include-writing", action="store_true",
                        help="also send reflections, plans and pledges to the LMS (its administrators can read them)")
    parser.add_argument("--content", help="the content folder (default: found from here)")


def run(args):
    if args.pass_mark is not None and not 0 <= args.pass_mark <= 100:
        print("The pass mark is a percentage: a whole number from 0 to 100.")
        return 2
    try:
        written = build_packages(args.out, args.module, args.pass_mark, args.include_writing, args.content)
        if args.whole_course:
            written.append(build_course_package(args.out, args.pass_mark, args.include_writing, args.content))
    except ContentError as error:
        print("\n".join(error.problems))
        return 1
    for path in written:
        print(f"Wrote {path} ({path.stat().st_size / 1024:.0f} KB).")
    return 0

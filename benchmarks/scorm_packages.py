"""Measure the SCORM 1.2 packages: each module's zipped size (target: at most 1.5 MB) and
its largest cmi.suspend_data (every activity done, the longest path to every ending; the
limit is 4,096 characters), as scorm.js encodes it in Node.

    .venv/bin/python benchmarks/scorm_packages.py [--whole-course]

Prints a Markdown table (docs/benchmarks.md keeps the last one). Needs Node (Debian's nodejs).
"""

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests" / "scorm")]

from leadership_course.content import load_course  # noqa: E402
from leadership_course.web.scorm import book, build_module_package  # noqa: E402
from worst_case import worst_record  # noqa: E402

SCORM_JS = REPO / "leadership_course" / "web" / "static" / "scorm.js"
ROUNDTRIP = REPO / "tests" / "scorm" / "copy_roundtrip.js"
TARGET_BYTES = 1.5 * 1024 * 1024


def largest_suspend_data(activity_ids, include_writing=False):
    data = {"book": book(activity_ids, "t", include_writing=include_writing),
            "record": worst_record(activity_ids), "includeWriting": include_writing}
    done = subprocess.run(["node", str(ROUNDTRIP), str(SCORM_JS)], input=json.dumps(data), capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout)["length"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--whole-course", action="store_true", help="also the whole course as one package")
    args = parser.parse_args()
    modules = [m for m in load_course()["modules"] if m.get("notebook")]
    print("| Package | Zipped size | Target | Largest suspend_data (limit 4,096) |")
    print("|---|---|---|---|")
    with tempfile.TemporaryDirectory() as out:
        for module in modules:
            path = build_module_package(module["number"], out)
            size = path.stat().st_size
            print(f"| {path.name} | {size / 1024:.0f} KB | {'met' if size <= TARGET_BYTES else 'MISSED'} (1.5 MB) "
                  f"| {largest_suspend_data(module['activities'])} characters |", flush=True)
        if args.whole_course:
            from leadership_course.web.scorm import build_course_package

            path = build_course_package(out)
            every = [a for m in modules for a in m["activities"]]
            print(f"| {path.name} | {path.stat().st_size / 1024:.0f} KB | (none) "
                  f"| {largest_suspend_data(every)} characters |")


if __name__ == "__main__":
    main()

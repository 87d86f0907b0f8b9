"""Command line: ``python -m leadership_course check`` checks all course content."""

import argparse
import sys

from .content import ContentError, check_all, find_content_dir


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m leadership_course", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="check every content file and report each problem")
    check.add_argument("--content", help="the content folder (default: found from here)")
    args = parser.parse_args(argv)
    if args.command == "check":
        try:
            folder = args.content or find_content_dir()
            problems = check_all(folder)
        except ContentError as error:
            problems = error.problems
            folder = args.content or "(not found)"
        for problem in problems:
            print(problem)
        if problems:
            print(f"{len(problems)} problem(s) found in {folder}.", file=sys.stderr)
            return 1
        print(f"All content in {folder} is valid.")
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())

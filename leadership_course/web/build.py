"""Build the web edition: the course as static pages, with no server and no kernel.

``build_site(out_dir)`` writes the course home, every module page, the glossary and the
bibliography as ``.html`` files beside a ``static/`` folder. The reading is each notebook's
Markdown cells, rendered by nbconvert as Voila renders them; each code cell becomes the
place where ``static/ui.js`` draws its activity from the page's data (the activity files,
checked, with their Markdown rendered by the same function the widgets use). Links
between notebooks become links between pages. Every address is relative, so the site
works from any folder of any static server, and nothing is fetched from another host.

``build_module_site(module, out_dir, extra_scripts)`` writes one module page that stands
alone (with the glossary and bibliography it links to): links to the rest of the course
become plain text. The SCORM packages are built from it.
"""

import html
import json
import re
import shutil
from pathlib import Path

from ..content import (ContentError, check_all, find_content_dir, load_activity, load_course, load_glossary,
                       load_picture, load_plan, load_references)

STATIC = Path(__file__).parent / "static"
TEMPLATE_DIR = Path(__file__).parent.parent / "voila" / "templates" / "course"
#: The one course style sheet, shared with the Voila template (copied, never edited here).
COURSE_CSS = TEMPLATE_DIR / "static" / "course.css"
SCRIPTS = ["engine.js", "record.js", "journal.js", "ui.js"]
HOME = "course_home.ipynb"
#: A code cell such as ``show_scenario("busy-shift-scenario")`` or ``show_course_home()``.
SHOW_CALL = re.compile(r"""\bshow_(\w+)\(\s*(?:["']([a-z0-9-]+)["'])?\s*\)""")
#: Calls that draw nothing in the web edition of a page (imports are not calls).
PAGE_PARTS = {"course_home", "journal_download", "where_saved", "my_pledges"}
NOTEBOOK_LINK = re.compile(r"""<a href="([A-Za-z0-9_.-]+)\.ipynb(#[^"]*)?"([^>]*)>(.*?)</a>""", re.S)
#: A list item that gives a reference, then its bare address as a link (further reading).
BARE_LINK_ITEM = re.compile(r"""(<li>\s*(?:<p>)?)((?:[^<]|<(em|strong|i|b|span)\b[^>]*>[^<]*</\3>)+?)"""
                            r"""<a href="([^"]+)">\4</a>""")


def build_site(out_dir, content_dir=None, extra_scripts=()):
    """Write the whole web edition into ``out_dir``; returns the pages written. Raises
    ContentError with the content check's messages when the content has a problem.
    ``extra_scripts`` as for build_module_site (the whole-course SCORM package's)."""
    folder = _checked_folder(content_dir)
    course = load_course(folder)
    notebooks = [HOME] + [m["notebook"] for m in course["modules"] if m.get("notebook")] + \
                ["glossary.ipynb", "bibliography.ipynb"]
    return _write(Path(out_dir), folder, course, notebooks, set(notebooks), standalone=False,
                  extra_scripts=[Path(script) for script in extra_scripts])


def build_module_site(module, out_dir, extra_scripts=(), content_dir=None):
    """Write one module's page (``module``: its number or its notebook's name), standing
    alone, with the glossary and bibliography; returns the module page's path. Links to
    other course pages become plain text. ``extra_scripts`` are paths of script files
    copied into ``static/`` and loaded after engine.js, record.js and journal.js and before ui.js, in the
    order given."""
    folder = _checked_folder(content_dir)
    course = load_course(folder)
    found = [m for m in course["modules"] if m.get("notebook") and (m["number"] == module or m["notebook"] == module)]
    if not found:
        raise ContentError([f"course.yaml: there is no module {module} with a page"])
    notebooks = [found[0]["notebook"], "glossary.ipynb", "bibliography.ipynb"]
    pages = _write(Path(out_dir), folder, course, notebooks, set(notebooks), standalone=True,
                   extra_scripts=[Path(script) for script in extra_scripts])
    return pages[0]


def page_name(notebook):
    """The web edition's page for a notebook: ``01_why_compassion.html``."""
    return notebook[: -len(".ipynb")] + ".html"


def _checked_folder(content_dir):
    folder = Path(content_dir or find_content_dir())
    problems = check_all(folder)
    if problems:
        raise ContentError(problems)
    return folder


def _write(out, folder, course, notebooks, linked, standalone, extra_scripts):
    static = out / "static"
    static.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(COURSE_CSS, static / "course.css")
    for name in ["web.css", *SCRIPTS]:
        shutil.copyfile(STATIC / name, static / name)
    for script in extra_scripts:
        shutil.copyfile(script, static / script.name)
    # A host's scripts (the SCORM packages') run before ui.js, so window.CourseHost is there when the page starts.
    scripts = SCRIPTS[:-1] + [script.name for script in extra_scripts] + SCRIPTS[-1:]
    course_data = _course_data(course, folder)
    pages = []
    for notebook in notebooks:
        path = out / page_name(notebook)
        path.write_text(_page(folder, notebook, course, course_data, linked, standalone, scripts), encoding="utf-8")
        pages.append(path)
    return pages


def _page(folder, notebook, course, course_data, linked, standalone, scripts):
    """One notebook as a static page."""
    import jinja2

    cells = json.loads((folder.parent / notebook).read_text(encoding="utf-8"))["cells"]
    body, activities, kinds = [], {}, set()
    for cell in cells:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "markdown":
            body.append(f"<div class='jp-RenderedHTMLCommon'>{_named_links(_links(_markdown_cell(source), linked))}</div>")
        elif cell["cell_type"] == "code":
            calls = SHOW_CALL.findall(source)
            if len(calls) != len(re.findall(r"\bshow_\w+\(", source)):  # never drop an activity unseen
                raise ContentError([f"{notebook}: the web edition cannot read the code cell {source.strip()!r}: "
                                    "write each activity as one call such as show_scenario(\"an-id\")"])
            for kind, argument in calls:
                body.append(_activity_slot(kind, argument, folder, activities))
                kinds.add(kind)
    module = next((m for m in course["modules"] if m.get("notebook") == notebook), None)
    data = {"page": notebook if module else None, "module": module["number"] if module else None,
            "standalone": standalone, "course": course_data, "activities": activities}
    macros = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)), autoescape=False) \
        .get_template("course_macros.html.j2").module
    home = page_name(HOME)
    header = macros.header(home_href=home, is_home=notebook == HOME)
    footer = macros.footer(home_href=home)
    if standalone:  # no course home in the package: the header names the course, the footer too
        header = re.sub(r"<a class=\"course-header-title\"[^>]*>(.*?)</a>",
                        r"<p class='course-header-title'>\1</p>", header, flags=re.S)
        footer = re.sub(r"\s*<a href=[^>]*>Back to the course home</a>\.", "", footer)
    title = _title(cells, notebook)
    script_tags = "".join(f"<script src='static/{html.escape(name)}'></script>" for name in scripts)
    data_json = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    return (
        "<!DOCTYPE html>\n<html lang='en-GB'>\n<head>\n<meta charset='utf-8'>\n"
        "<meta name='viewport' content='width=device-width, initial-scale=1.0'>\n"
        f"<title>{html.escape(title)}</title>\n<link rel='icon' href='data:;base64,='>\n"
        "<link rel='stylesheet' href='static/course.css'>\n<link rel='stylesheet' href='static/web.css'>\n"
        "</head>\n<body class='course-page course-web'>\n"
        f"{macros.skip_link()}\n{header}\n<main id='main' class='course-main' tabindex='-1'>\n"
        "<noscript><p class='course-message'>The activities on this page need JavaScript. Please turn it on "
        "in your browser, then reload the page. You can still read the page without it.</p></noscript>\n"
        + "\n".join(body) +
        f"\n</main>\n{footer}\n<script type='application/json' id='course-data'>{data_json}</script>\n"
        f"{script_tags}\n</body>\n</html>\n"
    )


def _title(cells, notebook):
    """The page title: the first Markdown heading, as the Voila template takes it."""
    for cell in cells:
        if cell["cell_type"] != "markdown":
            continue
        for line in "".join(cell["source"]).splitlines():
            if line.lstrip().startswith("#"):
                return line.strip().strip("#").replace("**", "").replace("`", "").strip()
    return notebook


def _markdown_cell(source):
    """A notebook's Markdown cell as Voila shows it (nbconvert's mistune renderer)."""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    return markdown2html_mistune(source)


def _links(markup, linked):
    """Links to notebooks as links to their pages; a link to a page not built is its text."""
    def replace(match):
        name, anchor, rest, text = match.groups()
        if f"{name}.ipynb" not in linked:
            return f"<span class='course-link-elsewhere'>{text}</span>"
        return f"<a href=\"{name}.html{anchor or ''}\"{rest}>{text}</a>"

    return NOTEBOOK_LINK.sub(replace, markup)


def _named_links(markup):
    """A further-reading item's bare address becomes a link named by the reference before
    it, as the Voila template's script does on a course page: a screen reader reads the
    title, not the address, and no long address runs off a phone's screen."""
    def replace(match):
        start, before, _, address = match.groups()
        title = re.sub(r"<[^>]+>", "", before).strip()
        return f"{start}<a href=\"{address}\">{title}</a>" if title else match.group(0)

    return BARE_LINK_ITEM.sub(replace, markup)


def _activity_slot(kind, argument, folder, activities):
    """The HTML for one code cell's call: an activity's empty slot, or static HTML."""
    from ..components.picture import Picture
    from ..components.reference_pages import Bibliography, Glossary

    if kind == "picture":
        return Picture(*load_picture(argument, folder)).value
    if kind == "glossary":
        return Glossary(load_glossary(folder)).value
    if kind == "bibliography":
        return Bibliography(load_references(folder)).value
    if kind in PAGE_PARTS:
        return f"<div class='course-activity' data-kind='{kind}'></div>"
    if kind == "plan":
        plan, parts = load_plan(argument, folder)
        activities[argument] = {**plan, "parts": [{"heading": h, "reflection": _rendered(r, folder)}
                                                  for h, r in parts]}
    elif kind in ("knowledge_check", "scenario", "self_check", "reflection"):
        activities[argument] = _rendered(load_activity(argument, kind, folder), folder)
    else:
        raise ContentError([f"the web edition cannot show '{kind}' (show_{kind}) yet"])
    return f"<div class='course-activity' data-kind='{kind}' data-id='{html.escape(argument)}'></div>"


def _rendered(activity, folder):
    """A copy of an activity with the HTML of each Markdown field beside it (``*_html``),
    rendered as the widgets render it."""
    from ..components.markup import markdown
    from ..components.reference_pages import reference_html

    data = json.loads(json.dumps(activity))

    def add(entry, *keys):
        for key in keys:
            if entry.get(key):
                entry[f"{key}_html"] = markdown(entry[key])

    add(data, "intro", "prompt", "debrief")
    for question in data.get("questions") or []:
        add(question, "prompt")
        for option in question["options"]:
            add(option, "feedback")
    for node in (data.get("nodes") or {}).values():
        add(node, "text")
        for choice in node["choices"]:
            add(choice, "consequence")
    for ending in (data.get("endings") or {}).values():
        add(ending, "text", "debrief")
    if data.get("references"):
        known = load_references(folder)
        data["references_html"] = [reference_html(known[key]) for key in data["references"] if key in known]
    return data


def _course_data(course, folder):
    """The course map for the pages: each module with its activities' titles and the
    section of its page that shows each one (for "Continue where you left off")."""
    from ..page_sections import activity_sections

    modules = []
    for module in course["modules"]:
        sections = activity_sections(folder.parent / module["notebook"]) if module.get("notebook") else {}
        activities = []
        for activity_id in module.get("activities") or []:
            activities.append({"id": activity_id, "title": load_activity(activity_id, None, folder)["title"],
                               "section": sections.get(activity_id)})
        modules.append({"number": module["number"], "title": module["title"], "purpose": module["purpose"],
                        "minutes": module["minutes"], "notebook": module.get("notebook"),
                        "page": page_name(module["notebook"]) if module.get("notebook") else None,
                        "activities": activities})
    return {"title": course.get("title", ""), "modules": modules}

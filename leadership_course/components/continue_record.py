"""Continue from a saved record: the learner picks a record file they downloaded (from
Binder, another computer, a hub), sees what it holds and what will change, and merges it.

The same step brings back what the record set aside: an earlier entry a merge replaced,
or a damaged file kept whole. Nothing is changed until the learner confirms, and nothing
is lost: each entry that does not win is kept aside (record_check.merge)."""

import anywidget
import ipywidgets as widgets
import traitlets
from ipywidgets.widgets.widget_description import DescriptionStyle

from ..record_check import MAX_FILE_BYTES, activity_title, item_key, modules_of, newest_time, restorable, spoken_time
from .common import (LiveRegion, button, escape, hbox, html_widget, is_shown, plain_look, safe_callback, set_shown,
                     shared, vbox)

#: Longest file name shown or kept (the name comes from the learner's computer).
MAX_NAME_CHARS = 80


class ContinueFromRecord(widgets.VBox):
    """The continue step of the course home; ``on_change`` is called after the record changed."""

    def __init__(self, course, record, on_change=lambda: None):
        self.course = course
        self.record = record
        self.on_change = on_change
        self.pending = None  # (name, bytes) of the file waiting for the learner to confirm
        intro = html_widget(
            "<h2>Continue from a saved record</h2><p>Worked on the course somewhere else, for example on "
            "Binder or another computer? Choose the raw record you downloaded there (a file ending in "
            "<code>.json</code>). You will see what it holds before anything changes. Where an activity is in "
            "both, the newer work is kept, and the other is kept aside so you can bring it back.</p>"
        )
        self.picker = RecordFilePicker(max_bytes=MAX_FILE_BYTES)
        self.picker.on_file(safe_callback(self._report)(self._chosen))
        self.summary = html_widget()
        self.confirm_button = button("Continue with this record", self.confirm, self._report)
        self.cancel_button = button("Cancel", self.cancel, self._report)
        self.decision = vbox([self.summary, hbox([self.confirm_button, self.cancel_button])])
        self.status = LiveRegion()
        self.kept_aside = widgets.Dropdown(description="Kept aside", **_wide_look())
        self.bring_back_button = button("Bring this back", self.bring_back, self._report)
        self.aside_intro = html_widget(
            "<h3>Work kept aside</h3><p>These are earlier answers that newer work replaced, and files that "
            "could not be read whole. Choose one to bring it back: for an answer, the one it replaces is "
            "kept aside in turn.</p>")
        self.aside = vbox([self.aside_intro, self.kept_aside, self.bring_back_button])
        super().__init__([intro, self.picker, self.status, self.decision, self.aside], **plain_look())
        self.add_class("course-continue")
        set_shown(self.decision, False)
        self.refresh_kept_aside()

    def _report(self, message):
        self.status.html = message

    # --- choosing a file ------------------------------------------------------------------

    def _chosen(self, name, size, raw):
        name = str(name or "the file")[:MAX_NAME_CHARS]
        if raw is None or size > MAX_FILE_BYTES:
            self._show_refusal(name, f"it is larger than any course record (the limit is "
                                     f"{MAX_FILE_BYTES // 1024 // 1024} MB)")
            return
        self.consider(name, raw)

    def consider(self, name, raw):
        """Check a file and show what it holds and what continuing would change."""
        checked, plan = self.record.preview(raw, name)
        if checked.refused:
            self._show_refusal(name, checked.refused)
            return
        held = checked.record
        count = len(held["activities"])
        modules = modules_of(held, self.course)
        newest = newest_time(held)
        parts = [f"<p><strong>{escape(name)}</strong> is a course record. It holds work on {count} "
                 f"activit{'y' if count == 1 else 'ies'}"
                 + (f" in {_module_words(modules)}" if modules else "")
                 + (f", last saved on {escape(spoken_time(newest))}" if newest else "") + ".</p>"]
        if checked.damaged or checked.problems:
            parts.append("<p>Part of it is damaged: " + escape("; ".join(checked.problems + _damage_words(checked)))
                         + ". Everything else in it can be used, and the damaged parts will be kept aside.</p>")
        if not plan.changes:
            parts.append("<p>Everything in this file is already in your course, so nothing needs to change.</p>")
            self.pending = None
        else:
            parts.append(f"<p>If you continue with it:</p><ul>{_plan_items(plan, future=True)}</ul>")
            self.pending = (name, raw)
        self.summary.value = "".join(parts)
        set_shown(self.confirm_button, self.pending is not None)
        set_shown(self.decision, True)
        self.status.html = (f"<p>{escape(name)} was checked. Read what it holds below, then choose "
                            f"{'Continue with this record or Cancel' if self.pending else 'Cancel'}.</p>")

    def _show_refusal(self, name, reason):
        self.pending = None
        self._close_decision()
        self.status.html = (f"<p><strong>{escape(name)} cannot be used:</strong> {escape(reason)}. "
                            "Nothing was changed.</p>")

    def confirm(self):
        """Merge the checked file into the learner's record."""
        if self.pending is None:
            return
        name, raw = self.pending
        _, plan = self.record.merge_file(raw, name)  # the file passed this check already
        self.pending = None
        self._close_decision()
        self.status.html = (f"<p><strong>Your course now includes the work from {escape(name)}.</strong></p>"
                            f"<ul>{_plan_items(plan, future=False)}</ul><p>Open any module to carry on.</p>")
        self.refresh_kept_aside()
        self.on_change()

    def cancel(self):
        self.pending = None
        self._close_decision()
        self.status.html = "<p>Nothing was changed.</p>"

    def _close_decision(self):
        """Hide the summary and its buttons; the keyboard focus goes back to the file input."""
        set_shown(self.decision, False)
        self.picker.focus()

    # --- bringing back what was kept aside --------------------------------------------------

    def refresh_kept_aside(self):
        """List every set-aside entry that can be brought back, and every set-aside file still here."""
        options = []
        for item in reversed(self.record.read()["set_aside"]):
            if restorable(item):
                title = activity_title(item["activity"], item["entry"], self.course)
                label = f"{title}: {item.get('reason', 'kept aside')}"
            elif isinstance(item, dict) and self.record.set_aside_file(item.get("file")) is not None:
                label = f"The file {item['file']}: {item.get('reason', 'kept aside')}"
            else:
                continue
            options.append((label[:160], item_key(item)))
        self.kept_aside.options = options
        self.kept_aside.index = 0 if options else None  # a Dropdown made empty selects nothing by itself
        set_shown(self.aside, bool(options))

    def bring_back(self):
        key = self.kept_aside.value
        item = next((i for i in self.record.read()["set_aside"] if item_key(i) == key), None)
        if item is not None and not restorable(item):  # a file: check it, as if it had been chosen
            raw = self.record.set_aside_file(item.get("file"))
            if raw is not None:
                self.consider(item["file"], raw)
                return
        if item is None or not restorable(item):
            self.status.html = "<p>That is no longer kept aside (perhaps brought back in another tab).</p>"
        else:
            self.record.restore(key)
            title = activity_title(item["activity"], item["entry"], self.course)
            self.status.html = f"<p>{escape(title)} was brought back. The answer it replaced is kept aside.</p>"
            self.on_change()
        self.refresh_kept_aside()
        if not is_shown(self.aside):
            self.picker.focus()


class RecordFilePicker(anywidget.AnyWidget):
    """A labelled file input for one record file. The browser checks the size first: a file
    over ``max_bytes`` is not sent (the kernel is told only its name and size), because a
    message too large for the page's connection would break the page."""

    _esm = """
    function render({ model, el }) {
      const id = "course-record-file-" + Math.random().toString(36).slice(2);
      const label = document.createElement("label");
      label.htmlFor = id;
      label.textContent = model.get("label");
      const input = document.createElement("input");
      input.type = "file";
      input.id = id;
      input.accept = model.get("accept");
      input.className = "course-file-input";
      // Emptied as the file dialog opens, not after a choice (the input would say "No file
      // chosen" just after one): choosing the same file again is still a change.
      input.addEventListener("click", () => { input.value = ""; });
      input.addEventListener("change", () => {
        const file = input.files && input.files[0];
        if (!file) return;
        const about = { name: file.name, size: file.size };
        if (file.size > model.get("max_bytes")) { model.send({ ...about, sent: false }); return; }
        file.arrayBuffer().then((content) => model.send({ ...about, sent: true }, undefined, [content]));
      });
      model.on("msg:custom", (message) => { if (message && message.focus) input.focus(); });
      el.append(label, input);
    }
    export default { render };
    """
    _css = """
    .course-file-input { display: block; margin: 6px 0 12px; font-size: 1rem; min-height: 2.25rem; }
    """
    label = traitlets.Unicode("Choose your record file (it ends in .json)").tag(sync=True)
    accept = traitlets.Unicode(".json,application/json").tag(sync=True)  # the kinds of file offered
    max_bytes = traitlets.Int(MAX_FILE_BYTES).tag(sync=True)

    def __init__(self, **kwargs):
        super().__init__(**{**plain_look(), **kwargs})
        self._handlers = []
        self.on_msg(self._received)

    def focus(self):
        """Give the file input the keyboard focus (after the buttons beside it are hidden)."""
        self.send({"focus": True})

    def on_file(self, handler):
        """Call ``handler(name, size, content)`` for each file chosen; ``content`` is None
        for a file the browser did not send because it is too large."""
        self._handlers.append(handler)

    def _received(self, _, message, buffers):
        if not isinstance(message, dict):
            return
        size = message.get("size") if isinstance(message.get("size"), int) else 0
        content = bytes(buffers[0]) if message.get("sent") and buffers else None
        for handler in self._handlers:
            handler(message.get("name"), size, content)


def _wide_look():
    return {"layout": shared(widgets.Layout, width="95%"),
            "style": shared(DescriptionStyle, description_width="initial")}


def _module_words(numbers):
    words = [str(n) for n in numbers]
    if len(words) == 1:
        return f"module {words[0]}"
    return f"modules {', '.join(words[:-1])} and {words[-1]}"


def _damage_words(checked):
    return [f"{item['activity'] or 'a part'} ({item['reason']})" for item in checked.damaged]


def _plan_items(plan, future):
    """The changes of a merge as list items, in plain words."""
    def count(ids):
        return f"{len(ids)} activit{'y' if len(ids) == 1 else 'ies'}"

    items = []
    if plan.added:
        items.append(f"{count(plan.added)} {'will be' if future else 'were'} added.")
    if plan.replaced:
        items.append(f"{count(plan.replaced)} {'will be' if future else 'were'} updated with newer work from the "
                     f"file. Your earlier answers {'will be' if future else 'are'} kept aside, so you can bring "
                     "them back.")
    if plan.kept:
        items.append(f"{count(plan.kept)} {'are' if future else 'were'} newer here and "
                     f"{'stay' if future else 'stayed'} as they are. The older work from the file "
                     f"{'will be' if future else 'is'} kept aside.")
    others = plan.set_aside_added - len(plan.replaced) - len(plan.kept)
    if others:
        items.append(f"{others} other part{'' if others == 1 else 's'} of the file (damaged, or kept aside there) "
                     f"{'will be' if future else 'were'} kept aside here too.")
    if plan.same:
        items.append(f"{count(plan.same)} {'are' if future else 'were'} the same in both.")
    if plan.pages:
        one = len(plan.pages) == 1
        pages = f"{len(plan.pages)} module page{'' if one else 's'} you opened there"
        items.append(f"{pages} {'will be' if future else 'was' if one else 'were'} added, so the course home "
                     f"counts {'that module' if one else 'those modules'} as started.")
    return "".join(f"<li>{escape(item)}</li>" for item in items)

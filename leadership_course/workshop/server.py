"""The workshop server: the pulse's small HTML pages, from tornado alone.

A Voila page would cost each participant a Python kernel (about 59 MB and seconds to
start), so the pulse is plain HTML from tornado handlers; the server serves nothing else
(no notebook, no kernel), so a room that can reach it reaches only the pulse. Every page
works without scripts; a script only improves it.

    /pulse                       join: type the workshop code
    /pulse/CODE                  the participant's form (GET), sending it (POST)
    /pulse/CODE/sent             thanks (after a redirect, so a reload sends nothing again)
    /pulse/CODE/host             the host's sign-in, then controls and results (passcode)
    /pulse/CODE/host/action      open, close, show on screen, hide a word, new round (POST)
    /pulse/CODE/host/results.csv the combined counts; results.json the same as data
    /pulse/CODE/screen           the room's screen: how to join, and the results the host shows

Changes to the store, the passcode's scrypt (a thread of its own) and every PostgreSQL call
run on a few worker threads, so the server keeps answering while one waits; a SQLite read
(a form's workshop) runs at once. The phones' answers are stored in groups (GroupCommit):
one transaction, and one write to disk, for all the answers that arrived together. ``workshop start`` and ``workshop serve`` run it in their own
process (cli.py); ``python -m leadership_course.workshop.server --port N`` runs it alone.
"""

import asyncio
import ipaddress
import json
import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote, urlsplit

import tornado.web
from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop
from tornado.log import access_log
from tornado.netutil import bind_sockets
from tornado.template import Loader

from . import store as store_module
from .report import people, results_csv
from .store import (DEVICE_LENGTH, JOIN_URL_VARIABLE, MAX_WORD, FormRefused, HostAccess, PulseClosed, StoreError,
                    UnknownWorkshop, WorkshopStore, WrongPasscode, answer_problems, item_kind, normalise_code)

TEMPLATES = Path(__file__).resolve().parent / "templates"
#: How often the room's screen fetches what to show.
SCREEN_REFRESH_SECONDS = 5
#: How long a host stays signed in on one browser.
HOST_SESSION_DAYS = 0.5
#: The browser's device cookie (signed; one answer per device per round) and how long it lasts.
DEVICE_COOKIE = "pulse-device"
DEVICE_COOKIE_DAYS = 2
WORKER_THREADS = 4
#: Stands for the token in a form drawn once and sent to many (a real token never holds it).
TOKEN_SLOT = "token.slot"
BLANK_FORMS_KEPT = 256
#: Connections the server's socket holds waiting to be accepted.
CONNECTION_BACKLOG = 1024
#: The largest request body read (a pulse form is under 4 KB); larger ones are refused unread.
MAX_BODY_BYTES = 16 * 1024
#: A kept-alive connection with nothing to do is closed after this long.
IDLE_SECONDS = 120
SECURITY_HEADERS = {
    # Nothing from another host: no fonts, scripts, styles or images from elsewhere.
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
                               "img-src 'self' data:; connect-src 'self'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
SEND_AGAIN = "Your answers could not be saved just now. Please press Send my answers again."
HOST_MESSAGES = {
    "signed-in": "Signed in.",
    "open": "The pulse is open: people can answer.",
    "close": "The pulse is closed: no new answers are taken.",
    "show": "The screen now shows the latest results.",
    "clear": "The results are off the screen.",
    "hide-word": "The word is hidden: it is not on the screen or in the download.",
    "unhide-word": "The word is allowed again: it goes on the screen when you next show the results.",
    "reset": "A new round has started: the answers are deleted and the pulse is open.",
}


@lru_cache(maxsize=32)
def qr_svg(url):
    """The QR code of ``url`` as inline SVG, made here (segno; nothing from another host)."""
    import segno

    return segno.make(url, error="m").svg_inline(scale=4, border=2, omitsize=True)


def is_loopback(url):
    """Does ``url`` point at this computer only (127.x, ::1, localhost), so no phone can open it?"""
    host = urlsplit(url).hostname or ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host.lower() == "localhost"


def host_cookie(code):
    """The name of the host's signed cookie for workshop ``code``."""
    return f"pulse-host-{code}"


class PasscodeGuard:
    """Slows guessing of one workshop's passcode, whatever the number of clients: one check
    at a time per workshop (each wrong one then waits its delay), and after LOCK_AFTER wrong
    ones in a row, no check at all for a time that doubles with each lock-out. Kept in this
    server's memory (a restart, or each server of a PostgreSQL store, starts afresh)."""

    LOCK_AFTER = 5
    FIRST_LOCK_SECONDS = 60
    LONGEST_LOCK_SECONDS = 3600

    def __init__(self):
        self.locks, self.failures, self.lockouts, self.until = {}, {}, {}, {}

    def lock(self, code):
        return self.locks.setdefault(code, asyncio.Lock())

    def locked_for(self, code):
        """Seconds until sign-in for ``code`` opens again (0: open now)."""
        return max(0.0, self.until.get(code, 0.0) - time.monotonic())

    def failed(self, code):
        self.failures[code] = self.failures.get(code, 0) + 1
        if self.failures[code] >= self.LOCK_AFTER:
            self.failures[code] = 0
            self.lockouts[code] = self.lockouts.get(code, 0) + 1
            seconds = min(self.LONGEST_LOCK_SECONDS, self.FIRST_LOCK_SECONDS * 2 ** (self.lockouts[code] - 1))
            self.until[code] = time.monotonic() + seconds

    def succeeded(self, code):
        for kept in (self.failures, self.lockouts, self.until):
            kept.pop(code, None)


class GroupCommit:
    """Group commit of the phones' answers: the forms that arrive while a transaction is
    being written wait, and the next transaction stores them all (``store.submit_many``),
    so a room sending at once costs a few writes to disk, not one per phone. A phone is
    answered only once the transaction holding its form is committed (on disk: SQLite's
    synchronous=FULL, PostgreSQL's commit). Runs on the server's event loop: no lock."""

    #: The most forms in one transaction (each is a value in one statement; SQLite before 3.32 allows 999).
    MOST = 500

    def __init__(self, store, executor):
        self.store, self.executor = store, executor
        self.waiting, self.writing = [], False

    def submit(self, code, token, device, answers):
        """What ``store.submit`` returns or raises for this form, once it is committed."""
        future = asyncio.get_running_loop().create_future()
        self.waiting.append(((code, token, device, answers), future))
        if not self.writing:
            self._write()
        return future

    def _write(self):
        batch, self.waiting = self.waiting[:self.MOST], self.waiting[self.MOST:]
        self.writing = True
        written = IOLoop.current().run_in_executor(self.executor, self.store.submit_many, [form for form, _ in batch])
        written.add_done_callback(lambda done: self._written(batch, done))

    def _written(self, batch, done):
        self.writing = False
        failure = done.exception()
        outcomes = [failure] * len(batch) if failure else done.result()
        for (_, future), outcome in zip(batch, outcomes):
            if future.done():  # cancelled
                continue
            if isinstance(outcome, StoreError):  # each phone its own copy of the error
                future.set_exception(StoreError(str(outcome)))
            elif isinstance(outcome, BaseException):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)
        if self.waiting:
            self._write()


class PulseSite:
    """What the pulse handlers share: the store, the worker threads, the templates."""

    def __init__(self, store=None, base="/pulse", join_base=None):
        self.store = store or WorkshopStore()
        self.base = base.rstrip("/")
        self.join_base = (join_base or os.environ.get(JOIN_URL_VARIABLE) or "").rstrip("/")
        self.executor = ThreadPoolExecutor(WORKER_THREADS, thread_name_prefix="pulse-store")
        self.answers = GroupCommit(self.store, self.executor)
        # Passcode checks (scrypt: 16 MB and tens of milliseconds each) have a thread of their
        # own, so guessing never holds up the phones' answers.
        self.passcode_executor = ThreadPoolExecutor(1, thread_name_prefix="pulse-passcode")
        self.guard = PasscodeGuard()
        self.loader = Loader(str(TEMPLATES), autoescape="xhtml_escape")
        self.css = (TEMPLATES / "pulse.css").read_text(encoding="utf-8")
        self.blank_forms = {}
        self.reading = {}  # code -> a read of the workshop on its way (PostgreSQL)
        self.workshops = {}  # code -> the workshop as last read, to return a form as typed if the database is away  # (code, name, threshold, accepting, run) -> the form's page, token to fill in

    def handlers(self):
        code = r"([A-Za-z0-9 -]{1,20})"
        routes = [(r"/?", JoinHandler), (rf"/{code}/?", FormHandler), (rf"/{code}/sent", SentHandler),
                  (rf"/{code}/host/?", HostHandler), (rf"/{code}/host/action", HostActionHandler),
                  (rf"/{code}/host/results\.(csv|json)", ExportHandler), (rf"/{code}/screen", ScreenHandler)]
        return [(self.base + pattern, handler, {"site": self}) for pattern, handler in routes]


class PulseHandler(tornado.web.RequestHandler):
    """Shared by every pulse page: templates, security headers, store calls off the loop."""

    def initialize(self, site):
        self.site = site

    def set_default_headers(self):
        for name, value in SECURITY_HEADERS.items():
            self.set_header(name, value)

    def _request_summary(self):
        """How tornado's log names a request: no address of the phone, no query string."""
        return f"{self.request.method} {self.request.path}"

    def log_exception(self, kind, value, trace):
        """A failure in the log, without the request's address (tornado's own adds it)."""
        if isinstance(value, tornado.web.HTTPError):
            return super().log_exception(kind, value, trace)
        logging.getLogger("tornado.application").error("Failed: %s", self._request_summary(),
                                                       exc_info=(kind, value, trace))

    def device(self, create):
        """This browser's device cookie (signed by the server), or a new one set now
        (``create``), else None."""
        value = self.get_signed_cookie(DEVICE_COOKIE, max_age_days=DEVICE_COOKIE_DAYS)
        device = value.decode("ascii", "replace") if value else None
        if device is not None and len(device) == DEVICE_LENGTH:
            return device
        if not create:
            return None
        device = self.site.store.new_device()
        self.set_signed_cookie(DEVICE_COOKIE, device, expires_days=DEVICE_COOKIE_DAYS, httponly=True,
                               samesite="Lax", path=self.site.base)
        return device

    def host_signed_in(self, code):
        """Is this browser signed in as the host of workshop ``code``?"""
        value = self.get_signed_cookie(host_cookie(code), max_age_days=HOST_SESSION_DAYS)
        return value is not None and value.decode("ascii", "replace") == code

    def store_call(self, function, *args):
        return IOLoop.current().run_in_executor(self.site.executor, function, *args)

    async def store_read(self, function, *args):
        """A short read. SQLite in WAL mode never makes a reader wait, so it runs here at
        once (handing it to a thread costs more than the read); PostgreSQL's reads go to the
        worker threads."""
        if self.site.store.database.kind == "sqlite":
            return function(*args)
        return await self.store_call(function, *args)

    async def read_workshop(self, code):
        """``store.workshop(code)``. On PostgreSQL, the requests that arrive while a read of the
        same workshop is on its way share that read (a room opening the form at once makes a
        few reads, not one each); what they get was read after the first of them arrived."""
        if self.site.store.database.kind == "sqlite":
            return self.site.store.workshop(code)
        code = normalise_code(code)
        reading = self.site.reading.get(code)
        if reading is None:
            reading = self.site.reading[code] = self.store_call(self.site.store.workshop, code)
            reading.add_done_callback(lambda _: self.site.reading.pop(code, None))
        return await reading

    def render_page(self, template, title, **values):
        """The page as bytes (tornado's template, escaped by default)."""
        namespace = {"title": title, "css": self.site.css, "banner": "Workshop pulse", "body_class": "",
                     "errors": [], "people": people, "base": self.site.base, "link": None,
                     "xsrf_form_html": self.xsrf_form_html, **values}
        return self.site.loader.load(template).generate(**namespace)

    def page(self, template, title, status=200, **values):
        self.send_html(self.render_page(template, title, **values), status)

    def send_html(self, html, status=200):
        self.set_status(status)
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.finish(html)

    def urls(self, code):
        host_base = f"{self.site.base}/{code}/host"
        join_base = self.site.join_base or f"{self.request.protocol}://{self.request.host}{self.site.base}"
        join_url = f"{join_base}/{code}"
        return {"code": code, "here": f"{self.site.base}/{code}", "host_base": host_base,
                "screen_url": f"{self.site.base}/{code}/screen", "join_url": join_url, "qr_svg": qr_svg(join_url),
                "join_is_local": is_loopback(join_url)}

    def write_error(self, status_code, **kwargs):
        """A plain page for anything unexpected: never a traceback."""
        failure = kwargs.get("exc_info", (None, None))[1]
        if isinstance(failure, StoreError):
            return self.page("message.html", "Not available just now", 503, heading="Not available just now",
                             text="The pulse's store cannot be reached just now. Wait a moment, then go back "
                                  "and press Send again (what you typed is kept), or reload this page.")
        self.page("message.html", "Something went wrong", status_code,
                  heading="Something went wrong",
                  text="The page could not be shown. Please try again in a moment, or ask your host.")

    def gone(self, error):
        self.page("message.html", "Workshop not found", 404, heading="Workshop not found", text=str(error))


class JoinHandler(PulseHandler):
    async def get(self):
        typed = self.get_query_argument("code", "").strip()[:20]
        if not typed:
            return self.page("join.html", "Join a workshop pulse", typed="")
        try:
            code = normalise_code(typed)
            await self.read_workshop(code)
        except UnknownWorkshop as error:
            return self.page("join.html", "Error: join a workshop pulse", 404, typed=typed,
                             errors=[("code", str(error))])
        self.redirect(f"{self.site.base}/{code}", status=303)


class FormHandler(PulseHandler):
    """The participant's form: plain HTML, with a token the server signs for this browser
    (its device cookie) and this round."""

    async def get(self, code):
        try:
            workshop = await self.read_workshop(code)
        except UnknownWorkshop as error:
            return self.gone(error)
        self.site.workshops[workshop["code"]] = workshop
        if self.host_signed_in(workshop["code"]):
            return self.host_browser(workshop["code"])
        token = self.site.store.form_token(workshop["code"], workshop["run"], self.device(create=True))
        # A fresh form is the same page for everyone but its token: drawn once per state of
        # the workshop (open or closed, round), then only the token changes.
        state = tuple(workshop[key] for key in ("code", "name", "threshold", "accepting", "run"))
        blank = self.site.blank_forms.get(state)
        if blank is None:
            if len(self.site.blank_forms) > BLANK_FORMS_KEPT:
                self.site.blank_forms.clear()
            blank = self.site.blank_forms[state] = self.render_form(workshop, TOKEN_SLOT)
        self.send_html(blank.replace(TOKEN_SLOT.encode(), token.encode()))

    def host_browser(self, code):
        self.page("message.html", "You are the host on this browser", 403,
                  heading="You are signed in as the host on this browser",
                  text="The host's browser cannot answer the pulse: each answer must be one person in the "
                       "room, and the threshold counts devices. If you are taking part, answer on your "
                       "own phone.", link=(f"{self.site.base}/{code}/host", "Go to the host page"))

    def refused(self, code, status, heading, text):
        self.page("message.html", heading, status, heading=heading, text=text,
                  link=(f"{self.site.base}/{code}", "Open the pulse again"))

    def render_form(self, workshop, token, chosen=None, problems=None, errors=()):
        title = workshop["pulse"]["title"]
        return self.render_page("pulse.html", f"Error: {title}" if errors else title, workshop=workshop,
                                pulse=workshop["pulse"], token=token, chosen=chosen or {}, max_word=MAX_WORD,
                                problems=problems or {}, errors=list(errors), **self.urls(workshop["code"]))

    def form(self, workshop, token, status, chosen=None, problems=None, errors=()):
        self.send_html(self.render_form(workshop, token, chosen, problems, errors), status)

    async def post(self, code):
        try:
            # The workshop as this server last read it (its questions never change), else read
            # now: the transaction that stores the answers checks that it is still there, open
            # and in the form's round. (With the database away, a known workshop's form then
            # comes back as typed, below.)
            workshop = self.site.workshops.get(normalise_code(code))
            if workshop is None:
                workshop = await self.read_workshop(code)
                self.site.workshops[workshop["code"]] = workshop
        except UnknownWorkshop as error:
            return self.gone(error)
        token = self.get_body_argument("token", "")[:100]
        if self.host_signed_in(workshop["code"]):
            return self.host_browser(workshop["code"])
        chosen = {item["id"]: self.get_body_argument(item["id"], "")[:100] for item in workshop["pulse"]["items"]}
        answers = {item["id"]: _answer(item, chosen[item["id"]]) for item in workshop["pulse"]["items"]}
        problems = answer_problems(workshop["pulse"], answers)
        if problems:
            errors = [(_field_id(workshop["pulse"], item_id), message) for item_id, message in problems.items()]
            return self.form(workshop, token, 400, chosen, problems, errors)
        try:
            counted = await self.site.answers.submit(workshop["code"], token, self.device(create=False), answers)
        except UnknownWorkshop as error:  # deleted since this server read it
            self.site.workshops.pop(workshop["code"], None)
            return self.gone(error)
        except PulseClosed as error:
            return self.refused(workshop["code"], 409, "Your answers were not sent", str(error))
        except FormRefused as error:
            return self.refused(workshop["code"], 403, "Your answers were not counted", str(error))
        except StoreError:  # the same token and device: sending again is safe
            return self.form(workshop, token, 503, chosen, errors=[("pulse-form", SEND_AGAIN)])
        self.redirect(f"{self.site.base}/{workshop['code']}/sent{'' if counted else '?again=1'}", status=303)


class SentHandler(PulseHandler):
    async def get(self, code):
        try:
            workshop = await self.read_workshop(code)
        except UnknownWorkshop as error:
            return self.gone(error)
        self.page("sent.html", "Thank you: your answers are in", threshold=workshop["threshold"],
                  again=bool(self.get_query_argument("again", "")))


class HostPage(PulseHandler):
    """A page for the signed-in host of one workshop (a signed cookie for that workshop)."""

    def sign_in(self, code):
        self.set_signed_cookie(host_cookie(code), code, expires_days=None, httponly=True,
                               samesite="Strict", path=f"{self.site.base}/{code}")

    def canonical(self, code):
        try:
            return normalise_code(code)
        except UnknownWorkshop as error:
            self.gone(error)
            return None


class HostHandler(HostPage):
    async def get(self, code):
        code = self.canonical(code)
        if code is None:
            return
        if not self.host_signed_in(code):
            return self.page("host_signin.html", f"Host sign-in: workshop {code}", **self.urls(code))
        try:
            results = await self.store_call(HostAccess(self.site.store, code).results)
        except UnknownWorkshop as error:
            return self.gone(error)
        done = self.get_query_argument("done", "")
        problem = self.get_query_argument("problem", "")
        self.page("host.html", f"Host: {results.name}", body_class="host", results=results, host=True,
                  message=HOST_MESSAGES.get(done, ""), errors=[("round-title", problem)] if problem else [],
                  **self.urls(code))

    async def post(self, code):
        """Sign in with the passcode."""
        code = self.canonical(code)
        if code is None:
            return
        self.check_xsrf_cookie()
        guard = self.site.guard
        async with guard.lock(code):  # one check at a time for this workshop
            if guard.locked_for(code):
                return self.locked_out(code)
            try:
                await IOLoop.current().run_in_executor(self.site.passcode_executor, self.site.store.host, code,
                                                       self.get_body_argument("passcode", ""), False)
            except UnknownWorkshop as error:
                return self.gone(error)
            except WrongPasscode as error:  # the delay is waited here, holding up no thread
                guard.failed(code)
                await asyncio.sleep(store_module.WRONG_PASSCODE_DELAY)
                if guard.locked_for(code):
                    return self.locked_out(code)
                return self.page("host_signin.html", f"Error: host sign-in: workshop {code}", 403,
                                 errors=[("passcode", str(error))], **self.urls(code))
            guard.succeeded(code)
        self.sign_in(code)
        await self.store_call(self.site.store.mark_host_device, code, self.device(create=True))
        self.redirect(f"{self.site.base}/{code}/host?done=signed-in", status=303)


    def locked_out(self, code):
        minutes = max(1, round(self.site.guard.locked_for(code) / 60))
        message = (f"Too many wrong passcodes for workshop {code}: sign-in is paused for about "
                   f"{minutes} minute{'' if minutes == 1 else 's'}. Browsers already signed in carry on.")
        self.page("host_signin.html", f"Error: host sign-in: workshop {code}", 429,
                  errors=[("passcode", message)], **self.urls(code))


class HostActionHandler(HostPage):
    async def post(self, code):
        code = self.canonical(code)
        if code is None:
            return
        self.check_xsrf_cookie()
        if not self.host_signed_in(code):
            return self.redirect(f"{self.site.base}/{code}/host", status=303)
        action = self.get_body_argument("action", "")
        if action == "sign-out":
            self.clear_cookie(host_cookie(code), path=f"{self.site.base}/{code}")
            return self.redirect(f"{self.site.base}/{code}/host", status=303)
        host = HostAccess(self.site.store, code)
        item, word = self.get_body_argument("item", ""), self.get_body_argument("word", "")
        actions = {"open": (host.set_accepting, True), "close": (host.set_accepting, False),
                   "show": (host.show_on_screen,), "clear": (host.clear_screen,),
                   "hide-word": (host.hide_word, item, word, True), "unhide-word": (host.hide_word, item, word, False),
                   "reset": (host.reset,)}
        if action not in actions:
            raise tornado.web.HTTPError(400)
        if action == "reset" and self.get_body_argument("confirm", "") != "yes":
            problem = "To start a new round, tick the box to confirm that this round's answers are deleted."
            return self.redirect(f"{self.site.base}/{code}/host?problem={quote(problem)}#round-title", status=303)
        try:
            await self.store_call(*actions[action])
        except UnknownWorkshop as error:
            return self.gone(error)
        except ValueError as error:
            return self.redirect(f"{self.site.base}/{code}/host?problem={quote(str(error))}", status=303)
        self.redirect(f"{self.site.base}/{code}/host?done={action}", status=303)


class ExportHandler(HostPage):
    async def get(self, code, kind):
        code = self.canonical(code)
        if code is None:
            return
        if not self.host_signed_in(code):
            raise tornado.web.HTTPError(403)
        results = await self.store_call(HostAccess(self.site.store, code).results)
        if kind == "csv":
            self.set_header("Content-Type", "text/csv; charset=UTF-8")
            self.set_header("Content-Disposition", f'attachment; filename="workshop-{code}-results.csv"')
            return self.finish(results_csv(results))
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(json.dumps(results.as_dict(), ensure_ascii=False))


class ScreenHandler(HostPage):
    """The room's screen (the host's browser, on the projector): large, high contrast."""

    async def get(self, code):
        code = self.canonical(code)
        if code is None:
            return
        if not self.host_signed_in(code):
            return self.redirect(f"{self.site.base}/{code}/host", status=303)
        try:
            workshop = await self.read_workshop(code)
            results = await self.store_read(HostAccess(self.site.store, code).screen)
        except UnknownWorkshop as error:
            return self.gone(error)
        self.page("screen.html", f"Screen: {workshop['name']}", body_class="screen", results=results,
                  host=False, threshold=workshop["threshold"], title_text=workshop["pulse"]["title"],
                  refresh_seconds=SCREEN_REFRESH_SECONDS, banner=f"Workshop pulse: {workshop['name']}",
                  **self.urls(code))


def _answer(item, text):
    """A form field as the store takes it: an option number, the word typed, or None."""
    if item_kind(item) == "word":
        return text
    return int(text) if text.isdigit() else None


def _field_id(pulse, item_id):
    """The id an error summary's link points at: the word box, or the first radio button."""
    item = next((item for item in pulse["items"] if item["id"] == item_id), None)
    if item is None:
        return "pulse-form"
    return item_id if item_kind(item) == "word" else f"{item_id}-0"


class MissingHandler(PulseHandler):
    """Any other address: a plain page pointing to the pulse (this server serves nothing else)."""

    def prepare(self):
        self.page("message.html", "Page not found", 404, heading="Page not found",
                  text="This computer serves only the workshop pulse.", link=(self.site.base, "Join a workshop pulse"))


def log_request(handler):
    """The server's log: refused and failed requests only, with no address and no query string."""
    status = handler.get_status()
    if status >= 400:
        log = access_log.warning if status < 500 else access_log.error
        log("%d %s %s %.0f ms", status, handler.request.method, handler.request.path,
            1000 * handler.request.request_time())


def make_app(store=None, join_base=None):
    """The pulse's tornado application: its pages under /pulse, / sends there."""
    site = PulseSite(store, base="/pulse", join_base=join_base)
    # tornado's notes on a request refused before any handler (malformed, or a body over the
    # limit) name the phone's address, at INFO: left out, like every other address.
    logging.getLogger("tornado.general").setLevel(logging.WARNING)
    return tornado.web.Application(
        [(r"/", tornado.web.RedirectHandler, {"url": "/pulse"}), *site.handlers()],
        cookie_secret=site.store.server_key("cookies"), log_function=log_request,
        default_handler_class=MissingHandler, default_handler_args={"site": site})


def bind(port, address):
    """The listening sockets (OSError if the port is taken). SO_REUSEADDR (tornado's
    default), so a restart binds at once even while the last run's connections close; the
    backlog has room for a whole room's phones connecting at once (tornado's default of 128
    makes the rest retry a second later)."""
    return bind_sockets(port, address, backlog=CONNECTION_BACKLOG)


def listen(app, sockets):
    """Serve ``app`` on ``sockets``. Bodies over MAX_BODY_BYTES are refused before they are read."""
    server = HTTPServer(app, max_body_size=MAX_BODY_BYTES, idle_connection_timeout=IDLE_SECONDS)
    server.add_sockets(sockets)
    return server


def main(argv=None):
    """``python -m leadership_course.workshop.server [--port N] [--address A]``: the pulse
    pages alone, for the store in $COURSE_WORKSHOP_DIR or $COURSE_WORKSHOP_DATABASE."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--port", type=int, default=8866)
    parser.add_argument("--address", default="127.0.0.1")
    args = parser.parse_args(argv)
    logging.basicConfig(format="[%(asctime)s %(name)s] %(message)s", level=logging.INFO)

    async def serve():
        listen(make_app(), bind(args.port, args.address))
        await asyncio.Event().wait()

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()

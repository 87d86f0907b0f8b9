"""Plain HTTP clients for the pulse pages (no browser, no scripts): a participant, and a host
with cookies. Used by the server tests and the benchmark."""

import http.client
import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request

TIMEOUT_S = 30


def hidden_field(html, name):
    found = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', html)
    assert found, f"no {name} field in the page"
    return found.group(1)


class Participant:
    """One phone: its own connection and its own cookies (the device cookie the server
    gives it); open the form, send answers, send them again."""

    def __init__(self, port, host="127.0.0.1"):
        self.port, self.host = port, host
        self.connection = http.client.HTTPConnection(host, port, timeout=TIMEOUT_S)
        self.cookies = {}

    def twin(self, port=None):
        """The same phone (its cookies) on a new connection, to ``port`` if given."""
        other = Participant(port or self.port, self.host)
        other.cookies = self.cookies
        return other

    def request(self, method, path, body=None):
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if body is not None else {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        try:
            self.connection.request(method, path, body=body, headers=headers)
            reply = self.connection.getresponse()
        except (http.client.HTTPException, OSError):  # the server closed a kept-alive connection
            self.connection.close()
            self.connection.request(method, path, body=body, headers=headers)
            reply = self.connection.getresponse()
        for header in reply.headers.get_all("Set-Cookie") or []:
            name, _, value = header.split(";")[0].partition("=")
            self.cookies[name.strip()] = value.strip().strip('"')
        return reply.status, reply.getheader("Location", ""), reply.read().decode("utf-8")

    def open_form(self, code):
        status, _, html = self.request("GET", f"/pulse/{code}")
        assert status == 200, html[:300]
        return html

    @staticmethod
    def form_body(html, answers):
        fields = {"token": hidden_field(html, "token"), **answers}
        return urllib.parse.urlencode(fields)

    def send(self, code, body):
        """POST the form: (status, where the redirect goes)."""
        status, location, _ = self.request("POST", f"/pulse/{code}", body)
        return status, location

    def send_and_hang_up(self, code, body):
        """Send the form and close the connection without reading the reply (a phone whose
        network drops), as a retry follows."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT_S)
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        connection.request("POST", f"/pulse/{code}", body=body,
                           headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
        connection.close()

    def close(self):
        self.connection.close()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Host:
    """The host's browser: cookies kept, redirects not followed (the tests read them)."""

    def __init__(self, port, code):
        self.base = f"http://127.0.0.1:{port}/pulse/{code}"
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect)

    def get(self, path=""):
        """(status, body, location) of GET base + path."""
        try:
            with self.opener.open(self.base + path, timeout=TIMEOUT_S) as reply:
                return reply.status, reply.read().decode("utf-8"), ""
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8"), error.headers.get("Location", "")

    def post(self, path, fields, xsrf=None):
        if xsrf is None:  # the token from the page the form is on
            xsrf = hidden_field(self.get("/host")[1], "_xsrf")
        data = urllib.parse.urlencode({"_xsrf": xsrf, **fields}).encode()
        try:
            with self.opener.open(urllib.request.Request(self.base + path, data=data), timeout=TIMEOUT_S) as reply:
                return reply.status, reply.read().decode("utf-8"), ""
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8"), error.headers.get("Location", "")

    def sign_in(self, passcode):
        return self.post("/host", {"passcode": passcode})

    def act(self, action, **fields):
        status, _, location = self.post("/host/action", {"action": action, **fields})
        assert status == 303, (action, status)
        return location

"""Pre-heated Voila kernels: the page waits for the learner, then reads the record."""

import threading

import pytest

import leadership_course
from leadership_course import reflection
from leadership_course.voila import preheat


@pytest.fixture
def fresh_kernel(monkeypatch):
    """A kernel that has not waited yet; ``calls`` counts the waits."""
    monkeypatch.setattr(preheat, "_waited", False)
    calls = []
    monkeypatch.setenv("VOILA_KERNEL_ID", "kernel-1")

    def receive(url):
        calls.append(url)
        return {"QUERY_STRING": ""}

    monkeypatch.setattr(preheat, "receive_request_info", receive)
    return calls


@pytest.fixture
def shown(monkeypatch):
    """The widgets the show_... functions display."""
    displayed = []
    monkeypatch.setattr(leadership_course, "display", displayed.append)
    return displayed


def test_nothing_waits_outside_a_preheated_kernel(learner, fresh_kernel, shown, monkeypatch):
    """In JupyterLab, nbval, nbgrader or Voila without pre-heating, does the page build at once?"""
    monkeypatch.delenv(preheat.PREHEAT_VARIABLE, raising=False)
    leadership_course.show_course_home()
    monkeypatch.setenv(preheat.PREHEAT_VARIABLE, "False")  # Voila's value for a kernel started on request
    leadership_course.show_course_home()
    assert fresh_kernel == [] and len(shown) == 2


def test_preheated_page_reads_the_record_after_the_learner_arrives(learner, monkeypatch, shown):
    """Does a pre-heated page show work saved while its kernel waited in the pool?"""
    monkeypatch.setenv(preheat.PREHEAT_VARIABLE, "True")
    monkeypatch.setattr(preheat, "_waited", False)

    monkeypatch.setenv("VOILA_KERNEL_ID", "kernel-1")

    def learner_works_then_opens_the_page(url):
        reflection("sample-reflection").box.value = "Saved while the kernel waited."
        return {}

    monkeypatch.setattr(preheat, "receive_request_info", learner_works_then_opens_the_page)
    leadership_course.show_course_home()
    assert "1 of 4 activities done." in shown[0].map.value


def test_preheated_kernel_waits_once(learner, fresh_kernel, shown, monkeypatch):
    """Do the second and later activities on a page build without waiting again?"""
    monkeypatch.setenv(preheat.PREHEAT_VARIABLE, "True")
    leadership_course.show_course_home()
    leadership_course.show_reflection("sample-reflection")
    leadership_course.show_where_saved()
    assert fresh_kernel == ["ws://127.0.0.1:8866/voila/query/kernel-1"] and len(shown) == 3


def test_page_still_builds_when_voila_cannot_be_asked(learner, shown, monkeypatch, caplog):
    """If the wait fails (say, another Voila version), is the page built anyway, with a log line?"""
    monkeypatch.setenv(preheat.PREHEAT_VARIABLE, "True")
    monkeypatch.setattr(preheat, "_waited", False)

    monkeypatch.setenv("VOILA_KERNEL_ID", "kernel-1")
    monkeypatch.setenv("VOILA_APP_PORT", "1")  # nothing listens there
    leadership_course.show_course_home()
    assert "0 of 4 activities done." in shown[0].map.value
    assert "Could not wait for the page request" in caplog.text


def test_request_info_arrives_by_voilas_own_websocket(monkeypatch):
    """Does the kernel side speak Voila's protocol: connect to Voila's own request-info
    handler at /voila/query/<kernel id>, wait, and receive the request's variables once
    the page is requested (here, half a second after the kernel starts waiting)?"""
    import asyncio

    import tornado.web
    from voila.request_info_handler import RequestInfoSocketHandler

    from leadership_course.voila.launch import free_port

    port = free_port()
    ready = threading.Event()

    def serve():
        async def main():
            app = tornado.web.Application([(r"/voila/query/(.+)", RequestInfoSocketHandler)])
            app.listen(port, "127.0.0.1")
            ready.set()
            await asyncio.sleep(0.5)  # the learner arrives later
            RequestInfoSocketHandler.send_updates({"kernel_id": "kernel-7",
                                                   "payload": '{"QUERY_STRING": "workshop=ABC"}'})
            await asyncio.sleep(2)

        asyncio.run(main())

    server = threading.Thread(target=serve, daemon=True)
    server.start()
    ready.wait(10)
    for name, value in {"VOILA_APP_PORT": str(port), "VOILA_KERNEL_ID": "kernel-7", "VOILA_SERVER_URL": "/"}.items():
        monkeypatch.setenv(name, value)
    url = preheat.request_info_url()
    assert url == f"ws://127.0.0.1:{port}/voila/query/kernel-7"
    assert preheat.receive_request_info(url) == {"QUERY_STRING": "workshop=ABC"}
    server.join(10)

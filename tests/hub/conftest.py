"""The hub's tests run a real trial hub (leadership_course/hub/trial.py): the course's
JupyterHub with configurable-http-proxy from npm, on free 127.0.0.1 ports, with real system
accounts (two learners and a facilitator, made with useradd and removed afterwards).
Needs root and the hub's shared environment, which run_tests.py makes in .venv-hub."""

import pytest

from leadership_course.hub import trial


@pytest.fixture(scope="session")
def hub():
    """The course's hub, with accounts ``learner_a``, ``learner_b`` and ``facilitator``."""
    try:
        with trial.cohort(learners=2, facilitators=1, settings=("memory_limit_mb = 1024",)) as running:
            yield running
    except trial.TrialError as error:
        pytest.fail(str(error))


"""The hub's settings, from a small TOML file a platform team edits (hub.toml.example).

Every setting has a default; a wrong one is reported with the file and the key, never a
traceback from deep inside JupyterHub.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

SIGN_IN_METHODS = ("pam", "native", "lti13", "entra")
#: The nbgrader group whose members are facilitators (nbgrader's convention: formgrade-<course>).
COURSE_ID = "compassionate-leadership"
FACILITATOR_GROUP = f"formgrade-{COURSE_ID}"


class SettingsError(ValueError):
    """A setting in hub.toml is missing or wrong; the message names the file and the key."""


@dataclass
class HubSettings:
    """What a trust chooses for its hub (see deploy/jupyterhub/hub.toml.example)."""

    #: The course as installed (a copy of this repository): modules/ and grading/ are read from it.
    course_dir: Path = Path("/opt/leadership-course/course")
    #: configurable-http-proxy, installed from npm by install.sh.
    proxy_command: Path = Path("/opt/leadership-course/proxy/node_modules/.bin/configurable-http-proxy")
    #: The hub's own files: its database, cookie secret, profiles.
    state_dir: Path = Path("/srv/leadership-course")
    #: nbgrader's exchange: root's, its course folders the facilitators' group's (hub/exchange_folders.py).
    exchange_dir: Path = Path("/srv/nbgrader/exchange")
    #: Where the hub listens: this machine only, behind the trust's HTTPS reverse proxy.
    ip: str = "127.0.0.1"
    port: int = 8000
    #: Ports on 127.0.0.1 only: the hub's API and the proxy's API.
    hub_port: int = 8081
    proxy_api_port: int = 8001
    sign_in: str = "pam"
    #: Hub administrators (the platform team): they can open anyone's server.
    admins: list[str] = field(default_factory=list)
    #: Facilitators: formgrader and the grading folder, not hub admins.
    facilitators: list[str] = field(default_factory=list)
    #: With PAM: members of these system groups may sign in (empty: any account).
    allowed_groups: list[str] = field(default_factory=lambda: ["course-learners", "course-facilitators"])
    #: With PAM: members of this system group are facilitators too.
    facilitator_system_group: str = "course-facilitators"
    #: Make a system account (no password, no shell) at first sign-in: for sign-up, LTI and Entra ID.
    create_accounts: bool = False
    memory_limit_mb: int = 1024
    #: Cores each learner's server may use at most, and processes and threads it may hold.
    cpu_limit: float = 1.0
    tasks_limit: int = 512
    #: A server with nobody using it for this long is stopped (the learner's work stays).
    cull_idle_s: int = 3600
    cull_every_s: int = 300

    @classmethod
    def load(cls, path: str | os.PathLike | None) -> "HubSettings":
        """Settings from ``path`` (defaults where a key is absent; no file: all defaults)."""
        if path is None or not Path(path).exists():
            return cls()
        where = str(path)
        try:
            raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as error:
            raise SettingsError(f"{where}: not valid TOML ({error})") from None
        known = {f.name: f for f in fields(cls)}
        values = {}
        for key, value in raw.items():
            if key not in known:
                raise SettingsError(f"{where}: unknown setting '{key}' (known: {', '.join(known)})")
            default = getattr(cls(), key)
            if isinstance(default, Path):
                if not isinstance(value, str) or not value.startswith("/"):
                    raise SettingsError(f"{where}: '{key}' must be an absolute path in quotes")
                value = Path(value)
            elif isinstance(default, float) and type(value) is int:  # cpu_limit = 2
                value = float(value)
            elif isinstance(value, bool) != isinstance(default, bool) or not isinstance(value, type(default)):
                raise SettingsError(f"{where}: '{key}' must be {type(default).__name__}, not {value!r}")
            if isinstance(default, list) and not all(isinstance(item, str) for item in value):
                raise SettingsError(f"{where}: '{key}' must be a list of names in quotes")
            values[key] = value
        settings = cls(**values)
        if settings.sign_in not in SIGN_IN_METHODS:
            raise SettingsError(f"{where}: 'sign_in' must be one of {', '.join(SIGN_IN_METHODS)}, "
                                f"not {settings.sign_in!r}")
        if settings.memory_limit_mb < 256:
            raise SettingsError(f"{where}: 'memory_limit_mb' must be at least 256 (a learner needs about 200)")
        if settings.cpu_limit < 0 or settings.tasks_limit < 0 or 0 < settings.tasks_limit < 64:
            raise SettingsError(f"{where}: 'cpu_limit' must be 0 (no limit) or more, and 'tasks_limit' 0 (no limit) "
                                "or at least 64 (a server and its kernels need about 60 threads)")
        return settings

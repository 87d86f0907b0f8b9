"""The hub's configuration from its settings: ``configure(c, settings)``.

Called from ``deploy/jupyterhub/jupyterhub_config.py``, which then loads the chosen
sign-in file (``deploy/jupyterhub/sign-in/<sign_in>.py``).
"""

from __future__ import annotations

import grp
import sys
from pathlib import Path

from .settings import FACILITATOR_GROUP, HubSettings

BIN = Path(sys.executable).parent


def system_group_members(name: str) -> list[str]:
    try:
        return list(grp.getgrnam(name).gr_mem)
    except KeyError:
        return []


def facilitators(settings: HubSettings) -> list[str]:
    """Facilitators named in the settings, and (with PAM) members of the facilitators' system group."""
    names = list(settings.facilitators)
    if settings.sign_in == "pam" and settings.facilitator_system_group:
        names += system_group_members(settings.facilitator_system_group)
    return sorted(set(names))


def culler_service(settings: HubSettings) -> tuple[dict, dict]:
    """jupyterhub-idle-culler as a hub service, and the role that lets it stop idle servers."""
    service = {"name": "idle-culler", "command": [
        sys.executable, "-m", "jupyterhub_idle_culler",
        f"--timeout={settings.cull_idle_s}", f"--cull-every={settings.cull_every_s}"]}
    role = {"name": "idle-culler", "services": ["idle-culler"],
            "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"]}
    return service, role


def configure(c, settings: HubSettings) -> None:
    """Fill JupyterHub's config object ``c`` for the course (see deploy/jupyterhub/README.md)."""
    state = settings.state_dir  # the hub's database, cookie secret and pid files: root's alone
    state.mkdir(parents=True, exist_ok=True)
    state.chmod(0o700)
    database = state / "jupyterhub.sqlite"
    database.touch(mode=0o600)  # SQLite makes its tables in an empty file; the mode is kept
    database.chmod(0o600)
    data = state.with_name(f"{state.name}-jupyter-data")  # every account reads the course template's link here
    data.mkdir(exist_ok=True)
    data.chmod(0o755)

    c.JupyterHub.bind_url = f"http://{settings.ip or ''}:{settings.port}"
    c.JupyterHub.hub_ip = "127.0.0.1"
    c.JupyterHub.hub_port = settings.hub_port
    c.JupyterHub.db_url = f"sqlite:///{database}"
    c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
    c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
    c.ConfigurableHTTPProxy.command = [str(settings.proxy_command)]
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings.proxy_api_port}"
    c.ConfigurableHTTPProxy.pid_file = str(state / "jupyterhub-proxy.pid")
    # Stopping or restarting the hub leaves learners' servers running; the new hub finds them
    # (their pid is in its database) and routes to them again. Open pages reconnect.
    c.JupyterHub.cleanup_servers = False

    c.JupyterHub.spawner_class = "leadership_course.hub.spawner.CourseSpawner"
    c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
    c.Spawner.http_timeout = 90
    c.Spawner.start_timeout = 120
    c.CourseSpawner.course_dir = str(settings.course_dir)
    c.CourseSpawner.exchange_dir = str(settings.exchange_dir)
    c.CourseSpawner.data_dir = str(data)
    c.CourseSpawner.facilitator_system_group = settings.facilitator_system_group
    c.CourseSpawner.runtime_dir = str(state.with_name(f"{state.name}-runtime"))  # kernels' sockets, per account
    c.CourseSpawner.memory_limit_mb = settings.memory_limit_mb
    c.CourseSpawner.cpu_limit = settings.cpu_limit
    c.CourseSpawner.tasks_limit = settings.tasks_limit
    c.CourseSpawner.create_accounts = settings.create_accounts

    c.Authenticator.admin_users = set(settings.admins)
    if settings.sign_in == "pam" and settings.allowed_groups:
        c.PAMAuthenticator.allowed_groups = set(settings.allowed_groups)
    c.JupyterHub.load_groups = {FACILITATOR_GROUP: {"users": facilitators(settings)}}

    service, role = culler_service(settings)
    c.JupyterHub.services = [service]
    c.JupyterHub.load_roles = [role]

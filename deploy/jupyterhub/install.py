#!/usr/bin/env python3
"""Stand up the course's JupyterHub on this Linux server, as root:

    sudo python3 deploy/jupyterhub/install.py

from a checkout of the course (Debian 12 or Ubuntu 22.04 and later). It installs Debian's
nodejs, npm, bubblewrap and python3-venv where missing; copies the course to
/opt/leadership-course/course, readable by every account except its nbgrader folder
(grading/: answer keys, hidden tests, model answers), which only the facilitators' group
course-facilitators can open, and without the repository's tests; makes one shared Python environment for every account
(/opt/leadership-course/env, from the system's /usr/bin/python3, which every account can
read) with the course, JupyterHub, the idle culler and the sign-in packages;
configurable-http-proxy from npm (/opt/leadership-course/proxy); the groups
course-learners and course-facilitators; nbgrader's exchange (/srv/nbgrader/exchange, with the
course's folders made before any release, writable by facilitators alone);
/etc/leadership-course/hub.toml (the trust's settings, kept if it exists) and
secrets.env; and the systemd unit leadership-course-hub.service, enabled and started.

Run it again from a newer checkout to update the course: pages change for everyone at
their next page load; learners' homes and records are not touched.

``--environment-only DIR`` makes just the shared environment and the proxy in DIR (the
test command uses it for the hub's tests).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
OPT = Path("/opt/leadership-course")
ETC = Path("/etc/leadership-course")
UNIT = "leadership-course-hub.service"
DEBIAN_PACKAGES = {"node": "nodejs", "npm": "npm", "bwrap": "bubblewrap"}
#: Not copied into the installed course: environments, git and the repository's own grading rounds.
COPY_SKIP = (".venv", ".venv-hub", ".git", "__pycache__", "*.egg-info", "gradebook.db", "release", "submitted",
             "autograded", "feedback", "downloaded", "node_modules", "build")
#: The facilitators' part of the course: answer keys, source notebooks (hidden tests, mark
#: schemes) and model answers. Never readable by learners; the tests' fixtures hold answers too.
PRIVATE_DIR = "grading"
NOT_INSTALLED = ("tests",)
FACILITATORS_GROUP = "course-facilitators"


def say(message):
    print(f"[course hub] {message}", flush=True)


def debian_packages(python):
    """Debian's packages the hub needs, where missing (nothing to do elsewhere)."""
    wanted = [package for program, package in DEBIAN_PACKAGES.items() if not shutil.which(program)]
    if subprocess.run([python, "-c", "import ensurepip"], capture_output=True).returncode != 0:
        wanted.append("python3-venv")
    if not wanted:
        return
    if not shutil.which("apt-get"):
        sys.exit(f"Please install {', '.join(wanted)} with this system's package manager, then run this again.")
    say(f"Installing {', '.join(wanted)} from Debian's packages...")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for step in (["update", "-qq"], ["install", "-y", "-qq", *wanted]):  # waits up to 10 minutes for another install
        if subprocess.run(["apt-get", "-o", "DPkg::Lock::Timeout=600", *step], env=env).returncode != 0:
            sys.exit(f"apt-get {step[0]} did not work (apt-get says why, above). If another program is installing "
                     "packages, wait until it has finished, then run this again.")


def copy_course(source: Path, target: Path, group: str = FACILITATORS_GROUP) -> Path:
    """The course as every account reads it (root-owned), its grading/ for ``group`` alone."""
    if source.resolve() == target.resolve():
        return target
    say(f"Copying the course to {target}...")
    skip = shutil.ignore_patterns(*COPY_SKIP)

    def ignore(folder, names):
        top = Path(folder).resolve() == source.resolve()
        return set(skip(folder, names)) | ({PRIVATE_DIR, *NOT_INSTALLED} & set(names) if top else set())

    shutil.copytree(source, target, dirs_exist_ok=True, ignore=ignore)
    for name in NOT_INSTALLED:  # left by an older install
        shutil.rmtree(target / name, ignore_errors=True)
    subprocess.run(["chmod", "-R", "u+rwX,go+rX,go-w", str(target)], check=True)
    copy_private(source / PRIVATE_DIR, target / PRIVATE_DIR, group)
    return target


def copy_private(source: Path, target: Path, group: str) -> Path:
    """grading/ for the facilitators' group alone: closed to others before anything is copied in."""
    subprocess.run(["groupadd", "-f", group], check=True)
    target.mkdir(mode=0o750, exist_ok=True)
    shutil.chown(target, "root", group)
    os.chmod(target, 0o750)  # an older install left it open to all: closed first
    shutil.copytree(source, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns(*COPY_SKIP))
    subprocess.run(["chown", "-R", f"root:{group}", str(target)], check=True)
    subprocess.run(["chmod", "-R", "u+rwX,g+rX,g-w,o-rwx", str(target)], check=True)
    return target


def build_environment(env_dir: Path, course_dir: Path, python: str = "/usr/bin/python3") -> Path:
    """One Python environment with the course and the hub, readable by every account."""
    stamp = env_dir / ".installed"
    wanted = str((course_dir / "pyproject.toml").stat().st_mtime)
    if stamp.exists() and stamp.read_text() == wanted:
        return env_dir
    say(f"Making the shared Python environment in {env_dir} (a few minutes)...")
    subprocess.run([python, "-m", "venv", str(env_dir)], check=True)
    pip = [str(env_dir / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "-e", f"{course_dir}[hub]"], check=True, cwd=course_dir)
    subprocess.run([str(env_dir / "bin" / "python"), "-m", "compileall", "-q", "leadership_course"], cwd=course_dir,
                   check=True)
    subprocess.run([str(env_dir / "bin" / "python"), "-m", "leadership_course", "prepare"], cwd=course_dir / "modules")
    subprocess.run(["chmod", "-R", "go+rX", str(env_dir)], check=True)
    stamp.write_text(wanted)
    return env_dir


def install_proxy(proxy_dir: Path) -> Path:
    """configurable-http-proxy from npm, the hub's front door."""
    command = proxy_dir / "node_modules" / ".bin" / "configurable-http-proxy"
    if not command.exists():
        say("Installing configurable-http-proxy from npm...")
        subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(proxy_dir),
                        "configurable-http-proxy@4"], check=True)
    return command


def settings_file(course_dir: Path, env_dir: Path, proxy: Path) -> Path:
    ETC.mkdir(parents=True, exist_ok=True)
    settings = ETC / "hub.toml"
    if not settings.exists():
        text = (HERE / "hub.toml.example").read_text()
        settings.write_text(text.replace("/opt/leadership-course/course", str(course_dir))
                            .replace("/opt/leadership-course/proxy/node_modules/.bin/configurable-http-proxy",
                                     str(proxy)))
        say(f"Wrote {settings}: edit it to choose sign-in, facilitators and limits.")
    secrets = ETC / "secrets.env"
    if not secrets.exists():
        secrets.touch(mode=0o600)
    return settings


def system_setup(env_dir: Path, settings: Path):
    """The accounts' groups, and nbgrader's exchange with the course's folders made before any release:
    root's, writable by the facilitators' group only (leadership_course/hub/exchange_folders.py)."""
    for group in ("course-learners", "course-facilitators"):
        subprocess.run(["groupadd", "-f", group], check=True)
    subprocess.run([str(env_dir / "bin" / "python"), "-m", "leadership_course.hub.exchange_folders", str(settings)],
                   check=True)


def unit_text(env_dir: Path, course_dir: Path) -> str:
    """The systemd unit for this server: the repository's, with its environment and course folders."""
    return (HERE / UNIT).read_text().replace("/opt/leadership-course/env", str(env_dir)).replace(
        "/opt/leadership-course/course", str(course_dir))


def systemd_unit(env_dir: Path, course_dir: Path):
    Path("/etc/systemd/system", UNIT).write_text(unit_text(env_dir, course_dir))
    if not Path("/run/systemd/system").is_dir():
        say("systemd is not running here. Start the hub as root with what the unit would set (its settings, "
            "secrets and working folder), in the background:\n"
            "    mkdir -p /srv/leadership-course && cd /srv/leadership-course && "
            "set -a && { [ ! -f /etc/leadership-course/secrets.env ] || . /etc/leadership-course/secrets.env; } && "
            "set +a &&\n"
            f"    PATH={env_dir}/bin:$PATH COURSE_HUB_SETTINGS=/etc/leadership-course/hub.toml nohup "
            f"{env_dir}/bin/jupyterhub -f {course_dir}/deploy/jupyterhub/jupyterhub_config.py "
            ">> /var/log/leadership-course-hub.log 2>&1 &\n"
            "Stop it with  kill $(cat /srv/leadership-course/jupyterhub.pid)  (learners' servers keep running; "
            "the hub finds them again when it starts).")
        return
    subprocess.run(["systemctl", "daemon-reload"], check=True)
    subprocess.run(["systemctl", "enable", "--now", UNIT], check=True)
    subprocess.run(["systemctl", "restart", UNIT], check=True)  # an update: the new course and settings
    say(f"The hub is running ({UNIT}); it starts again after a reboot.")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prefix", type=Path, default=OPT, help="where the course, environment and proxy go")
    parser.add_argument("--python", default="/usr/bin/python3", help="a Python (3.10+) every account can run")
    parser.add_argument("--environment-only", type=Path, metavar="DIR",
                        help="only make the shared environment (and proxy, in DIR/proxy) for this checkout")
    args = parser.parse_args(argv)
    if args.environment_only:
        build_environment(args.environment_only, REPO, args.python)
        install_proxy(args.environment_only / "proxy")
        return 0
    if os.geteuid() != 0:
        sys.exit("Run this as root (sudo python3 deploy/jupyterhub/install.py): it makes accounts' groups, "
                 "folders and a system service.")
    debian_packages(args.python)
    course = copy_course(REPO, args.prefix / "course")
    env_dir = build_environment(args.prefix / "env", course, args.python)
    proxy = install_proxy(args.prefix / "proxy")
    settings = settings_file(course, env_dir, proxy)
    system_setup(env_dir, settings)
    systemd_unit(env_dir, course)
    return 0


if __name__ == "__main__":
    sys.exit(main())

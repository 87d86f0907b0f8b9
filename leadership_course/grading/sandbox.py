"""The kernel that grades a submission, run with the least privilege the platform allows.

``nbgrader autograde`` runs each submission's notebook in a kernel started by the
facilitator's own account. The course already grades only its own cells (``sanitize``), so
no learner code runs; this is the second wall. With Linux's bubblewrap (``bwrap``, Debian's
package ``bubblewrap``) the grading kernel sees only Python, the course engine and the one
submission folder, read-only: no answer keys, no source notebooks, no model answers, no
other learner's work, no home folder; and when the facilitator is root, the kernel also
runs as an unprivileged account (``nobody`` unless ``SandboxedKernelManager.user`` names
another). Where bwrap is missing (macOS, Windows, a Linux without it) the kernel starts
as usual, with a warning in nbgrader's log.

Configured in ``grading/nbgrader_config.py`` as ``Execute.kernel_manager_class``.
"""

import os
import shutil
import sys
import tempfile
from pathlib import Path

from jupyter_client.manager import KernelManager
from traitlets import Bool, Unicode

import leadership_course

SYSTEM_FOLDERS = ("/usr", "/etc/alternatives", "/etc/ld.so.cache", "/etc/localtime")
MERGED_USR_LINKS = {"/bin": "usr/bin", "/lib": "usr/lib", "/lib64": "usr/lib64", "/sbin": "usr/sbin"}


def bwrap_path():
    return shutil.which("bwrap")


def _ancestors(path):
    """Every folder above ``path``, outermost first, not counting the root."""
    parents = list(Path(path).parents)[::-1]
    return [str(p) for p in parents if str(p) != "/"]


def readable_roots():
    """What the grading kernel needs to read: Python, its packages and the course engine."""
    roots = {sys.prefix, sys.base_prefix, str(Path(leadership_course.__file__).resolve().parent)}
    roots.add(str(Path(os.path.realpath(sys.executable)).parent))
    roots = sorted(r for r in roots if Path(r).exists())
    return [r for r in roots if not any(r != other and r.startswith(other + os.sep) for other in roots)]


def sandbox_command(kernel_cmd, folder, connection_copy, connection_file, user_ids=None):
    """The bwrap command that runs ``kernel_cmd`` seeing only Python, the engine and ``folder``."""
    argv = [bwrap_path(), "--die-with-parent", "--new-session", "--unshare-ipc",
            "--unshare-uts", "--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/tmp"]
    for link, target in MERGED_USR_LINKS.items():
        if os.path.islink(link):
            argv += ["--symlink", target, link]
        elif os.path.isdir(link):
            argv += ["--ro-bind", link, link]
    argv += ["--perms", "0755", "--dir", "/etc"]
    made = {"/tmp", "/etc"}
    binds = [(root, root) for root in readable_roots()] + [(str(folder), str(folder)),
                                                          (str(connection_copy), str(connection_file))]
    for _, target in binds:
        for parent in _ancestors(target):
            if parent not in made and not parent.startswith("/usr"):
                argv += ["--perms", "0755", "--dir", parent]
                made.add(parent)
    for path in SYSTEM_FOLDERS:
        argv += ["--ro-bind-try", path, path]
    for source, target in binds:
        argv += ["--ro-bind", source, target]
    argv += ["--chdir", str(folder), "--setenv", "HOME", "/tmp", "--setenv", "MPLCONFIGDIR", "/tmp",
             "--setenv", "IPYTHONDIR", "/tmp/ipython", "--setenv", "JUPYTER_RUNTIME_DIR", "/tmp/runtime",
             "--setenv", "PYTHONDONTWRITEBYTECODE", "1"]
    if user_ids is not None:  # root: keep only the power to become the unprivileged account
        uid, gid = user_ids
        argv += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--",
                 "setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups", "--inh-caps=-all", "--"]
    else:
        argv += ["--"]
    return argv + list(kernel_cmd)


class SandboxedKernelManager(KernelManager):
    """A kernel manager whose kernels see only the submission they grade (see the module notes)."""

    user = Unicode("nobody", help="The account the grading kernel runs as when nbgrader runs as root.").tag(config=True)
    required = Bool(False, help="Refuse to grade when the sandbox cannot be used.").tag(config=True)

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments)
        if not bwrap_path():
            message = ("The grading kernel is not sandboxed: bwrap (bubblewrap) was not found. Learner cells "
                       "still never run; install bubblewrap on Linux for the full protection.")
            if self.required:
                raise RuntimeError(message)
            self.log.warning(message)
            return cmd
        folder = Path(self._launch_args.get("cwd") or os.getcwd()).resolve()
        connection_file = os.path.realpath(self.connection_file)
        user_ids = None
        private = Path(tempfile.mkdtemp(prefix="grading-kernel-"))
        copy = private / "connection.json"
        shutil.copy(connection_file, copy)
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            import pwd

            account = pwd.getpwnam(self.user)
            user_ids = (account.pw_uid, account.pw_gid)
            os.chown(private, account.pw_uid, account.pw_gid)
            os.chown(copy, account.pw_uid, account.pw_gid)
        self._sandbox_folder = private
        return sandbox_command(cmd, folder, copy, connection_file, user_ids)

    def cleanup_resources(self, restart=False):
        super().cleanup_resources(restart=restart)
        private = getattr(self, "_sandbox_folder", None)
        if private is not None:
            shutil.rmtree(private, ignore_errors=True)

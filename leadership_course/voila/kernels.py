"""The course's kernel manager for Voila: the course home's pre-heated kernel starts first.

At launch Voila starts every pre-heated page's kernel at once. On two cores, eleven
kernels starting together made the first page a learner sees, the course home, the
slowest of the course (docs/benchmarks.md). This manager (``voila.json``:
``VoilaConfiguration.multi_kernel_manager_class``) lets the first page's pool start
alone: the other pages' first pre-heated kernels wait until the first page's kernel is
running, plus ``head_start`` seconds for it to run the page. Refills after a page is
opened, and kernels that are not pre-heated, never wait.

The first page is the pool whose ``kernel_env_variables`` set ``COURSE_FIRST_PAGE`` to
``"1"`` (``VoilaKernelManager.kernel_pools_config`` in ``voila.json``).

It also starts a kernel's idle clock again when its last page connection closes. The
culler (``MappingKernelManager.cull_idle_timeout``, with ``cull_connected`` off) then
frees a kernel that long after its page went away (a browser killed, a laptop that
never came back), however long the learner had read before without clicking; a page
still open is never culled.
"""

import asyncio

from jupyter_server._tz import utcnow
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from traitlets import Float

FIRST_PAGE_VARIABLE = "COURSE_FIRST_PAGE"


class CourseKernelManager(AsyncMappingKernelManager):
    """Voila wraps this class with its pooling; see the module docstring."""

    head_start = Float(6.0, config=True,
                       help="Seconds the first page's kernel runs alone at launch before other pools start.")
    longest_wait = Float(60.0, config=True,
                         help="Other pools start after this many seconds even if the first page's kernel has not.")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._first_page_started = None  # an asyncio.Event, made on the server's loop
        self._launch_over = False

    def _started_event(self):
        if self._first_page_started is None:
            self._first_page_started = asyncio.Event()
        return self._first_page_started

    async def start_kernel(self, *args, **kwargs):
        env = kwargs.get("env") or {}
        preheated = env.get("VOILA_PREHEAT") == "True"
        first_page = env.get(FIRST_PAGE_VARIABLE) == "1"
        if preheated and not first_page and not self._launch_over and self._has_first_page():
            try:
                await asyncio.wait_for(self._started_event().wait(), self.longest_wait)
            except asyncio.TimeoutError:
                self.log.warning("The first page's kernel did not start in %s s; starting the others", self.longest_wait)
            await asyncio.sleep(self.head_start)
        kernel_id = await super().start_kernel(*args, **kwargs)
        if preheated and first_page and not self._started_event().is_set():
            self._started_event().set()
            asyncio.get_event_loop().call_later(self.head_start + 1, self._end_launch)
        return kernel_id

    def notify_disconnect(self, kernel_id):
        """A page's connection closed: when it was the last, the idle clock starts now."""
        super().notify_disconnect(kernel_id)
        if self._kernel_connections.get(kernel_id) == 0 and kernel_id in self:
            self.get_kernel(kernel_id).last_activity = utcnow()

    def _has_first_page(self):
        pools = getattr(self, "kernel_pools_config", None) or {}  # set by Voila's pooling subclass
        return any(str((pool.get("kernel_env_variables") or {}).get(FIRST_PAGE_VARIABLE)) == "1"
                   for pool in pools.values() if isinstance(pool, dict))

    def _end_launch(self):
        self._launch_over = True

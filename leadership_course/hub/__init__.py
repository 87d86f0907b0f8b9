"""The course on JupyterHub: one server for a cohort (deploy/jupyterhub/).

* ``settings``: the hub's settings file (``/etc/leadership-course/hub.toml``), checked on load.
* ``homes``: what each learner's home holds (the shared course linked in, a private record).
* ``limits``: memory, CPU and task limits per learner (a Linux cgroup for each single-user server).
* ``exchange_folders``: nbgrader's exchange made at installation, closed to learners but for submitting.
* ``spawner``: ``CourseSpawner``, which starts each single-user server as its own account,
  in Voila on the course home, with the learner's or the facilitator's settings.
* ``formgrader_frame``: lets formgrader's panel show in a facilitator's JupyterLab on
  JupyterHub 4.1 and later, for formgrader's pages only.
* ``config``: ``configure(c, settings)``, called from deploy/jupyterhub/jupyterhub_config.py.
"""

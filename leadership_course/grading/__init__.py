"""Assessments graded with nbgrader: everything on the grading side of the course, apart from
the learner's course pages.

Learner side (what runs in the assessment notebook):
  ``questions``       the questions file and the saved answers (``answers.json``);
  ``learner_widgets`` questions, written answers and "Download my submission" as widgets;
  ``graded_view``     the same parts as plain HTML while nbgrader grades the notebook;
  ``marking``         the tests in the notebook's grade cells (``check_answered``, ``check_choice``);
  ``open_assessment`` the course home's step that opens a handed-out assessment zip.

Facilitator side (what runs on the facilitator's machine):
  ``builder``         builds each source notebook from its questions file and private answer key;
  ``roster``          the learner-ID rule and the cohort's roster;
  ``handout``         hand-out zips for learners and a feedback zip per learner;
  ``feedback``        feedback pages, always rewritten; each learner held back is named with the reason;
  ``formgrader_pages`` formgrader's plain page for a submission it cannot open (a server extension);
  ``marks``           per-question marks, reasons and the cohort summary from the gradebook;
  ``collect``         zip_collect plugins that refuse unsafe or odd submissions;
  ``exchange_collect`` the hub's collect, refusing links, others' names, odd names and future times;
  ``sanitize``        preprocessors that grade only the course's own cells and files;
  ``sandbox``         the grading kernel, sandboxed and unprivileged;
  ``problems``        the reasons kept for the facilitator while collecting and grading;
  ``dashboard``       the cohort dashboard (in the notebook, or as one offline page);
  ``cli``             the facilitator's commands (``python -m leadership_course roster ...``).
"""

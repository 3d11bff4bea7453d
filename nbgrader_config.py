"""nbgrader configuration of "Why won't my network train?".

Shared by `make exercises` (autograder/release.py runs `nbgrader generate_assignment`) and the
nbgrader end-to-end tests. nbgrader's own `autograde` executes the learner's code and the graded
test cells in ONE kernel, so a learner can tamper with the checks there; the isolated grader
(`python -m autograder grade ...`, see autograder/README.md) is the trusted path for marks.
"""

from pathlib import Path

c = get_config()  # noqa: F821  (injected by traitlets when nbgrader loads this file)

ROOT = Path(__file__).resolve().parent

c.CourseDirectory.root = str(ROOT)
c.CourseDirectory.course_id = "why-wont-my-network-train"
# Instructor notebooks live in solutions/NN_name/name.ipynb, one nbgrader assignment per folder.
c.CourseDirectory.source_directory = "solutions"
# Student versions are generated into exercises/NN_name/name.ipynb (committed, never hand-edited).
c.CourseDirectory.release_directory = "exercises"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
# The gradebook is local working state: gradebook.db is listed in .gitignore.
c.CourseDirectory.db_url = f"sqlite:///{ROOT / 'gradebook.db'}"

# generate_assignment: strip solutions, keep the `### BEGIN SOLUTION` markers' default stub.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
# Released notebooks carry no outputs; the graded test cells stay locked.
c.ClearOutput.enabled = True
c.LockCells.lock_grade_cells = True
c.LockCells.lock_readonly_cells = True
# generate_assignment must not need a gradebook entry per student.
c.GenerateAssignment.create_assignment = True

# Executing a notebook (autograde, validate): a generous per-cell timeout on a 2-core machine.
c.ExecutePreprocessor.timeout = 300

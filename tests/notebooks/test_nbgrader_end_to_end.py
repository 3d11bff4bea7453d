"""The notebooks through nbgrader itself, as an instructor would run it.

In a temporary course directory (configured by the repository's nbgrader_config.py), the
solution notebooks are the source; `generate_assignment` creates the assignments and the
gradebook; then two students hand in, for every assignment:

- "solution": the instructor notebook, which must earn every auto-graded point;
- "released": the committed student notebook from exercises/, untouched, which must earn zero,
  run to the end (no error outside the graded test cells) and have its `check` cell say
  "not implemented yet" without a traceback;
- "mistaken": the solution with one known misconception (`autograder.misconceptions`) defined
  after it, an honest but wrong submission that earns some points and loses others.

The same three students are then graded by the isolated grader (`python -m autograder grade`):
for every graded cell, nbgrader's points must equal the points of the matching check.

`nbgrader autograde` grades all of them in one process. Meanwhile, in a second process (the
machine has two cores), the Validator behind `nbgrader validate` executes every solution
notebook with `validate_all`: every grade cell passes and no code cell raises or writes to
stderr. Manually graded written answers are left out of every score compared here.
"""

import json
import os
import shutil
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from autograder.runner import specs_of

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.slow,
    # nbgrader's own gradebook code trips SQLAlchemy's autoflush warnings: not ours to fix.
    pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning"),
]
ASSIGNMENTS = sorted(
    d.name for d in (ROOT / "solutions").iterdir() if d.is_dir() and any(d.glob("*.ipynb"))
)
STUDENTS = ("solution", "released", "mistaken")

VALIDATE = r"""
import json, sys
from pathlib import Path
from nbgrader.validator import Validator
from traitlets.config.loader import PyFileConfigLoader

root, *notebooks = sys.argv[1:]
config = PyFileConfigLoader("nbgrader_config.py", path=root).load_config()
validator = Validator(config=config, validate_all=True)
print(json.dumps({path: validator.validate(path) for path in notebooks}))
"""


@contextmanager
def kernel_environment():
    """What the kernels inherit: the course importable from any folder, no GUI backend, one
    BLAS thread per kernel (two busy cores do better without oversubscription), and the
    venv's tools (nbgrader's gradebook needs `alembic`) on PATH."""
    saved = dict(os.environ)
    python_path = [str(ROOT), os.environ.get("PYTHONPATH", "")]
    os.environ.update(
        PYTHONPATH=os.pathsep.join(p for p in python_path if p),
        MPLBACKEND="Agg",
        OMP_NUM_THREADS="1",
        PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
    )
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@dataclass
class Submission:
    code_score: float
    max_code_score: float
    notebook: dict  # the autograded notebook, with outputs


@dataclass
class CourseRun:
    submissions: dict[tuple[str, str], Submission]  # (student, assignment) → result
    validation: dict[str, dict]  # assignment → Validator results ({} when everything passed)
    isolated: dict[str, dict]  # student → result.json of `python -m autograder grade`


def notebook_of(folder: Path) -> Path:
    (path,) = folder.glob("*.ipynb")
    return path


@pytest.fixture(scope="session")
def course(tmp_path_factory) -> CourseRun:
    from nbgrader.api import Gradebook
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    tmp = tmp_path_factory.mktemp("course")
    db_url = f"sqlite:///{tmp / 'gradebook.db'}"
    shutil.copytree(ROOT / "solutions", tmp / "source")
    for assignment in ASSIGNMENTS:
        for student, origin in (("solution", "solutions"), ("released", "exercises")):
            target = tmp / "submitted" / student / assignment
            target.mkdir(parents=True)
            shutil.copy(notebook_of(ROOT / origin / assignment), target)
        mistaken = tmp / "submitted" / "mistaken" / assignment
        mistaken.mkdir(parents=True)
        write_mistaken(notebook_of(ROOT / "solutions" / assignment), mistaken, assignment)

    with kernel_environment():
        validating = subprocess.Popen(
            [
                sys.executable,
                "-c",
                VALIDATE,
                str(ROOT),
                *(str(notebook_of(tmp / "source" / a)) for a in ASSIGNMENTS),
            ],
            cwd=tmp,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        config = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()
        overrides = Config()
        overrides.CourseDirectory.root = str(tmp)
        overrides.CourseDirectory.source_directory = "source"
        overrides.CourseDirectory.release_directory = "release"
        overrides.CourseDirectory.db_url = db_url
        config.merge(overrides)
        api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
        for assignment in ASSIGNMENTS:
            result = api.generate_assignment(assignment, force=True, create=True)
            assert result["success"], result.get("log", "") + result.get("error", "")
        for assignment in ASSIGNMENTS:
            for student in STUDENTS:
                result = api.autograde(assignment, student, force=True, create=True)
                assert result["success"], result.get("log", "") + result.get("error", "")
        out, err = validating.communicate(timeout=600)
    assert validating.returncode == 0, err
    validated = json.loads(out.strip().splitlines()[-1])

    submissions = {}
    with Gradebook(db_url) as gradebook:
        for assignment in ASSIGNMENTS:
            name = notebook_of(ROOT / "solutions" / assignment).stem
            for student in STUDENTS:
                graded = gradebook.find_submission_notebook(name, assignment, student)
                autograded = tmp / "autograded" / student / assignment / f"{name}.ipynb"
                submissions[student, assignment] = Submission(
                    graded.code_score,
                    graded.max_code_score,
                    json.loads(autograded.read_text(encoding="utf-8")),
                )
    validation = {
        assignment: validated[str(notebook_of(tmp / "source" / assignment))]
        for assignment in ASSIGNMENTS
    }
    graded = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", "submitted", "--out", "isolated"],
        cwd=tmp,
        capture_output=True,
        text=True,
    )
    assert graded.returncode == 0, graded.stdout[-3000:] + graded.stderr[-3000:]
    isolated = {
        student: json.loads((tmp / "isolated" / "students" / student / "result.json").read_text())
        for student in STUDENTS
    }
    return CourseRun(submissions, validation, isolated)


def mistake_for(assignment: str):
    """The first known misconception of the assignment's exercise."""
    from autograder.misconceptions import for_exercise

    return for_exercise(exercise_of(assignment))[0]


def write_mistaken(solution: Path, folder: Path, assignment: str) -> None:
    """The solution notebook, with the misconception's definition appended to the solution
    cell that defines the same function (the later definition wins)."""
    variant = mistake_for(assignment)
    nb = json.loads(solution.read_text(encoding="utf-8"))
    (cell,) = [
        c
        for c in nb["cells"]
        if c["cell_type"] == "code"
        and c.get("metadata", {}).get("nbgrader", {}).get("solution")
        and f"def {variant.function}(" in text(c["source"])
    ]
    cell["source"] = text(cell["source"]) + "\n\n\n" + variant.source
    (folder / solution.name).write_text(json.dumps(nb), encoding="utf-8")


def exercise_of(assignment: str) -> str:
    return assignment.split("_", 1)[1]


def text(value) -> str:
    return "".join(value) if isinstance(value, list) else value


def is_graded_test(cell: dict) -> bool:
    grading = cell.get("metadata", {}).get("nbgrader", {})
    return cell["cell_type"] == "code" and grading.get("grade") is True


def problems(cell: dict) -> list[str]:
    """Errors and stderr output of one executed code cell."""
    found = []
    for output in cell.get("outputs", []):
        if output["output_type"] == "error":
            found.append(f"{output['ename']}: {output['evalue'][:300]}")
        elif output["output_type"] == "stream" and output["name"] == "stderr":
            found.append(f"stderr: {text(output['text'])[:300]}")
    return found


def stdout_of(cell: dict) -> str:
    return "".join(
        text(o["text"])
        for o in cell.get("outputs", [])
        if o["output_type"] == "stream" and o["name"] == "stdout"
    )


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_nbgrader_validate_passes_on_the_solution(course, assignment):
    assert course.validation[assignment] == {}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solution_earns_every_autograded_point(course, assignment):
    submission = course.submissions["solution", assignment]
    points = sum(spec.points for spec in specs_of(exercise_of(assignment)))
    assert submission.max_code_score == points > 0
    failing = {
        cell["metadata"]["nbgrader"]["grade_id"]: problems(cell)
        for cell in submission.notebook["cells"]
        if problems(cell)
    }
    assert submission.code_score == points, failing
    assert failing == {}, "every cell of the solution notebook runs cleanly"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_released_exercise_earns_zero_and_runs_to_the_end(course, assignment):
    submission = course.submissions["released", assignment]
    assert submission.max_code_score == sum(s.points for s in specs_of(exercise_of(assignment)))
    assert submission.code_score == 0
    cells = submission.notebook["cells"]
    outside = [
        (i, p) for i, cell in enumerate(cells) if not is_graded_test(cell) for p in problems(cell)
    ]
    assert outside == [], "only the graded test cells may fail in the student version"
    graded = [cell for cell in cells if is_graded_test(cell)]
    assert all(problems(cell) for cell in graded), "every graded test fails on the stub"

    exercise = exercise_of(assignment)
    (check_cell,) = [c for c in cells if text(c["source"]).strip() == f'check("{exercise}")']
    assert "not implemented yet" in stdout_of(check_cell)
    assert "Traceback" not in stdout_of(check_cell)
    printed = "".join(stdout_of(c) for c in cells)
    assert "above to run this experiment." in printed, "experiments skip politely"


@pytest.mark.parametrize("student", STUDENTS)
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_nbgrader_cell_points_equal_the_isolated_grader(course, assignment, student):
    """Honest submissions score the same, cell by cell, in nbgrader and in the course grader."""
    exercise = exercise_of(assignment)
    submission = course.submissions[student, assignment]
    nbgrader_points = {
        cell["metadata"]["nbgrader"]["grade_id"]: (
            0.0 if problems(cell) else float(cell["metadata"]["nbgrader"]["points"])
        )
        for cell in submission.notebook["cells"]
        if is_graded_test(cell)
    }
    tests = course.isolated[student]["exercises"][exercise]["tests"]
    isolated_points = {f"{exercise}-{t['name']}": float(t["score"]) for t in tests}
    assert nbgrader_points == isolated_points
    if student == "mistaken":
        assert sum(nbgrader_points.values()) < submission.max_code_score, (
            f"{mistake_for(assignment).key} should lose points"
        )

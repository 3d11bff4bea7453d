"""The shape every exercise notebook promises (fast, static: nothing is executed).

See CONTRIBUTING.md, "Writing an exercise": one instructor notebook per exercise in
`solutions/NN_<exercise>/<exercise>.ipynb`, from which `make exercises` generates the student
version in `exercises/`.
"""

import ast
import json
from pathlib import Path

import pytest

from autograder.forbidden import scan
from autograder.runner import functions_of, known_exercises, specs_of

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = sorted((ROOT / "solutions").glob("[0-9][0-9]_*/*.ipynb"))
EXERCISES = sorted((ROOT / "exercises").glob("[0-9][0-9]_*/*.ipynb"))
ALLOWED_IMPORTS = {"math", "numpy", "torch", "torch.nn.functional"}
KEY_TERMS_HEADER = "| English | 中文 | meaning |"


def cells_of(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def text(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def grading(cell: dict) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def exercise_of(path: Path) -> str:
    return path.parent.name.split("_", 1)[1]


def ids(paths: list[Path]) -> list[str]:
    return [p.parent.name for p in paths]


def test_every_exercise_with_a_check_module_has_a_solution_notebook():
    assert {exercise_of(p) for p in SOLUTIONS} == set(known_exercises())


@pytest.mark.parametrize("path", SOLUTIONS, ids=ids(SOLUTIONS))
def test_solution_notebook_layout(path):
    """Title, grading notes, locked imports, solutions, check, graded tests, key terms."""
    exercise = exercise_of(path)
    assert path.name == f"{exercise}.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert nb["metadata"]["course"] == {"exercise": exercise}
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    cells = nb["cells"]
    assert text(cells[0]).startswith("# "), "the notebook opens with its title"
    assert "../../chapters/" in text(cells[0]), "the introduction links to its chapter"

    code = [c for c in cells if c["cell_type"] == "code"]
    assert grading(code[1]) == {
        "grade": False,
        "grade_id": f"{exercise}-imports",
        "locked": True,
        "schema_version": 3,
        "solution": False,
        "task": False,
    }, "the second code cell (after the setup cell) is the locked imports cell"

    solutions = [c for c in cells if grading(c).get("solution") and c["cell_type"] == "code"]
    functions = functions_of(exercise)
    if len(functions) == 1:
        assert [grading(c)["grade_id"] for c in solutions] == [f"{exercise}-solution"]
    else:
        expected = [f"{exercise}-solution-{f}" for f in functions]
        assert sorted(grading(c)["grade_id"] for c in solutions) == sorted(expected)
    for cell in solutions:
        assert grading(cell) == {
            "grade": False,
            "grade_id": grading(cell)["grade_id"],
            "locked": False,
            "schema_version": 3,
            "solution": True,
            "task": False,
        }

    assert any(text(c).strip() == f'check("{exercise}")' for c in code), "a visible check cell"

    answers = [c for c in cells if c["cell_type"] == "markdown" and grading(c).get("solution")]
    assert 1 <= len(answers) <= 2, "one or two written answers"
    for cell in answers:
        g = grading(cell)
        assert g["grade"] is True and g["task"] is False and g["points"] in (1, 2)
        assert g["grade_id"].startswith(f"{exercise}-why-")
        assert len(text(cell)) > 200, "the instructor version carries a model answer"

    headings = [text(c).splitlines()[0] for c in cells if c["cell_type"] == "markdown"]
    assert "## Graded tests" in headings
    key_terms = next(text(c) for c in cells if text(c).startswith("## Key terms"))
    assert KEY_TERMS_HEADER in key_terms
    assert text(cells[-1]).startswith("## Key terms"), "the key terms close the notebook"


@pytest.mark.parametrize("path", SOLUTIONS, ids=ids(SOLUTIONS))
def test_solution_cells_keep_the_contract(path):
    """Signature and docstring outside the solution region, which holds only the body."""
    exercise = exercise_of(path)
    sources = [
        text(c) for c in cells_of(path) if grading(c).get("solution") and c["cell_type"] == "code"
    ]
    defined = {}
    for source in sources:
        assert source.count("### BEGIN SOLUTION") == source.count("### END SOLUTION") == 1
        tree = ast.parse(source)
        for node in tree.body:
            if isinstance(node, ast.FunctionDef):
                defined[node.name] = node
        lines = source.splitlines()
        begin = next(i for i, line in enumerate(lines) if "### BEGIN SOLUTION" in line)
        function = next(n for n in tree.body if isinstance(n, ast.FunctionDef))
        assert function.lineno - 1 < begin < function.end_lineno, "the region is in the body"
        assert lines[begin].startswith("    "), "the region is indented inside the function"
        assert ast.get_docstring(function), f"{function.name} keeps its docstring"
        assert function.returns is not None, f"{function.name} keeps its return annotation"
        assert all(a.annotation is not None for a in function.args.args), function.name
    assert set(functions_of(exercise)) <= set(defined)


@pytest.mark.parametrize("path", SOLUTIONS, ids=ids(SOLUTIONS))
def test_solutions_are_own_work(path):
    """The instructor solutions never use the routine they teach, nor the course packages."""
    exercise = exercise_of(path)
    cells = [
        (grading(c)["grade_id"], text(c))
        for c in cells_of(path)
        if grading(c).get("solution") and c["cell_type"] == "code"
    ]
    assert scan(exercise, cells) == []


@pytest.mark.parametrize("path", SOLUTIONS, ids=ids(SOLUTIONS))
def test_imports_cell_offers_only_the_grader_preamble(path):
    """The graded code sees math, numpy, torch, Tensor, F and nn only: the imports cell
    must not suggest anything else that a solution could come to rely on."""
    imports = next(
        text(c) for c in cells_of(path) if grading(c).get("grade_id", "").endswith("-imports")
    )
    for node in ast.parse(imports).body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                assert alias.name in ALLOWED_IMPORTS | {"matplotlib.pyplot"}, alias.name
        elif isinstance(node, ast.ImportFrom):
            allowed = node.module in {"torch", "autograder"} or node.module.startswith("trainlab")
            assert allowed, node.module
            if node.module == "torch":
                assert {a.name for a in node.names} <= {"Tensor", "nn"}


@pytest.mark.parametrize("path", SOLUTIONS, ids=ids(SOLUTIONS))
def test_graded_test_cells_follow_the_check_module(path):
    """One locked grade cell per check, in order, with the check's points."""
    exercise = exercise_of(path)
    graded = [
        grading(c) for c in cells_of(path) if grading(c).get("grade") and c["cell_type"] == "code"
    ]
    expected = [(f"{exercise}-{s.name}", s.points) for s in specs_of(exercise)]
    assert [(g["grade_id"], g["points"]) for g in graded] == expected
    assert all(g["locked"] for g in graded)


@pytest.mark.parametrize("path", EXERCISES, ids=ids(EXERCISES))
def test_released_notebook_gives_nothing_away(path):
    """No solution code, no model answers, no outputs in the student version."""
    cells = cells_of(path)
    solution_ids = []
    for cell in cells:
        source = text(cell)
        assert "BEGIN SOLUTION" not in source and "END SOLUTION" not in source
        if grading(cell).get("solution"):
            solution_ids.append(grading(cell)["grade_id"])
            if cell["cell_type"] == "code":
                for node in ast.parse(source).body:
                    if isinstance(node, ast.Import | ast.ImportFrom):
                        continue
                    assert isinstance(node, ast.FunctionDef), ast.dump(node)[:80]
                    body = node.body[1:] if ast.get_docstring(node) else node.body
                    assert [ast.unparse(b) for b in body] == ["raise NotImplementedError()"]
            else:
                assert source.strip() == "YOUR ANSWER HERE"
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None
    assert solution_ids, "the student version keeps its solution cells"

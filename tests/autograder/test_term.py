"""A rehearsed term: what an instructor does over weeks, through the CLI only.

- Day 1: week 1's assignment (02_momentum) in nbgrader's layout `submitted/<student>/<assignment>/`.
- Day 2: week 2 (04_adam) added to the same folders and graded into the same --out: week 1 is
  kept (resumed, not regraded). ben submits `dropout.ipynb` to the Adam assignment (ignored,
  said so); cy submits every solution (scores Adam's 10 only); a student id that is
  a spreadsheet formula.
- Day 3: week 3 (07_dropout) from a Canvas bulk download (`smithana_104233_8812345_...`),
  mapped to course ids by the roster, with `--assignment`.
- Then: resume (same command: nothing regraded; a new secret: regraded), a Canvas and a
  Moodle export, written answers exported, a NaN mark refused, marks imported, a merge of
  another folder's assignment, a mistyped folder, and the Gradescope zip of 04_adam rehearsed
  against the wrong exercise, an empty submission, a `.py` file and a correct notebook.
"""

import csv
import io
import json

import autograder_corpus as corpus
import pytest

from autograder.runner import known_exercises, specs_of

pytestmark = pytest.mark.slow

ROSTER = (
    "student_id,name,email,canvas_login,canvas_id,sis_id,section\n"
    'ana,"Smith, Ana",ana@example.edu,smithana,104233,S1,Lab A\n'
    'ben,"Ng, Ben",ben@example.edu,ngben,104234,S2,Lab B\n'
    'cy,"Lee, Cy",cy@example.edu,leecy,104235,S3,Lab A\n'
)
WRONG_MOMENTUM = (
    "def momentum_step(theta, grad, movement, lr, momentum):\n    return theta, movement\n"
)
FORMULA = '=HYPERLINK("evil.example","win")'
POINTS = {e: sum(s.points for s in specs_of(e)) for e in ("momentum", "adam", "dropout")}


def _strict_json(path):
    def refuse(name):
        raise ValueError(f"{path}: {name} is not JSON")

    return json.loads(path.read_text(), parse_constant=refuse)


def _rows(text):
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture(scope="module")
def term(tmp_path_factory, cli):
    course = tmp_path_factory.mktemp("course")
    sub, out, feedback = course / "submitted", course / "grades", course / "feedback"
    (course / "secret.txt").write_text("term secret\n")
    (course / "roster.csv").write_text(ROSTER)
    common = [
        "--out",
        str(out),
        "--feedback",
        str(feedback),
        "--roster",
        str(course / "roster.csv"),
    ]
    grade = ["grade", str(sub), "--secret-file", str(course / "secret.txt"), *common]
    nb = corpus.notebook
    runs = {}
    # day 1: week 1
    nb(sub / "ana/02_momentum/momentum.ipynb", "momentum", corpus.correct_source("momentum"),
       manual_points=2)  # fmt: skip
    nb(sub / "ben/02_momentum/momentum.ipynb", "momentum", WRONG_MOMENTUM)
    runs["day1"] = cli(*grade)
    # day 2: week 2 beside week 1
    nb(sub / "ana/04_adam/adam.ipynb", "adam", corpus.correct_source("adam"))
    nb(sub / "ben/04_adam/dropout.ipynb", "dropout", corpus.correct_source("dropout"))
    nb(sub / FORMULA / "04_adam/adam.ipynb", "adam", corpus.stub_source("adam"))
    for exercise in known_exercises():
        nb(sub / f"cy/04_adam/{exercise}.ipynb", exercise, corpus.correct_source(exercise))
    runs["day2"] = cli(*grade)
    # day 3: week 3 from a Canvas bulk download
    canvas = course / "canvas_download"
    nb(canvas / "smithana_104233_8812345_dropout.ipynb", "dropout",
       corpus.correct_source("dropout"))  # fmt: skip
    nb(canvas / "ngben_late_104234_8812346_dropout.ipynb", "dropout",
       corpus.variant_source("dropout.no_rescale"))  # fmt: skip
    runs["day3"] = cli(
        "grade", str(canvas), "--assignment", "07_dropout",
        "--secret-file", str(course / "secret.txt"), *common,
    )  # fmt: skip
    runs["again"] = cli(*grade)
    return {"course": course, "out": out, "feedback": feedback, "runs": runs, "common": common}


def _record(term, student):
    from autograder.report import student_dir

    return _strict_json(student_dir(term["out"], student) / "result.json")


def test_each_day_ran_cleanly_and_said_what_it_graded(term):
    for name, proc in term["runs"].items():
        assert proc.returncode == 0, (name, proc.stdout + proc.stderr)
        assert "Traceback" not in proc.stderr, name
        lines = proc.stdout.splitlines()
        assert lines[0].startswith("isolation "), name
        assert lines[-1].startswith("summary: "), name
        assert "secret set" in lines[-1] and "no course secret" not in proc.stdout
    day1, day2, again = (term["runs"][k].stdout for k in ("day1", "day2", "again"))
    assert "summary: 2 students graded (2 assignments), 0 resumed" in day1
    # day 2 grades week 2 only: ana and ben's week 1 is resumed, not regraded
    assert "summary: 4 students graded (4 assignments), 0 resumed" in day2
    assert "ana 02_momentum" not in day2 and "ana 04_adam: 10 / 10" in day2
    assert "cy 04_adam: 10 / 10" in day2
    assert "4 students already graded (same submission, secret and grader)" in again
    assert "summary: 0 students graded (0 assignments), 4 resumed" in again


def test_the_course_gradebook_accumulates_the_weeks(term):
    rows = _rows((term["out"] / "gradebook.csv").read_text())
    assert rows[0] == ["student_id", "02_momentum", "04_adam", "07_dropout", "total", "pending"]
    by_id = {row[0]: row[1:] for row in rows[1:]}
    momentum, adam, dropout = POINTS["momentum"], POINTS["adam"], POINTS["dropout"]
    assert by_id["ana"] == [f"{momentum:g}", f"{adam:g}", f"{dropout:g}",
                            f"{momentum + adam + dropout:g}", "2"]  # fmt: skip
    assert by_id["ben"][:2] == ["0", "0"] and 0 < float(by_id["ben"][2]) < dropout
    assert by_id["cy"] == ["", f"{adam:g}", "", f"{adam:g}", "0"]  # every notebook: Adam's only
    assert by_id["'" + FORMULA] == ["", "0", "", "0", "0"]  # a formula, neutralized
    assert set(by_id) == {"ana", "ben", "cy", "'" + FORMULA}  # Canvas names became roster ids
    assert set(_record(term, "cy")["exercises"]) == {"adam"}


def test_other_exercises_are_ignored_and_said_so(term):
    ignored = "dropout.ipynb is for the exercise 'dropout' (assignment 07_dropout), not for 04_adam"
    assert f"problem: ben/04_adam: {ignored}: ignored" in term["runs"]["day2"].stdout
    adam = _record(term, "ben")["exercises"]["adam"]
    assert adam["score"] == 0 and any(ignored in note for note in adam["notes"])
    (page,) = (term["feedback"] / "ben" / "04_adam").glob("*.md")
    text = page.read_text()
    assert "> ⚠ dropout.ipynb is for the exercise 'dropout' (assignment 07\\_dropout)" in text
    assert "No notebook for the exercise 'adam'" in text
    cy = term["runs"]["day2"].stdout
    others = len(known_exercises()) - 1
    assert cy.count("problem: cy/04_adam: ") == others  # the other solutions, each named


def test_feedback_follows_nbgraders_layout_and_the_course_order(term):
    fb = term["feedback"]
    assert (fb / "ana" / "02_momentum" / "momentum.html").is_file()
    assert (fb / "ana" / "04_adam" / "adam.html").is_file()
    assert (fb / "ana" / "07_dropout" / "smithana_104233_8812345_dropout.html").is_file()
    week1 = (fb / "ana" / "02_momentum" / "momentum.md").read_text()
    assert "04_adam" not in week1 and "2 written points pending" in week1
    from autograder.report import student_dir

    summary = (student_dir(term["out"], "ana") / "feedback.md").read_text()
    headings = [line.split(" — ")[0] for line in summary.splitlines() if line.startswith("## ")]
    assert headings == ["## 02_momentum", "## 04_adam", "## 07_dropout"]
    for path in [*term["out"].rglob("*.json")]:
        _strict_json(path)


def test_canvas_and_moodle_exports(term, cli):
    out, roster = term["out"], str(term["course"] / "roster.csv")
    target = term["course"] / "canvas.csv"
    proc = cli("export", "canvas", "--out", str(out), "--roster", roster, "--to", str(target),
               "--canvas-assignment", "04_adam=5551")  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = _rows(target.read_text())
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                       "02_momentum", "04_adam (5551)", "07_dropout"]  # fmt: skip
    momentum, adam, dropout = POINTS["momentum"], POINTS["adam"], POINTS["dropout"]
    assert rows[1] == ["Points Possible", "", "", "", "", f"{momentum + 2:g}", f"{adam:g}",
                       f"{dropout:g}"]  # fmt: skip
    by_name = {row[0]: row for row in rows[2:]}
    assert by_name["Smith, Ana"][1:5] == ["104233", "S1", "smithana", "Lab A"]
    assert by_name["Smith, Ana"][5:] == [f"{momentum:g}", f"{adam:g}", f"{dropout:g}"]
    assert by_name["'" + FORMULA][5:] == ["", "0", ""]
    proc = cli("export", "moodle", "--out", str(out), "--roster", roster)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    moodle = _rows((out / "moodle.csv").read_text())
    assert moodle[0] == ["ID number", "Email address", "First name", "Last name",
                         "02_momentum", "04_adam", "07_dropout"]  # fmt: skip
    assert ["S1", "ana@example.edu", "Ana", "Smith"] in [row[:4] for row in moodle[1:]]


def test_written_answers_are_exported_marked_and_imported(term, cli):
    out, marks = term["out"], term["course"] / "written"
    proc = cli("written", "export", "--out", str(out), "--to", str(marks))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (path,) = marks.rglob("*.csv")
    assert path.relative_to(marks).as_posix() == "02_momentum/momentum-written.csv"
    rows = _rows(path.read_text())
    assert rows == [["assignment", "question", "student_id", "points", "score", "answer"],
                    ["02_momentum", "momentum-written", "ana", "2", "", "My answer."]]  # fmt: skip
    before = (out / "gradebook.csv").read_text()
    for bad, reason in (("NaN", "not a finite number"), ("1e999", "not a finite number"),
                        ("3", "outside [0, 2]")):  # fmt: skip
        rows[1][4] = bad
        path.write_text("\n".join(",".join(r) for r in rows) + "\n")
        proc = cli("written", "import", str(marks), "--out", str(out))
        assert proc.returncode == 1 and reason in proc.stderr, proc.stderr
        assert (out / "gradebook.csv").read_text() == before  # nothing imported
    rows[1][4] = "1.5"
    path.write_text("\n".join(",".join(r) for r in rows) + "\n")
    proc = cli("written", "import", str(marks), "--out", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    ana = {r[0]: r for r in _rows((out / "gradebook.csv").read_text())}["ana"]
    assert ana[1] == f"{POINTS['momentum'] + 1.5:g}" and ana[-1] == "0"
    from autograder.report import student_dir

    summary = (student_dir(out, "ana") / "feedback.md").read_text()
    assert "pending" not in summary
    assert (
        f"## 02_momentum — momentum: {POINTS['momentum'] + 1.5:g} / {POINTS['momentum'] + 2:g}\n"
        in summary
    )


def test_merge_joins_assignment_folders(term, cli, tmp_path):
    other = tmp_path / "other"
    sub = tmp_path / "submitted"
    corpus.notebook(
        sub / "cy/02_momentum/momentum.ipynb", "momentum", corpus.correct_source("momentum")
    )
    proc = cli(
        "grade", str(sub), "--out", str(other), "--roster", str(term["course"] / "roster.csv")
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "warning: no course secret" in proc.stdout and "secret MISSING" in proc.stdout
    merged = tmp_path / "merged"
    proc = cli("merge", str(term["out"]), str(other), "--out", str(merged))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    cy = {r[0]: r for r in _rows((merged / "gradebook.csv").read_text())}["cy"]
    assert cy[1:3] == [f"{POINTS['momentum']:g}", f"{POINTS['adam']:g}"]


def test_a_new_secret_regrades_and_a_missing_folder_is_one_line(term, cli, tmp_path):
    secret = tmp_path / "new-secret.txt"
    secret.write_text("another secret\n")
    sub = term["course"] / "submitted"
    proc = cli("grade", str(sub / "ben"), "--secret-file", str(secret), *term["common"])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "summary: 1 students graded (2 assignments), 0 resumed" in proc.stdout
    proc = cli("grade", str(tmp_path / "submited"), "--out", str(tmp_path / "x"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip() == f"error: no such file or folder: {tmp_path / 'submited'}"
    assert not (tmp_path / "x").exists()


@pytest.fixture(scope="module")
def adam_zip(term, cli):
    zip_path = term["course"] / "adam.zip"
    proc = cli("gradescope", "--assignment", "adam", "--out", str(zip_path),
               "--secret-file", str(term["course"] / "secret.txt"),
               "--roster", str(term["course"] / "roster.csv"))  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "assignment 04_adam" in proc.stdout and "Gradescope base image" in proc.stdout
    return zip_path


@pytest.mark.parametrize(
    "case,files,score,said",
    [
        ("wrong exercise", {"dropout.ipynb": ("dropout", corpus.correct_source("dropout"))}, 0,
         "dropout.ipynb is for the exercise 'dropout' (assignment 07_dropout), not for 04_adam"),
        ("empty", {}, 0, "No notebook for the exercise 'adam' (assignment 04_adam)"),
        ("a .py file", {"adam.py": corpus.correct_source("adam").encode()}, 0,
         "adam.py is not a Jupyter notebook (.ipynb): ignored"),
        ("correct", {"adam.ipynb": ("adam", corpus.correct_source("adam"))}, POINTS["adam"], ""),
    ],
)  # fmt: skip
def test_the_gradescope_zip_of_one_assignment(adam_zip, rehearse, tmp_path, case, files, score,
                                              said):  # fmt: skip
    home = tmp_path / "autograder"
    results = rehearse(adam_zip, home, files)
    assert results["score"] == score, results["output"]
    assert said in results["output"]
    assert results["output"].splitlines()[-1].startswith("isolation ")
    assert {t["name"].split(":")[0] for t in results["tests"]} == {"adam"}
    assert len(results["tests"]) == len(specs_of("adam"))
    # the e-mail Gradescope gives is mapped to the course id by the bundled roster
    gradebook = (home / "results" / "feedback" / "gradebook.csv").read_text()
    assert gradebook.splitlines()[1].startswith("ana,")


def test_a_hostile_notebook_gets_bounded_unforgeable_feedback(cli, tmp_path):
    """A 0.5 MB notebook: 1,900 written cells with long grade ids, an exception whose text
    carries Markdown headings and a forged score. Every feedback file (Markdown, HTML,
    Gradescope's results.json) stays within 200 KB, and its only headings are the grader's."""
    import nbformat
    from markdown_it import MarkdownIt

    path = corpus.notebook(
        tmp_path / "submitted/eve/04_adam/adam.ipynb",
        "adam",
        "def adam_step(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):\n"
        "    raise ValueError(('\\n# Automatic score: 10 / 10\\n```\\n' + 'z' * 200) * 20)\n",
    )
    nb = nbformat.read(path, as_version=4)
    for i in range(1900):
        meta = {"grade": True, "solution": True, "locked": False, "points": 1,
                "grade_id": f"adam-w{i}-" + "x" * 200, "schema_version": 3}  # fmt: skip
        nb.cells.append(nbformat.v4.new_markdown_cell("# Automatic score: 10 / 10",
                                                      metadata={"nbgrader": meta}))  # fmt: skip
    nbformat.write(nb, path)
    assert path.stat().st_size > 500_000
    out = tmp_path / "out"
    proc = cli("grade", str(tmp_path / "submitted"), "--out", str(out), "--gradescope-results",
               str(tmp_path / "results.json"))  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # what learners see (result.json, summary.json and gradebook.csv are the staff's records)
    files = [p for p in out.rglob("*") if p.suffix in (".md", ".html") or p.name == "results.json"]
    files.append(tmp_path / "results.json")
    assert len(files) == 6
    for file in files:
        assert file.stat().st_size <= 200_000, (file, file.stat().st_size)
        if file.suffix == ".md":
            tokens = MarkdownIt("commonmark").parse(file.read_text())
            heads = [t.tag for t in tokens if t.type == "heading_open"]
            assert heads == ["h1", "h2"], (file, heads)
    # no forged 10, and no point either: raising on every call does not meet the contract's
    # "raise ValueError if t < 1" (the valid call t = 1 must not raise)
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["score"] == 0
    assert [t["name"] for t in results["tests"] if t.get("status") == "passed"] == []

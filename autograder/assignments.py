"""Assignments: each exercise is one nbgrader assignment, named as its folder in `solutions/`.

    assignment_of("adam") == "04_adam"      exercise_of("04_adam") == "adam"
    resolve("adam") == resolve("04_adam") == "04_adam"

`ASSIGNMENTS` is the course order (the order of the folders `solutions/NN_<exercise>/`, which a
test keeps equal to this tuple); feedback and gradebooks list exercises in this order. The
package carries the names itself because the Gradescope image has no `solutions/`.
"""

from __future__ import annotations

ASSIGNMENTS: tuple[str, ...] = (
    "01_hessian",
    "02_momentum",
    "03_rmsprop",
    "04_adam",
    "05_batchnorm",
    "06_he_init",
    "07_dropout",
    "08_adagrad",
    "09_lr_schedule",
    "10_softmax_cross_entropy",
    "11_layernorm",
    "12_diagnose",
    "13_repair",
)


def exercise_of(assignment: str) -> str:
    """`04_adam` → `adam` (the exercise name of the check module and the notebook metadata)."""
    return assignment.split("_", 1)[1]


_BY_EXERCISE = {exercise_of(a): a for a in ASSIGNMENTS}


def assignment_of(exercise: str) -> str:
    """`adam` → `04_adam`; an exercise the course does not know keeps its own name."""
    return _BY_EXERCISE.get(exercise, exercise)


def resolve(name: str) -> str:
    """The assignment named `name` (`04_adam` or `adam`); ValueError listing the known names."""
    if name in ASSIGNMENTS:
        return name
    if name in _BY_EXERCISE:
        return _BY_EXERCISE[name]
    raise ValueError(f"unknown assignment {name!r}; the assignments are: {', '.join(ASSIGNMENTS)}")


def course_order(exercise: str) -> tuple[int, str]:
    """Sort key: exercises in the order of their assignments, unknown ones last."""
    assignment = assignment_of(exercise)
    index = ASSIGNMENTS.index(assignment) if assignment in ASSIGNMENTS else len(ASSIGNMENTS)
    return index, exercise

"""Grades to and from a learning management system: the roster (LMS identities → course student
ids), gradebook exports (Canvas, Moodle, plain CSV) and the written answers marked by hand.

    python -m autograder export canvas --out grades/ --roster roster.csv > canvas.csv
    python -m autograder written export --out grades/ --to written/
    python -m autograder written import written/ --out grades/
"""

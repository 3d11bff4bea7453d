"""Templates of the Gradescope autograder zip (`python -m autograder gradescope`)."""

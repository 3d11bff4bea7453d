#!/usr/bin/env bash
# Gradescope runs this once when it builds the autograder image (Ubuntu, as root).
# It installs Python and the course package (which brings the grader, torch CPU and numpy).
set -euo pipefail
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    python3 python3-pip python3-venv > /dev/null
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install --quiet --upgrade pip
# CPU wheels of torch: Gradescope machines have no GPU.
/autograder/venv/bin/pip install --quiet --index-url https://download.pytorch.org/whl/cpu torch
/autograder/venv/bin/pip install --quiet /autograder/source/course

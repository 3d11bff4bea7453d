#!/usr/bin/env bash
# Gradescope runs this once when it builds the autograder image, as root.
# Base image: Gradescope's "Ubuntu 22.04" (or any Debian/Ubuntu with apt); Python 3.11 is
# installed from the deadsnakes PPA when the image lacks it, because requirements.lock pins
# the versions the course is tested with on Python 3.11.
# The environment is the locked one: torch from PyTorch's CPU index at the locked version
# (Gradescope machines have no GPU), every other package at its requirements.lock version,
# then the course package without dependencies.
set -euo pipefail
SOURCE=/autograder/source
apt-get update -qq
if ! command -v python3.11 > /dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        software-properties-common > /dev/null
    add-apt-repository -y ppa:deadsnakes/ppa > /dev/null
    apt-get update -qq
fi
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    python3.11 python3.11-venv > /dev/null
python3.11 -m venv /autograder/venv
PIP=(/autograder/venv/bin/pip install --quiet --disable-pip-version-check)
TORCH=$(grep -E '^torch==' "$SOURCE/course/requirements.lock")
"${PIP[@]}" --index-url https://download.pytorch.org/whl/cpu "$TORCH"
"${PIP[@]}" -r "$SOURCE/course/requirements.lock"
"${PIP[@]}" --no-deps "$SOURCE/course"

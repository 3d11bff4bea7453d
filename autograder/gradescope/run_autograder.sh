#!/usr/bin/env bash
# Gradescope runs this for every submission: grade /autograder/submission in the sandbox and
# write /autograder/results/results.json (the CLI writes it atomically).
set -uo pipefail
cd /autograder
STUDENT=$(/autograder/venv/bin/python - <<'PY'
import json
try:
    meta = json.load(open("/autograder/submission_metadata.json"))
    users = meta.get("users") or [{}]
    print(users[0].get("email") or users[0].get("name") or meta.get("id") or "student")
except Exception:
    print("student")
PY
)
SECRET=()
if [ -f /autograder/source/secret.txt ]; then SECRET=(--secret-file /autograder/source/secret.txt); fi
/autograder/venv/bin/python -m autograder grade /autograder/submission \
    --student-id "$STUDENT" "${SECRET[@]}" \
    --out /autograder/results/feedback \
    --gradescope-results /autograder/results/results.json

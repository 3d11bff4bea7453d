#!/usr/bin/env bash
# Gradescope runs this for every submission: grade $HOME_DIR/submission in the sandbox and
# write $HOME_DIR/results/results.json (the CLI writes it atomically). HOME_DIR is /autograder
# on Gradescope ($AUTOGRADER_HOME, for a rehearsal elsewhere). The learner's code may read
# neither the course sources nor the secret under source/ (--hide).
set -uo pipefail
HOME_DIR=${AUTOGRADER_HOME:-/autograder}
cd "$HOME_DIR"
STUDENT=$("$HOME_DIR/venv/bin/python" - "$HOME_DIR/submission_metadata.json" <<'PY'
import json, sys
try:
    meta = json.load(open(sys.argv[1]))
    users = meta.get("users") or [{}]
    print(users[0].get("email") or users[0].get("name") or meta.get("id") or "student")
except Exception:
    print("student")
PY
)
SECRET=()
if [ -f "$HOME_DIR/source/secret.txt" ]; then SECRET=(--secret-file "$HOME_DIR/source/secret.txt"); fi
"$HOME_DIR/venv/bin/python" -m autograder grade "$HOME_DIR/submission" \
    --student-id "$STUDENT" "${SECRET[@]}" --hide "$HOME_DIR/source" \
    --out "$HOME_DIR/results/feedback" \
    --gradescope-results "$HOME_DIR/results/results.json"

#!/usr/bin/env bash
# Gradescope runs this for every submission: grade $HOME_DIR/submission for this zip's
# assignment (source/assignment.txt) in the sandbox and write $HOME_DIR/results/results.json.
# HOME_DIR is /autograder on Gradescope ($AUTOGRADER_HOME, for a rehearsal elsewhere).
# results.json is always written: a submission with nothing gradable scores 0 with the reason,
# and should the grader itself fail, a 0 that says so (never Gradescope's "autograder failed").
set -uo pipefail
HOME_DIR=${AUTOGRADER_HOME:-/autograder}
PY="$HOME_DIR/venv/bin/python"
RESULTS="$HOME_DIR/results/results.json"
cd "$HOME_DIR"
ASSIGNMENT=$(cat "$HOME_DIR/source/assignment.txt")
STUDENT=$("$PY" - "$HOME_DIR/submission_metadata.json" <<'PY'
import json, sys
try:
    meta = json.load(open(sys.argv[1]))
    users = meta.get("users") or [{}]
    print(users[0].get("email") or users[0].get("name") or meta.get("id") or "student")
except Exception:
    print("student")
PY
)
OPTIONS=()
if [ -f "$HOME_DIR/source/secret.txt" ]; then OPTIONS+=(--secret-file "$HOME_DIR/source/secret.txt"); fi
if [ -f "$HOME_DIR/source/roster.csv" ]; then OPTIONS+=(--roster "$HOME_DIR/source/roster.csv"); fi
# Without CAP_SYS_ADMIN (Gradescope's Docker) the children cannot get a private mount namespace;
# they still run under uids of their own, so what they must not read is made unreadable to
# other users: the strongest fallback that environment allows (autograder.isolation).
chmod -R go-rwx "$HOME_DIR/source" "$HOME_DIR/results" 2> /dev/null || true
mkdir -p "$HOME_DIR/results"
"$PY" -m autograder grade "$HOME_DIR/submission" --assignment "$ASSIGNMENT" \
    --student-id "$STUDENT" "${OPTIONS[@]}" --hide "$HOME_DIR/source" \
    --out "$HOME_DIR/results/feedback" --gradescope-results "$RESULTS"
STATUS=$?
if [ ! -s "$RESULTS" ]; then
    "$PY" - "$RESULTS" "$STATUS" <<'PY'
import json, sys
message = (f"The grader failed (exit status {sys.argv[2]}) before scoring this submission: "
           "0 points for now. Tell the course staff; nothing is wrong with your code yet.")
json.dump({"score": 0, "output": message, "tests": []}, open(sys.argv[1], "w"))
PY
fi
exit 0

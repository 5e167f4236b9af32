#!/usr/bin/env bash
# Fails when a code block of README.md marked `<!-- embed: PATH -->` differs from PATH,
# so the examples in the README are the ones the test suites compile and run.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 - <<'PY'
import re, sys
text = open("README.md", encoding="utf-8").read()
bad = 0
found = re.findall(r"<!-- embed: (\S+) -->\n```[a-z]*\n(.*?)\n```", text, re.S)
for path, body in found:
    want = open(path, encoding="utf-8").read().rstrip("\n")
    if body != want:
        print(f"check-readme: the README's copy of {path} differs from the file", file=sys.stderr)
        bad += 1
if not found:
    print("check-readme: no embedded examples found", file=sys.stderr)
    bad += 1
print(f"check-readme: {len(found)} embedded examples, {bad} stale")
sys.exit(1 if bad else 0)
PY

#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""tests/interop/gpg-drive.py: run gpg with --command-fd/--status-fd and answer its questions.

usage: gpg-drive.py KEYWORD=ANSWER[,ANSWER...] ... -- GPG-ARGS...

Every GET_LINE / GET_BOOL / GET_HIDDEN status line names a keyword (e.g. cardedit.prompt,
keygen.valid); it is answered with the next answer given for that keyword. A question without
an answer left ends gpg (exit status 3), so a changed dialogue fails instead of hanging. An
empty answer is written as "" (e.g. keygen.comment=). The exit status is gpg's; the questions
and answers go to stderr.
"""
import os
import subprocess
import sys


def main(argv):
    if "--" not in argv:
        print(__doc__, file=sys.stderr)
        return 2
    sep = argv.index("--")
    answers = {}
    for spec in argv[1:sep]:
        key, _, values = spec.partition("=")
        answers.setdefault(key, []).extend(values.split(",") if values else [""])
    status_r, status_w = os.pipe()
    cmd = ["gpg", "--status-fd", str(status_w), "--command-fd", "0", "--no-tty"] + argv[sep + 1:]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, pass_fds=(status_w,), text=True)
    os.close(status_w)
    failed = False
    with os.fdopen(status_r) as status:
        for line in status:
            parts = line.split()
            if len(parts) < 3 or parts[0] != "[GNUPG:]" or not parts[1].startswith("GET_"):
                continue
            queue = answers.get(parts[2], [])
            if not queue:
                print("gpg-drive: no answer for %s" % parts[2], file=sys.stderr)
                failed = True
                proc.stdin.close()
                proc.kill()
                break
            answer = queue.pop(0)
            print("gpg-drive: %s -> %s" % (parts[2], answer), file=sys.stderr)
            try:
                proc.stdin.write(answer + "\n")
                proc.stdin.flush()
            except BrokenPipeError:
                break
    rc = proc.wait()
    return 3 if failed else rc


if __name__ == "__main__":
    sys.exit(main(sys.argv))

"""Start one program in its own session and exit at once, printing its pid.

Run as ``python -m rcm_devstack._detach SPEC_JSON``. The program ends up a child of init
(or of the nearest subreaper), not of the Python process that asked for it, so it keeps
running after ``rcm stack up`` returns, leaves no zombie behind in a long-lived caller, and
is not hit by a Ctrl-C aimed at the caller's terminal.
"""

from __future__ import annotations

import json
import os
import pwd
import subprocess
import sys


def main(spec_json: str) -> None:
    spec = json.loads(spec_json)
    user: str | None = spec.get("user")
    group: str | int | None = spec.get("group")
    if user is not None and group is None:
        # Without an explicit group the child would keep root's gid.
        group = pwd.getpwnam(user).pw_gid
    with open(spec["log"], "ab") as log:
        process = subprocess.Popen(
            spec["argv"],
            cwd=spec["cwd"],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
            user=user,
            group=group,
            extra_groups=[] if user is not None else None,
        )
    sys.stdout.write(f"{process.pid}\n")
    sys.stdout.flush()
    # os._exit: Popen's finaliser would otherwise warn that the child is still running,
    # which is exactly what we want here.
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1])

"""``python -m rcm_devstack up|down|status``: the local stack for scripts that run before the
rcm CLI is installed. ``up`` prints the endpoints as KEY=value lines."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rcm_devstack.errors import StackError
from rcm_devstack.stack import LocalStack


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rcm_devstack", description=__doc__)
    parser.add_argument("command", choices=["up", "down", "status"])
    parser.add_argument(
        "--home",
        type=Path,
        default=None,
        help="state directory (default: $RCM_HOME or <workspace>/.rcm)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=120.0,
        help="seconds to wait for readiness (up) or graceful stop (down)",
    )
    args = parser.parse_args(argv)
    try:
        stack = LocalStack(args.home)
        if args.command == "up":
            endpoints = stack.up(timeout=args.timeout)
            for key, value in endpoints.as_env().items():
                print(f"{key}={value}")
            return 0
        if args.command == "down":
            stack.down(timeout=args.timeout)
            print(f"local stack in {stack.home} stopped")
            return 0
        status = stack.status()
        print(status)
        return 0 if status.running else 3  # 3 = "not running", as in LSB init scripts
    except StackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

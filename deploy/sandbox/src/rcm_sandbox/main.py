"""``rcm-sandbox`` console script: serve the sandbox with uvicorn from SANDBOX_* settings."""

from __future__ import annotations

import sys

import uvicorn
from pydantic import ValidationError

from rcm_sandbox.bootstrap import create_app
from rcm_sandbox.settings import SandboxSettings


def run() -> None:
    """Read settings (failing fast with the variable named), then serve until stopped."""
    try:
        settings = SandboxSettings()
    except ValidationError as exc:
        print(f"rcm-sandbox: invalid settings:\n{exc}", file=sys.stderr)
        raise SystemExit(2) from exc
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")


if __name__ == "__main__":
    run()

"""``rcm-sandbox`` console script: serve the sandbox with uvicorn from SANDBOX_* settings."""

from __future__ import annotations

import sys

import uvicorn
from pydantic import ValidationError
from rcm_shared.logs import configure_logging

from rcm_sandbox.bootstrap import create_app
from rcm_sandbox.settings import SandboxSettings


def run() -> None:
    """Read settings (failing fast with the variable named), then serve until stopped."""
    try:
        settings = SandboxSettings()
    except ValidationError as exc:
        # Never echo the input: SANDBOX_CLIENT_TOKENS holds secrets.
        lines = [f"  SANDBOX_{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
                 for err in exc.errors(include_input=False, include_url=False)]
        print("rcm-sandbox: invalid settings:\n" + "\n".join(lines), file=sys.stderr)
        raise SystemExit(2) from None
    configure_logging("INFO", service="sandbox")
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info", log_config=None)


if __name__ == "__main__":
    run()

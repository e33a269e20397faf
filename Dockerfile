# One image for the whole workspace; the command picks the process:
#   rcm-eligibility | rcm-coding | rcm-claims | rcm-payments | rcm-sandbox
# Each service entrypoint runs its own Alembic migrations before serving (RUN_MIGRATIONS,
# default true), so no separate migration job is needed.
#
#   docker build -t rcm-platform .
#   docker run --rm -e ... rcm-platform rcm-claims
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH=/opt/venv/bin:$PATH

# uv from PyPI (the workspace's lock was made with uv 0.13).
RUN pip install --no-cache-dir "uv>=0.13,<0.14"

WORKDIR /app

# Dependencies first, in their own layer: it is rebuilt only when a pyproject or the lock
# changes, not on every source edit.
COPY pyproject.toml uv.lock ./
COPY shared/pyproject.toml shared/
COPY shared/x12/pyproject.toml shared/x12/
COPY services/eligibility/pyproject.toml services/eligibility/
COPY services/coding/pyproject.toml services/coding/
COPY services/claims/pyproject.toml services/claims/
COPY services/payments/pyproject.toml services/payments/
COPY deploy/sandbox/pyproject.toml deploy/sandbox/
COPY deploy/local/pyproject.toml deploy/local/
COPY cli/pyproject.toml cli/
RUN uv sync --frozen --all-packages --no-dev --no-install-workspace

# Sources, copied by directory (not `COPY . .`) so a developer's .venv, .rcm state and
# caches never enter the image.
COPY shared shared
COPY services services
COPY deploy/sandbox deploy/sandbox
COPY deploy/local deploy/local
COPY cli cli
RUN uv sync --frozen --all-packages --no-dev \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin rcm \
    && mkdir -p /data \
    && chown rcm /data

USER rcm
# The coding service's code-set store (rcm codesets import ... writes it): the packaged ICD-10-CM
# release's prebuilt index is built into the image, so a start reads it (0.3 s) even on a
# read-only root file system; mount a volume here to import further releases.
ENV CODESETS_DIR=/data/codesets
RUN rcm codesets prebuild
# Listen on all interfaces inside the container (the settings default to loopback).
ENV HTTP_HOST=0.0.0.0 \
    HTTP_PORT=8000 \
    SANDBOX_HOST=0.0.0.0 \
    SANDBOX_PORT=8080 \
    SANDBOX_DATA_DIR=/data
EXPOSE 8000 8080

# No default service: the command says which one to run.
CMD ["sh", "-c", "echo 'choose a command: rcm-eligibility, rcm-coding, rcm-claims, rcm-payments or rcm-sandbox' >&2; exit 64"]

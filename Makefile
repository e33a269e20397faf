# The two commands of the README. Each installs what it needs (uv from PyPI, then the
# locked workspace), so they work on a fresh machine with Python 3.11, Java 17 and Maven.
.PHONY: setup demo test lint

setup:
	@python3 -m pip install --quiet --disable-pip-version-check "uv>=0.5"
	@uv sync --all-packages --frozen --quiet
	@uv run --quiet rcm codesets prebuild

demo: setup
	uv run rcm demo

test: setup
	uv run pytest

lint: setup
	uv run ruff check .
	uv run mypy
	uv run lint-imports

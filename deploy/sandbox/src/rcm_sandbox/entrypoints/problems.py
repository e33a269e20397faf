"""The sandbox's one problem of its own: a refused interchange (400, problem+json), which keeps
the ``X-Sandbox-Result`` header of the X12 answers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request, Response
from rcm_shared.web import PROBLEM_MEDIA_TYPE, ProblemError, problem_response
from rcm_x12.errors import X12Issue

from rcm_sandbox.entrypoints.schemas import X12IssueOut, X12Problem


class X12ProblemError(ProblemError):
    """Raise to refuse an interchange: ``issues`` and ``acknowledgement`` become extension members."""

    def __init__(
        self,
        detail: str,
        *,
        kind: str,
        issues: Sequence[X12Issue] = (),
        acknowledgement: str | None = None,
        result: str | None = "rejected",
    ) -> None:
        extensions: dict[str, Any] = {"error": detail, "issues": [issue_out(i).model_dump() for i in issues]}
        if acknowledgement is not None:
            extensions["acknowledgement"] = acknowledgement
        super().__init__(400, detail, kind=kind, extensions=extensions)
        self.headers = {"X-Sandbox-Result": result} if result is not None else {}


def issue_out(issue: X12Issue) -> X12IssueOut:
    """An issue as the API shows it (without the bad value: it may be patient data)."""
    return X12IssueOut(
        segment_position=issue.segment_position,
        segment_id=issue.segment_id,
        element=issue.element_position,
        reason=issue.reason,
        code=issue.code,
        level=issue.level,
    )


X12_PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {
        "description": "the interchange cannot be answered (unreadable, envelope errors, a transaction set "
                       "the sandbox does not take, or a 270/276 with errors)",
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/X12Problem"}}},
    }
}


def install_x12_problems(app: FastAPI) -> None:
    """Answer :class:`X12ProblemError` as problem+json with its headers, and put the
    :class:`X12Problem` schema in the OpenAPI components (after ``document_problems``)."""

    async def on_x12_problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, X12ProblemError)
        response = problem_response(exc.problem)
        response.headers.update(exc.headers)
        return response

    app.add_exception_handler(X12ProblemError, on_x12_problem)
    documented = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = documented()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        x12_problem = X12Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, definition in x12_problem.pop("$defs", {}).items():
            components.setdefault(name, definition)
        components.setdefault("X12Problem", x12_problem)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to customise the schema

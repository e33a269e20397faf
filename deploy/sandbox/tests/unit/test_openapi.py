"""The OpenAPI documents every route: a typed success answer, problem+json errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rcm_sandbox.bootstrap import create_app
from rcm_sandbox.settings import SandboxSettings

ROUTES = {
    ("/v1/x12", "post"),
    ("/v1/mailbox", "get"),
    ("/v1/remittances/flush", "post"),
    ("/v1/stats", "get"),
    ("/v1/claims", "get"),
    ("/healthz", "get"),
}


def openapi(tmp_path: Path) -> dict[str, Any]:
    # No lifespan: building the document opens no storage.
    spec: dict[str, Any] = create_app(SandboxSettings(data_dir=tmp_path)).openapi()
    return spec


def typed(schema: dict[str, Any], schemas: dict[str, Any]) -> bool:
    """True for a schema that says something: a model with properties, an array of such, a scalar."""
    while "$ref" in schema:
        schema = schemas[schema["$ref"].rsplit("/", 1)[-1]]
    if schema.get("type") == "array":
        return typed(schema["items"], schemas)
    if schema.get("type") == "object" or "properties" in schema:
        return bool(schema.get("properties"))
    return schema.get("type") in {"string", "integer", "number", "boolean"}


def test_every_route_documents_a_typed_success_answer(tmp_path: Path) -> None:
    spec = openapi(tmp_path)
    schemas = spec["components"]["schemas"]
    operations = {(path, method): op for path, ops in spec["paths"].items() for method, op in ops.items()}
    assert set(operations) == ROUTES
    for (path, method), op in operations.items():
        success = [op["responses"][code] for code in ("200", "201") if code in op["responses"]]
        assert success, f"{method} {path} documents no success answer"
        for response in success:
            assert response.get("content"), f"{method} {path}: success answer without content"
            for media_type, body in response["content"].items():
                assert typed(body.get("schema", {}), schemas), f"{method} {path} {media_type}: untyped schema"


def test_errors_are_documented_as_problem_details(tmp_path: Path) -> None:
    spec = openapi(tmp_path)
    schemas = spec["components"]["schemas"]
    assert "HTTPValidationError" not in schemas  # FastAPI's default 422 body is never sent
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            for code, response in op["responses"].items():
                if code.startswith("4"):
                    ref = response["content"]["application/problem+json"]["schema"]["$ref"]
                    problem = schemas[ref.rsplit("/", 1)[-1]]
                    assert {"type", "title", "status", "detail"} <= set(problem["properties"]), (method, path, code)
    x12 = spec["paths"]["/v1/x12"]["post"]
    # Every route but /healthz needs a client token: its 401 and 403 are problems too.
    assert set(x12["responses"]) == {"200", "400", "401", "403"}
    assert {"issues", "acknowledgement"} <= set(schemas["X12Problem"]["properties"])
    assert set(spec["paths"]["/v1/mailbox"]["get"]["responses"]) == {"200", "401", "403", "422"}
    assert set(spec["paths"]["/healthz"]["get"]["responses"]) == {"200"}


def test_the_x12_route_takes_and_answers_application_edi_x12(tmp_path: Path) -> None:
    x12 = openapi(tmp_path)["paths"]["/v1/x12"]["post"]
    assert list(x12["requestBody"]["content"]) == ["application/edi-x12"]
    assert list(x12["responses"]["200"]["content"]) == ["application/edi-x12"]
    assert "X-Sandbox-Result" in x12["responses"]["200"]["headers"]

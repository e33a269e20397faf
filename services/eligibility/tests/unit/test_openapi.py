"""Every route of the eligibility API is typed in its OpenAPI."""

from __future__ import annotations

from typing import Any

from rcm_eligibility.bootstrap import create_app
from rcm_eligibility.config import EligibilitySettings

SETTINGS = EligibilitySettings(database_url="postgresql://rcm:synthetic@localhost:5432/rcm_eligibility",
                               kafka_bootstrap_servers="localhost:9092", sandbox_url="http://localhost:8088")
EXPECTED = {("post", "/v1/eligibility/checks"), ("get", "/v1/eligibility/encounters/{encounter_id}"),
            ("get", "/v1/eligibility/summary")}


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _is_typed(schema: dict[str, Any], components: dict[str, Any]) -> bool:
    """A schema that says something: an object with properties, a typed array or map, or a scalar type."""
    schema = _resolve(schema, components)
    if schema.get("type") == "array":
        return _is_typed(schema.get("items", {}), components)
    if schema.get("type") == "object" or "properties" in schema:
        extra = schema.get("additionalProperties")
        return bool(schema.get("properties")) or (isinstance(extra, dict) and _is_typed(extra, components))
    return schema.get("type") in {"string", "integer", "number", "boolean"}


def test_every_route_declares_a_typed_success_response_and_problem_errors() -> None:
    spec = create_app(SETTINGS).openapi()
    components = spec["components"]["schemas"]
    routes = {(method, path): op for path, ops in spec["paths"].items() for method, op in ops.items()}
    assert set(routes) >= EXPECTED
    for (method, path), op in routes.items():
        if path == "/metrics":
            continue  # Prometheus text, typed as a string by the shared shell
        success = op["responses"].get("200") or op["responses"].get("201")
        assert success is not None, f"{method} {path}: no 200/201 response"
        schema = success["content"]["application/json"]["schema"]
        assert _is_typed(schema, components), f"{method} {path}: untyped success response {schema}"
        for status, answer in op["responses"].items():
            if status.startswith(("4", "5")) and path.startswith("/v1/"):
                assert "application/problem+json" in answer["content"], f"{method} {path} {status} is not a problem"


def test_the_answers_document_their_fields() -> None:
    components = create_app(SETTINGS).openapi()["components"]["schemas"]
    check = components["CoverageCheckPublic"]["properties"]
    assert {"encounter_id", "status", "copay", "coinsurance_percent", "deductible_remaining",
            "out_of_pocket_remaining", "rejection_codes", "checked_at"} <= set(check)
    assert set(components["CoverageSummary"]["properties"]) == {"active", "inactive", "rejected"}

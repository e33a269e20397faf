"""The HTTP shell every service shares: lifespan, /healthz, /readyz, /metrics, bearer-token
authorization (one dependency per route, :func:`requires`), and one error shape (RFC 9457
problem details, ``application/problem+json``).

Routes live in each service; this only builds the app around a runtime that the
service's bootstrap creates inside the lifespan (nothing is built at import time).
Every route declares a pydantic response model; errors are :class:`Problem` bodies, with
field errors that name the field and never echo the input (it may hold patient data).
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from http import HTTPStatus
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Request, Response, Security
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from rcm_shared.audit import record_phi_read
from rcm_shared.auth import (
    AuthenticationError,
    Authenticator,
    IdentityProviderUnavailableError,
    Permission,
    Principal,
    roles_with,
)
from rcm_shared.db.uow import MessagingUnitOfWork
from rcm_shared.messaging.runtime import ServiceRuntime
from rcm_shared.phi.keyring import PhiKeyShreddedError

PROBLEM_MEDIA_TYPE = "application/problem+json"
_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


class FieldError(BaseModel):
    """One invalid input field: where it is and what is wrong (never its value)."""

    field: str = Field(description="dotted location, e.g. body.lines.0.units or query.limit")
    message: str
    type: str = Field(description="machine-readable error kind, e.g. missing, too_long, greater_than")


class Problem(BaseModel):
    """RFC 9457 problem details: every error every service answers.

    Extension members (RFC 9457 section 3.2) carry structured specifics, e.g. the failed
    coding edits of a review close as ``edit_failures``.
    """

    model_config = ConfigDict(extra="allow")

    type: str = Field(default="about:blank", description="a URI naming the kind of problem")
    title: str
    status: int
    detail: str | None = None
    errors: list[FieldError] = Field(default_factory=list)


class ProblemError(Exception):
    """Raise from a route to answer with a problem: ``ProblemError(404, "claim not found", ...)``."""

    def __init__(
        self, status: int, detail: str, *, kind: str | None = None, errors: Sequence[FieldError] = (),
        extensions: Mapping[str, Any] | None = None, headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.headers = dict(headers or {})
        self.problem = Problem(
            type=f"urn:rcm:problem:{kind}" if kind else "about:blank",
            title=HTTPStatus(status).phrase, status=status, detail=detail, errors=list(errors),
            **dict(extensions or {}),
        )


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries documenting the problem answers of a route."""
    # Only the problem media type: the Problem schema is added to the components by
    # create_service_app's OpenAPI hook.
    return {
        status: {"description": HTTPStatus(status).phrase,
                 "content": {PROBLEM_MEDIA_TYPE: {"schema": _PROBLEM_REF}}}
        for status in statuses
    }


def problem_response(problem: Problem, headers: Mapping[str, str] | None = None) -> JSONResponse:
    """A problem as an HTTP response."""
    return JSONResponse(problem.model_dump(mode="json"), status_code=problem.status, media_type=PROBLEM_MEDIA_TYPE,
                        headers=dict(headers or {}))


def field_errors(errors: Sequence[Any]) -> list[FieldError]:
    """pydantic/FastAPI error dicts as field errors, without their input values."""
    return [FieldError(field=".".join(str(p) for p in e.get("loc", ())) or "<root>", message=str(e.get("msg", "")),
                       type=str(e.get("type", "value_error")))
            for e in errors]


def install_problem_handlers(app: FastAPI) -> None:
    """Answer every error of ``app`` as problem details."""

    async def on_problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ProblemError)
        return problem_response(exc.problem, exc.headers)

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        # A structured detail (a mapping) becomes extension members of the problem.
        detail = exc.detail if isinstance(exc.detail, str) else None
        extensions = exc.detail if isinstance(exc.detail, Mapping) else {}
        return problem_response(Problem(title=HTTPStatus(exc.status_code).phrase, status=exc.status_code,
                                        detail=detail, **extensions), exc.headers)

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        errors = field_errors(exc.errors())
        return problem_response(Problem(type="urn:rcm:problem:invalid-input", title="Unprocessable Content",
                                        status=422, detail=f"{len(errors)} invalid field(s)", errors=errors))

    async def on_shredded(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PhiKeyShreddedError)
        # Forgotten on purpose (crypto-shredding): gone for good, and said so rather than a 500.
        return problem_response(Problem(type="urn:rcm:problem:phi-shredded", title="Gone", status=410,
                                        detail="this record's protected health information was erased (its "
                                        "patient's data key was shredded)"))

    app.add_exception_handler(ProblemError, on_problem)
    app.add_exception_handler(PhiKeyShreddedError, on_shredded)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(RequestValidationError, on_validation)


# ------------------------------------------------------------------ authorization
_bearer = HTTPBearer(auto_error=False, scheme_name="bearer",
                     description="OAuth2 access token (JWT) of the identity provider; in development "
                                 "`rcm login --user NAME --role ROLE` prints one")


def _unauthorized(detail: str) -> ProblemError:
    return ProblemError(401, detail, kind="unauthorized",
                        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


@functools.cache
def requires(permission: Permission) -> Any:
    """The dependency a route declares (``dependencies=[requires(Permission.X)]``): a valid bearer
    token (401 otherwise) whose roles grant ``permission`` (403 otherwise). The principal is then
    available to the route as :data:`PrincipalDep`. Cached per permission, so a route resolves it once.
    """

    # The scope lands in the operation's OpenAPI security requirement, where the schema hook reads it.
    # (A default, not Annotated: the annotation must resolve from module globals, the scope is local.)
    async def authorize(
        request: Request,
        credentials: HTTPAuthorizationCredentials | None = Security(_bearer, scopes=[permission.value]),  # noqa: B008
    ) -> Principal:
        if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
            raise ProblemError(401, "a bearer token is required (Authorization: Bearer <token>)",
                               kind="unauthorized", headers={"WWW-Authenticate": "Bearer"})
        authenticator: Authenticator = request.app.state.authenticator
        try:
            principal = await authenticator.verify(credentials.credentials)
        except AuthenticationError as exc:
            raise _unauthorized(exc.reason) from None
        except IdentityProviderUnavailableError as exc:
            raise ProblemError(503, str(exc), kind="identity-provider-unavailable",
                               headers={"Retry-After": "5"}) from None
        if not principal.allows(permission):
            allowed = ", ".join(r.value for r in roles_with(permission)) or "none of the platform's roles"
            raise ProblemError(403, f"this needs the permission {permission.value}, which the roles {allowed} grant",
                               kind="forbidden", extensions={"permission": permission.value})
        request.state.principal = principal
        return principal

    return Depends(authorize)


def current_principal(request: Request) -> Principal:
    """The caller that :func:`requires` authorized for this request."""
    principal: Principal | None = getattr(request.state, "principal", None)
    if principal is None:
        raise RuntimeError("route reads the principal but declares no requires(...) dependency")
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]


@dataclass(frozen=True)
class PhiReads:
    """Records the reads of patient data this request answers with (who, which record, which route)."""

    principal: Principal
    service: str
    route: str

    async def record(self, uow: MessagingUnitOfWork, resource: str, resource_ids: Sequence[str]) -> None:
        """Queue the ``PhiAccessed`` events on ``uow`` (an entered unit of work; the route commits)."""
        await record_phi_read(uow, self.principal, service=self.service, resource=resource,
                              resource_ids=resource_ids, route=self.route)


def phi_reads(request: Request, principal: PrincipalDep) -> PhiReads:
    route = request.scope.get("route")
    return PhiReads(principal, str(request.app.state.service), f"{request.method} {getattr(route, 'path', '?')}")


PhiReadsDep = Annotated[PhiReads, Depends(phi_reads)]


def install_api_docs(app: FastAPI, *, permission: Permission = Permission.API_DOCS) -> None:
    """``/openapi.json`` and ``/docs`` behind a token like every other route (FastAPI's own are
    off: they answer anyone)."""

    @app.get("/openapi.json", include_in_schema=False, dependencies=[requires(permission)])
    async def openapi_document() -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False, dependencies=[requires(permission)])
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title=f"{app.title} - API")


class Health(BaseModel):
    """Liveness."""

    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    """Readiness: each dependency's check ('ok' or why not), and warnings that do not make the
    service unready but need an operator (e.g. no code set for today's dates of service)."""

    status: Literal["ok", "unavailable"]
    checks: dict[str, str]
    warnings: dict[str, str] = Field(default_factory=dict,
                                     description="name: what needs an operator (the service stays ready)")


def get_runtime(request: Request) -> ServiceRuntime[Any]:
    """The running service's runtime (set by the lifespan)."""
    runtime: ServiceRuntime[Any] = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[ServiceRuntime[Any], Depends(get_runtime)]

Bootstrap = Callable[[FastAPI], Awaitable[tuple[ServiceRuntime[Any], Callable[[], Awaitable[None]]]]]
ReadinessWarnings = Callable[[FastAPI], Mapping[str, str]]


def create_service_app(
    *, service: str, title: str, description: str, bootstrap: Bootstrap, authenticator: Authenticator,
    routers: Sequence[APIRouter] = (), readiness_warnings: Sequence[ReadinessWarnings] = (),
) -> FastAPI:
    """A FastAPI app whose lifespan runs ``bootstrap(app)``.

    ``bootstrap`` builds the service (it may put its ports on ``app.state``) and returns the
    runtime and a coroutine that closes what it opened. ``authenticator`` verifies the bearer
    tokens every route but /healthz, /readyz and /metrics needs. Each of ``readiness_warnings``
    is called with the app on every /readyz and returns warnings (name: message) that /readyz
    carries without becoming unready.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime, close = await bootstrap(app)
        app.state.runtime = runtime
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()
            await close()

    app = FastAPI(title=title, description=description, version="0.1.0", lifespan=lifespan,
                  openapi_url=None, docs_url=None, redoc_url=None)
    app.state.authenticator = authenticator
    app.state.service = service
    install_problem_handlers(app)
    install_api_docs(app)

    @app.get("/healthz", tags=["ops"], summary="Liveness: the process answers")
    async def healthz() -> Health:
        return Health()

    @app.get("/readyz", tags=["ops"], summary="Readiness: Kafka and the database are reachable",
             responses={503: {"model": Readiness, "description": "a dependency is unavailable"}})
    async def readyz(runtime: RuntimeDep, response: Response) -> Readiness:
        checks = await runtime.readiness()
        ok = all(v == "ok" for v in checks.values())
        response.status_code = 200 if ok else 503
        warnings = {name: message for warn in readiness_warnings for name, message in warn(app).items()}
        return Readiness(status="ok" if ok else "unavailable", checks=checks, warnings=warnings)

    @app.get("/metrics", tags=["ops"], summary="Prometheus metrics (text exposition format)",
             response_class=Response, responses={200: {"content": {CONTENT_TYPE_LATEST: {"schema": {"type": "string"}}},
                                                       "description": "Prometheus text format"}})
    async def metrics(runtime: RuntimeDep) -> Response:
        return Response(generate_latest(runtime.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    for router in routers:
        app.include_router(router)
    document_problems(app)
    return app


def document_problems(app: FastAPI) -> None:
    """Make the OpenAPI say what the app answers on invalid input: a 422 problem, not FastAPI's default shape."""
    from fastapi.openapi.utils import get_openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.setdefault("Problem", Problem.model_json_schema(ref_template="#/components/schemas/{model}"))
        for defs_name, defs in Problem.model_json_schema(ref_template="#/components/schemas/{model}").get(
                "$defs", {}).items():
            components.setdefault(defs_name, defs)
        components["Problem"].pop("$defs", None)
        _document_permissions(schema)
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                unprocessable = operation.get("responses", {}).get("422")
                # A route that documents its own 422 problem (with extension members) keeps it.
                if unprocessable is not None and PROBLEM_MEDIA_TYPE not in unprocessable.get("content", {}):
                    unprocessable["content"] = {PROBLEM_MEDIA_TYPE: {"schema": _PROBLEM_REF}}
                    unprocessable["description"] = "Invalid input: the fields named in `errors`"
        for unused in ("HTTPValidationError", "ValidationError"):
            if not _schema_referenced(schema, unused):
                components.pop(unused, None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to customise the schema


def _document_permissions(schema: dict[str, Any]) -> None:
    """Each protected operation says its permission and roles (``x-permission``, ``x-roles``, a
    line of its description) and documents its 401 and 403 problems; the others are ``x-public``."""
    permissions = {p.value: p for p in Permission}
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            scopes = [scope for requirement in operation.get("security", []) for scope in requirement.get("bearer", [])]
            permission = next((permissions[s] for s in scopes if s in permissions), None)
            if permission is None:
                operation["x-public"] = True
                continue
            roles = [r.value for r in roles_with(permission)]
            operation["x-permission"] = permission.value
            operation["x-roles"] = roles
            line = f"Needs `{permission.value}` (roles: {', '.join(roles) or 'clearinghouse clients'})."
            operation["description"] = f"{operation['description']}\n\n{line}" if operation.get("description") \
                else line
            responses = operation.setdefault("responses", {})
            for status, response in problem_responses(401, 403).items():
                responses.setdefault(str(status), response)


def _schema_referenced(schema: dict[str, Any], name: str) -> bool:
    import json

    return f'"#/components/schemas/{name}"' in json.dumps(schema)

"""The Docker and Kubernetes files cannot run here, so they are checked against the code:
commands are real console scripts, environment variables are settings the services read,
and every required setting is given."""

from __future__ import annotations

import importlib
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

yaml = pytest.importorskip("yaml")

REPO = Path(__file__).resolve().parents[3]
SERVICES = ("eligibility", "coding", "claims", "payments")
CALLS_CLEARINGHOUSE = {"eligibility", "claims", "payments"}


def _console_scripts() -> set[str]:
    scripts: set[str] = set()
    for pyproject in REPO.glob("**/pyproject.toml"):
        if ".venv" in pyproject.parts:
            continue
        data = tomllib.loads(pyproject.read_text())
        scripts |= set(data.get("project", {}).get("scripts", {}))
    return scripts


def _settings_class(service: str) -> Any:
    from rcm_shared.settings import ServiceSettings  # type: ignore[import-untyped, unused-ignore]

    module = importlib.import_module(f"rcm_{service}.config")
    classes = [
        value
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, ServiceSettings) and value is not ServiceSettings
    ]
    assert len(classes) == 1, f"rcm_{service}.config should define one settings class"
    return classes[0]


def _check_env_against_settings(service: str, env: dict[str, Any]) -> None:
    fields = _settings_class(service).model_fields
    unknown = {key for key in env if key.lower() not in fields}
    assert not unknown, f"{service}: variables no setting reads: {sorted(unknown)}"
    required = {name.upper() for name, field in fields.items() if field.is_required()}
    missing = required - set(env)
    assert not missing, f"{service}: required settings not given: {sorted(missing)}"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return dict(yaml.safe_load((REPO / "docker-compose.yml").read_text()))


@pytest.fixture(scope="module")
def manifests() -> list[dict[str, Any]]:
    documents: list[dict[str, Any]] = []
    for path in sorted((REPO / "deploy" / "k8s").glob("*.yaml")):
        documents += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    return documents


def test_compose_runs_only_console_scripts_the_workspace_declares(compose: dict[str, Any]) -> None:
    scripts = _console_scripts()
    commands = {name: svc["command"][0] for name, svc in compose["services"].items() if "command" in svc}
    assert set(commands) == {"sandbox", *SERVICES}
    for name, command in commands.items():
        assert command in scripts, f"{name}: {command} is not a console script"


@pytest.mark.parametrize("service", SERVICES)
def test_compose_gives_each_service_exactly_the_settings_it_reads(compose: dict[str, Any], service: str) -> None:
    env = compose["services"][service]["environment"]
    _check_env_against_settings(service, env)
    assert ("SANDBOX_URL" in env) == (service in CALLS_CLEARINGHOUSE)
    assert env["DATABASE_URL"].endswith(f"/rcm_{service}")


def test_compose_creates_every_database_the_services_use(compose: dict[str, Any]) -> None:
    init_sql = (REPO / "deploy" / "compose" / "postgres-init" / "01-databases.sql").read_text()
    created = set(re.findall(r"CREATE DATABASE (\w+);", init_sql))
    used = {compose["services"][s]["environment"]["DATABASE_URL"].rsplit("/", 1)[1] for s in SERVICES}
    assert used <= created


def test_compose_starts_services_only_after_their_dependencies_are_healthy(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name, service in services.items():
        assert "healthcheck" in service, f"{name} has no healthcheck"
    for name in SERVICES:
        depends = services[name]["depends_on"]
        wanted = {"kafka", "postgres"} | ({"sandbox"} if name in CALLS_CLEARINGHOUSE else set())
        assert set(depends) == wanted, name
        assert all(d["condition"] == "service_healthy" for d in depends.values())


def test_compose_kafka_is_a_single_kraft_node_that_never_auto_creates_topics(compose: dict[str, Any]) -> None:
    kafka = compose["services"]["kafka"]
    assert kafka["image"] == "apache/kafka:4.1.1"
    env = kafka["environment"]
    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    assert "PLAINTEXT://kafka:9092" in env["KAFKA_ADVERTISED_LISTENERS"]


def _deployments(manifests: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in manifests if d["kind"] == "Deployment"}


@pytest.mark.parametrize("service", SERVICES)
def test_each_deployment_probes_health_requests_resources_and_runs_two_replicas(
    manifests: list[dict[str, Any]], service: str
) -> None:
    deployment = _deployments(manifests)[f"rcm-{service}"]
    assert deployment["spec"]["replicas"] == 2
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container["command"] == [f"rcm-{service}"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert {"cpu", "memory"} <= set(container["resources"]["requests"])
    services = {d["metadata"]["name"] for d in manifests if d["kind"] == "Service"}
    assert f"rcm-{service}" in services


@pytest.mark.parametrize("service", SERVICES)
def test_each_deployment_gets_every_required_setting_from_configmap_and_secret(
    manifests: list[dict[str, Any]], service: str
) -> None:
    config = next(d for d in manifests if d["kind"] == "ConfigMap")
    secret = next(d for d in manifests if d["kind"] == "Secret")
    container = _deployments(manifests)[f"rcm-{service}"]["spec"]["template"]["spec"]["containers"][0]
    env: dict[str, Any] = {}
    for source in container["envFrom"]:
        assert source["configMapRef"]["name"] == config["metadata"]["name"]
        env.update(config["data"])
    for variable in container["env"]:
        reference = variable["valueFrom"]["secretKeyRef"]
        assert reference["name"] == secret["metadata"]["name"]
        assert reference["key"] in secret["stringData"]
        env[variable["name"]] = secret["stringData"][reference["key"]]
    # The ConfigMap is shared, so SANDBOX_URL reaches coding too; its settings ignore it.
    if service not in CALLS_CLEARINGHOUSE:
        env.pop("SANDBOX_URL")
    _check_env_against_settings(service, env)


def test_kustomization_lists_every_manifest(manifests: list[dict[str, Any]]) -> None:
    kustomization = next(d for d in manifests if d["kind"] == "Kustomization")
    files = {p.name for p in (REPO / "deploy" / "k8s").glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == files


def test_dockerfile_installs_every_workspace_member_in_its_dependency_layer() -> None:
    dockerfile = (REPO / "Dockerfile").read_text()
    members = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["uv"]["workspace"]["members"]
    for pattern in members:
        for member in REPO.glob(pattern):
            if (member / "pyproject.toml").is_file():
                relative = member.relative_to(REPO).as_posix()
                assert f"COPY {relative}/pyproject.toml" in dockerfile, relative
    assert "uv sync --frozen --all-packages --no-dev" in dockerfile

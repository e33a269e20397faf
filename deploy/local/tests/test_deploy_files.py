"""The Docker and Kubernetes files cannot run here, so they are checked against the code:
commands are real console scripts, environment variables are settings the services read,
and every required setting is given."""

from __future__ import annotations

import base64
import importlib
import os
import re
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

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
    from rcm_shared.settings import (  # type: ignore[import-untyped, unused-ignore]
        ClearinghouseSettings,
        ServiceSettings,
    )

    module = importlib.import_module(f"rcm_{service}.config")
    classes = [
        value
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, ServiceSettings)
        and value not in (ServiceSettings, ClearinghouseSettings)
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


def test_compose_publishes_ports_only_on_loopback(compose: dict[str, Any]) -> None:
    published = {name: svc.get("ports", []) for name, svc in compose["services"].items()}
    assert any(published.values())
    for name, ports in published.items():
        for port in ports:
            assert isinstance(port, str) and port.startswith("127.0.0.1:"), f"{name} publishes {port!r}"


def test_compose_reads_the_database_password_from_a_git_ignored_docker_secret(compose: dict[str, Any]) -> None:
    text = (REPO / "docker-compose.yml").read_text()
    assert "postgres:postgres@" not in text and "POSTGRES_PASSWORD:" not in text
    secrets = compose["secrets"]
    secrets_dir = REPO / "deploy" / "compose" / "secrets"
    for secret in secrets.values():
        assert (REPO / secret["file"]).resolve().parent == secrets_dir.resolve()
    ignored = (secrets_dir / ".gitignore").read_text().splitlines()
    assert "*" in ignored and "!README.md" in ignored
    assert "postgres_password" in (secrets_dir / "README.md").read_text()
    postgres = compose["services"]["postgres"]
    assert postgres["environment"]["POSTGRES_PASSWORD_FILE"] == "/run/secrets/postgres_password"
    assert "postgres_password" in postgres["secrets"]
    for name in SERVICES:
        service = compose["services"][name]
        env = service["environment"]
        assert urlsplit(env["DATABASE_URL"]).password is None, name
        secret = env["DATABASE_PASSWORD_FILE"].removeprefix("/run/secrets/")
        assert secret in service["secrets"] and secret in secrets, name


def _compose_settings(compose: dict[str, Any], service: str, files: dict[str, str], tmp_path: Path) -> Any:
    """The settings ``service`` starts with under compose: ``${VAR:-default}`` at its default, each
    /run/secrets/<name> variable pointing at a local file holding ``files[name]``."""
    kwargs: dict[str, Any] = {}
    for name, value in compose["services"][service]["environment"].items():
        value = re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", str(value))
        if value.startswith("/run/secrets/"):
            local = tmp_path / value.removeprefix("/run/secrets/")
            local.write_text(files[local.name])
            value = str(local)
        kwargs[name.lower()] = value
    return _settings_class(service)(**kwargs)


@pytest.mark.parametrize("service", SERVICES)
def test_compose_services_share_the_keyring_on_the_compose_postgres_and_read_the_kek_from_a_secret(
    compose: dict[str, Any], service: str, tmp_path: Path
) -> None:
    env = compose["services"][service]["environment"]
    assert "PHI_KEK" not in env, f"{service}: the KEK belongs in a Docker secret, not the environment"
    secret = env["PHI_KEK_FILE"].removeprefix("/run/secrets/")
    assert secret in compose["services"][service]["secrets"] and secret in compose["secrets"]
    assert secret in (REPO / "deploy" / "compose" / "secrets" / "README.md").read_text()
    kek = base64.b64encode(os.urandom(32)).decode()
    settings = _compose_settings(compose, service, {"postgres_password": "s3cr3t-pw", secret: kek + "\n"}, tmp_path)
    # DATABASE_PASSWORD_FILE fills in only DATABASE_URL: the keyring must still get the password.
    assert settings.keyring_url == "postgresql://postgres:s3cr3t-pw@postgres:5432/rcm_keys"
    assert settings.phi_key_encryption_key == base64.b64decode(kek)


def test_compose_creates_every_database_the_services_use(compose: dict[str, Any]) -> None:
    init_sql = (REPO / "deploy" / "compose" / "postgres-init" / "01-databases.sql").read_text()
    created = set(re.findall(r"CREATE DATABASE (\w+);", init_sql))
    used = {compose["services"][s]["environment"]["DATABASE_URL"].rsplit("/", 1)[1] for s in SERVICES}
    assert used <= created
    assert "rcm_keys" in created, "the PHI keyring's database"


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
    env = _deployment_env(manifests, service)
    # The ConfigMap is shared, so SANDBOX_URL reaches coding too; its settings ignore it.
    if service not in CALLS_CLEARINGHOUSE:
        env.pop("SANDBOX_URL")
    _check_env_against_settings(service, env)


# Settings that are secrets: a Deployment takes them from a Secret, never from a literal value.
SECRET_SETTINGS = {"DATABASE_URL", "CLEARINGHOUSE_TOKEN", "KAFKA_SASL_PASSWORD", "KEYRING_DATABASE_URL", "PHI_KEK"}
# Settings naming a file: in the cluster, a key of a Secret mounted into the pod.
FILE_SETTINGS = {"KAFKA_SSL_CAFILE", "KAFKA_SSL_CERTFILE", "KAFKA_SSL_KEYFILE", "DATABASE_SSLROOTCERT",
                 "CLEARINGHOUSE_CAFILE", "DATABASE_PASSWORD_FILE", "PHI_KEK_FILE"}
# The KEK Secret's placeholder. Replaced by `real` it would still be no key, so the tests stand in
# for the operator with a freshly generated one (base64 of 32 random bytes).
KEK_PLACEHOLDER = "REPLACE_ME_WITH_BASE64_OF_32_RANDOM_BYTES"


def _replace_placeholders(value: str, kek: str | None) -> str:
    """``value`` filled in as an operator would: the KEK placeholder by ``kek`` (kept when None), every
    other REPLACE_ME by ``real``."""
    filler = KEK_PLACEHOLDER if kek is None else kek
    return filler.join(re.sub(r"REPLACE_ME_?", "real", part) for part in value.split(KEK_PLACEHOLDER))


def _container(manifests: list[dict[str, Any]], service: str) -> dict[str, Any]:
    return dict(_deployments(manifests)[f"rcm-{service}"]["spec"]["template"]["spec"]["containers"][0])


def _deployment_env(manifests: list[dict[str, Any]], service: str) -> dict[str, Any]:
    config = next(d for d in manifests if d["kind"] == "ConfigMap")
    secrets = {d["metadata"]["name"]: d for d in manifests if d["kind"] == "Secret"}
    container = _container(manifests, service)
    env: dict[str, Any] = {}
    for source in container["envFrom"]:
        assert source["configMapRef"]["name"] == config["metadata"]["name"]
        env.update(config["data"])
    for variable in container["env"]:
        if "value" in variable:
            assert variable["name"] not in SECRET_SETTINGS, f"{service}: {variable['name']} is a literal"
            env[variable["name"]] = variable["value"]
            continue
        reference = variable["valueFrom"]["secretKeyRef"]
        assert reference["name"] in secrets, reference
        assert reference["key"] in secrets[reference["name"]]["stringData"]
        env[variable["name"]] = secrets[reference["name"]]["stringData"][reference["key"]]
    return env


def _mounted_secret_files(manifests: list[dict[str, Any]], service: str) -> dict[str, str]:
    """Path in the container -> content, for every key of every Secret mounted into the service's pod."""
    secrets = {d["metadata"]["name"]: d for d in manifests if d["kind"] == "Secret"}
    pod = _deployments(manifests)[f"rcm-{service}"]["spec"]["template"]["spec"]
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    files: dict[str, str] = {}
    for mount in _container(manifests, service).get("volumeMounts", []):
        volume = volumes[mount["name"]]
        if "secret" not in volume:
            continue
        assert mount.get("readOnly") is True, f"{service}: {mount['mountPath']} should be read-only"
        secret = secrets[volume["secret"]["secretName"]]
        for key, content in secret["stringData"].items():
            files[f"{mount['mountPath'].rstrip('/')}/{key}"] = content
    return files


def _with_files_in(tmp_path: Path, env: dict[str, Any], files: dict[str, str]) -> dict[str, Any]:
    """``env`` with each file setting pointing at a copy of the mounted Secret key it names."""
    out = dict(env)
    for name in FILE_SETTINGS & set(env):
        assert env[name] in files, f"{name}={env[name]} is no key of a Secret mounted into the pod"
        local = tmp_path / env[name].lstrip("/")
        local.parent.mkdir(parents=True, exist_ok=True)
        local.write_text(files[env[name]])
        out[name] = str(local)
    return out


@pytest.mark.parametrize("service", SERVICES)
def test_each_deployment_starts_in_production_once_its_placeholders_are_replaced(
    manifests: list[dict[str, Any]], service: str, tmp_path: Path
) -> None:
    # With the placeholders left in, production refuses to start; with real-looking values it must
    # start (a missing identity provider, clearinghouse credential, replication or transport setting,
    # keyring database or KEK, or a CA or KEK file that no mounted Secret provides, fails here).
    env = _deployment_env(manifests, service)
    if service not in CALLS_CLEARINGHOUSE:
        env.pop("SANDBOX_URL")
    files = _mounted_secret_files(manifests, service)
    settings_class = _settings_class(service)

    def filled_in(kek: str | None, where: str) -> dict[str, Any]:
        # Env values and mounted files alike, each variant in its own directory.
        env_in = {k: _replace_placeholders(v, kek) for k, v in env.items()}
        files_in = {path: _replace_placeholders(content, kek) for path, content in files.items()}
        return {k.lower(): v for k, v in _with_files_in(tmp_path / where, env_in, files_in).items()}

    as_committed = {k.lower(): v for k, v in _with_files_in(tmp_path / "as-committed", env, files).items()}
    with pytest.raises(ValueError, match="placeholder"):
        settings_class(**as_committed)
    with pytest.raises(ValueError, match="PHI_KEK is a placeholder"):
        settings_class(**filled_in(None, "all-but-the-kek"))
    kek = base64.b64encode(os.urandom(32)).decode()
    settings = settings_class(**filled_in(kek, "all"))
    assert settings.kafka_security.protocol == "SASL_SSL"
    assert settings.kafka_security.sasl_username == f"rcm-{service}", "each service is its own Kafka user"
    assert settings.kafka_security.ssl_cafile is not None
    assert settings.database_tls.sslmode == "verify-full" and settings.database_tls.sslrootcert is not None
    assert settings.keyring_url == _replace_placeholders(env["KEYRING_DATABASE_URL"], kek), "the Secret's keyring"
    assert settings.keyring_url.endswith("/rcm_keys") and settings.keyring_url != settings.database_url
    assert len(settings.phi_key_encryption_key) == 32
    assert settings.phi_key_encryption_key == base64.b64decode(kek), "the mounted Secret's KEK"


@pytest.mark.parametrize("service", SERVICES)
def test_each_deployment_mounts_the_kek_secret_read_only_and_points_phi_kek_file_at_it(
    manifests: list[dict[str, Any]], service: str
) -> None:
    env = _deployment_env(manifests, service)
    assert "PHI_KEK" not in env, f"{service}: the KEK belongs in a mounted file, not an environment variable"
    kek_secrets = [(d["metadata"]["name"], key) for d in manifests if d["kind"] == "Secret"
                   for key, value in d["stringData"].items() if value == KEK_PLACEHOLDER]
    assert len(kek_secrets) == 1, "one Secret key holds the KEK"
    (secret_name, key), = kek_secrets
    pod = _deployments(manifests)[f"rcm-{service}"]["spec"]["template"]["spec"]
    volumes = {v["name"]: v for v in pod["volumes"]}
    mounts = [m for m in _container(manifests, service)["volumeMounts"]
              if volumes[m["name"]].get("secret", {}).get("secretName") == secret_name]
    assert len(mounts) == 1, f"{service} does not mount {secret_name}"
    mount, volume = mounts[0], volumes[mounts[0]["name"]]["secret"]
    assert mount.get("readOnly") is True, f"{service}: the KEK's mount should be read-only"
    assert env["PHI_KEK_FILE"] == f"{mount['mountPath'].rstrip('/')}/{key}"
    # Not world-readable, yet readable by the service: its group through the pod's fsGroup.
    mode = volume["defaultMode"]
    assert mode & 0o007 == 0, f"{service}: the KEK's file mode {mode:o} lets any user read it"
    assert mode & 0o040 and pod["securityContext"].get("fsGroup") is not None, f"{service} cannot read the KEK"


def test_every_placeholder_secret_is_marked_as_one(manifests: list[dict[str, Any]]) -> None:
    for secret in (d for d in manifests if d["kind"] == "Secret"):
        values = secret["stringData"].values()
        assert all("REPLACE_ME" in v for v in values), f"{secret['metadata']['name']}: a value that looks real"
        assert secret["metadata"]["annotations"]["rcm.example/placeholder"] == "true"


def _network_policies(manifests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [d for d in manifests if d["kind"] == "NetworkPolicy"]


def _selects(policy: dict[str, Any], labels: dict[str, str]) -> bool:
    selector = policy["spec"]["podSelector"]
    assert set(selector) <= {"matchLabels"}, "only matchLabels selectors are checked here"
    return all(labels.get(k) == v for k, v in selector.get("matchLabels", {}).items())


def test_the_namespace_denies_all_traffic_that_no_policy_allows(manifests: list[dict[str, Any]]) -> None:
    policies = _network_policies(manifests)
    assert {p["metadata"]["namespace"] for p in policies} == {"rcm"}
    deny = [p for p in policies if p["spec"]["podSelector"] == {} and "ingress" not in p["spec"]
            and "egress" not in p["spec"]]
    assert deny and set(deny[0]["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    # What every pod may still do: resolve names, and nothing else.
    for policy in (p for p in policies if p["spec"]["podSelector"] == {} and p not in deny):
        for rule in policy["spec"].get("egress", []):
            assert {port["port"] for port in rule["ports"]} == {53}, policy["metadata"]["name"]
        assert "ingress" not in policy["spec"], policy["metadata"]["name"]
    assert any(p["spec"]["podSelector"] == {} and p["spec"].get("egress") for p in policies), "DNS is allowed"


# The pods of the keyring's database (networkpolicies.yaml): the one database every service reaches.
KEYRING_DATABASE_LABELS = {"cnpg.io/cluster": "rcm-keys-db"}


def _database_port(url: str) -> int:
    return int(re.search(r"@[^/:]+:(\d+)/", url).group(1))  # type: ignore[union-attr]


def _rules(manifests: list[dict[str, Any]], service: str, direction: str) -> list[dict[str, Any]]:
    labels = _deployments(manifests)[f"rcm-{service}"]["spec"]["template"]["metadata"]["labels"]
    return [rule for p in _network_policies(manifests) if p["spec"]["podSelector"] and _selects(p, labels)
            for rule in p["spec"].get(direction, [])]


def test_every_deployment_is_selected_by_a_network_policy_of_its_own(manifests: list[dict[str, Any]]) -> None:
    for name, deployment in _deployments(manifests).items():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        own = [p for p in _network_policies(manifests) if p["spec"]["podSelector"] and _selects(p, labels)]
        assert own, f"{name} is selected by no NetworkPolicy but the namespace's defaults"
        assert all(set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"} for p in own), name


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_receives_only_on_its_ports(manifests: list[dict[str, Any]], service: str) -> None:
    container_ports = {p["containerPort"] for p in _container(manifests, service)["ports"]}
    rules = _rules(manifests, service, "ingress")
    assert rules
    for rule in rules:
        assert rule.get("ports"), f"{service}: an ingress rule open on every port"
        assert {p["port"] for p in rule["ports"]} <= container_ports


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_reaches_only_its_database_the_keyring_the_brokers_and_the_clearinghouse(
    manifests: list[dict[str, Any]], service: str
) -> None:
    env = _deployment_env(manifests, service)
    broker_port = int(env["KAFKA_BOOTSTRAP_SERVERS"].split(",")[0].rpartition(":")[2])
    database_port = _database_port(env["DATABASE_URL"])
    keyring_port = _database_port(env["KEYRING_DATABASE_URL"])
    reached: dict[int, list[dict[str, Any]]] = {}
    for rule in _rules(manifests, service, "egress"):
        assert rule.get("to") and rule.get("ports"), f"{service}: an egress rule open to everything"
        for port in rule["ports"]:
            reached.setdefault(port["port"], []).extend(rule["to"])
    wanted = {database_port, keyring_port, broker_port} | ({443} if service in CALLS_CLEARINGHOUSE else set())
    assert set(reached) == wanted, f"{service} reaches ports {sorted(reached)}"
    # The keyring is every service's, so it has its own cluster beside the services' (networkpolicies.yaml).
    keyring_peers = [peer["podSelector"]["matchLabels"] for peer in reached[keyring_port]]
    assert KEYRING_DATABASE_LABELS in keyring_peers, f"{service} cannot reach the keyring's database"
    for peer in reached[database_port] + reached[keyring_port]:
        labels = peer["podSelector"]["matchLabels"]
        own = all(service in value for value in labels.values())
        assert own or labels == KEYRING_DATABASE_LABELS, f"{service} reaches another database: {labels}"
    if service in CALLS_CLEARINGHOUSE:
        assert all("ipBlock" in peer for peer in reached[443])


def test_the_cluster_speaks_tls_to_kafka_and_postgres(manifests: list[dict[str, Any]]) -> None:
    config = next(d for d in manifests if d["kind"] == "ConfigMap")["data"]
    assert config["KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
    assert config["KAFKA_SASL_MECHANISM"].startswith("SCRAM-")
    assert config["DATABASE_SSLMODE"] == "verify-full"
    assert not SECRET_SETTINGS & set(config), "secrets never sit in the ConfigMap"


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

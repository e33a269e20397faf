"""Apache Kafka in KRaft mode (one combined broker+controller) from Maven Central jars."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import re
import shutil
import ssl
import subprocess
import uuid
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from rcm_devstack.errors import StackError
from rcm_devstack.layout import StackLayout, StackPorts
from rcm_devstack.processes import accepts_tcp, run_coroutine_blocking, tail

KAFKA_MAIN_CLASS = "kafka.Kafka"
STORAGE_TOOL_CLASS = "kafka.tools.StorageTool"
MINIMUM_JAVA = 17
# Small on purpose: CI machines have 2 cores and run the tests beside the broker.
JVM_OPTIONS = (
    "-Xms256m",
    "-Xmx512m",
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    "-XX:InitiatingHeapOccupancyPercent=35",
    "-XX:+ExplicitGCInvokesConcurrent",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djava.awt.headless=true",
)
MAVEN_TIMEOUT_SECONDS = 900.0
_COMPLETE_MARKER = ".complete"
_FORMATTED_MARKER = ".rcm-formatted"

JAVA_INSTALL_HINT = (
    "install a Java 17+ runtime (Debian/Ubuntu: `apt-get install openjdk-17-jre-headless`; "
    "macOS: `brew install openjdk@17`) or set JAVA_HOME"
)
MAVEN_INSTALL_HINT = (
    "install Apache Maven (Debian/Ubuntu: `apt-get install maven`; macOS: `brew install maven`); "
    "it is needed once, to fetch the Kafka jars from Maven Central"
)


def find_pom() -> Path:
    """The pom.xml listing the broker jars: inside a built wheel, else beside pyproject.toml."""
    packaged = Path(str(resources.files("rcm_devstack") / "pom.xml"))
    if packaged.is_file():
        return packaged
    source_tree = Path(__file__).resolve().parents[2] / "pom.xml"
    if source_tree.is_file():
        return source_tree
    raise StackError(f"pom.xml for the Kafka jars not found (looked at {packaged}, {source_tree})")


def kafka_version(pom: Path) -> str:
    """The ``kafka.version`` property of the pom."""
    namespace = {"m": "http://maven.apache.org/POM/4.0.0"}
    try:
        root = ElementTree.parse(pom).getroot()
    except ElementTree.ParseError as exc:
        raise StackError(f"{pom} is not valid XML: {exc}") from None
    element = root.find("m:properties/m:kafka.version", namespace)
    if element is None or not (element.text or "").strip():
        raise StackError(f"{pom} has no <kafka.version> property")
    return (element.text or "").strip()


def find_java() -> str:
    """The java executable (JAVA_HOME first, then PATH), checked to be Java 17 or newer."""
    java_home = os.environ.get("JAVA_HOME", "").strip()
    candidate: str | None = None
    if java_home and (Path(java_home) / "bin" / "java").is_file():
        candidate = str(Path(java_home) / "bin" / "java")
    else:
        candidate = shutil.which("java")
    if candidate is None:
        raise StackError(f"`java` was not found on PATH; the local Kafka broker needs it: {JAVA_INSTALL_HINT}")
    try:
        result = subprocess.run([candidate, "-version"], capture_output=True, text=True, timeout=60, check=False)
    except OSError as exc:
        raise StackError(f"could not run {candidate}: {exc}; {JAVA_INSTALL_HINT}") from None
    major = java_major_version(result.stderr + result.stdout)
    if major is None:
        raise StackError(f"could not read the version of {candidate}: {result.stderr.strip()}")
    if major < MINIMUM_JAVA:
        raise StackError(f"{candidate} is Java {major}; Kafka 4 needs Java {MINIMUM_JAVA}+: {JAVA_INSTALL_HINT}")
    return candidate


def java_major_version(version_output: str) -> int | None:
    """Major version from ``java -version`` output ('1.8.0_392' is 8, '17.0.15' is 17)."""
    match = re.search(r'version "(\d+)(?:\.(\d+))?', version_output)
    if match is None:
        return None
    first = int(match.group(1))
    if first == 1 and match.group(2) is not None:
        return int(match.group(2))
    return first


def libs_dir_for(layout: StackLayout, pom: Path) -> Path:
    """Cache directory of the jar set: keyed by Kafka version and the pom's content."""
    digest = hashlib.sha256(pom.read_bytes()).hexdigest()[:10]
    return layout.kafka_libs_root / f"kafka-{kafka_version(pom)}-{digest}"


def resolve_jars(layout: StackLayout, pom: Path, timeout: float = MAVEN_TIMEOUT_SECONDS) -> Path:
    """Return the directory of broker jars, running Maven once if it is not cached yet."""
    target = libs_dir_for(layout, pom)
    if (target / _COMPLETE_MARKER).is_file():
        return target
    mvn = shutil.which("mvn")
    if mvn is None:
        raise StackError(
            f"`mvn` was not found on PATH and the Kafka jars are not cached yet in "
            f"{layout.kafka_libs_root}: {MAVEN_INSTALL_HINT}"
        )
    layout.kafka_libs_root.mkdir(parents=True, exist_ok=True)
    layout.logs_dir.mkdir(parents=True, exist_ok=True)
    # Maven runs on a copy of the pom in our home so that its target/ never lands in the
    # source tree or in a read-only site-packages.
    work = layout.kafka_dir / "maven"
    work.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(pom, work / "pom.xml")
    partial = target.with_name(f"{target.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    command = [
        mvn,
        "-B",
        "-f",
        str(work / "pom.xml"),
        "dependency:copy-dependencies",
        "-DincludeScope=runtime",
        f"-DoutputDirectory={partial}",
    ]
    with layout.maven_log.open("wb") as log:
        try:
            result = subprocess.run(
                command,
                cwd=work,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                timeout=timeout,
                check=False,
            )
            failure = None if result.returncode == 0 else f"exited with {result.returncode}"
        except subprocess.TimeoutExpired:
            failure = f"did not finish within {timeout:.0f}s"
    if failure is None and not any(partial.glob("kafka_2.13-*.jar")):
        failure = "finished but produced no kafka_2.13 jar"
    if failure is not None:
        shutil.rmtree(partial, ignore_errors=True)
        raise StackError(
            f"Maven could not fetch the Kafka jars ({failure}). Full log: {layout.maven_log}\n"
            f"--- last lines ---\n{tail(layout.maven_log)}"
        )
    (partial / _COMPLETE_MARKER).write_text(kafka_version(pom) + "\n")
    try:
        os.replace(partial, target)
    except OSError:
        # Another process resolved the same set first; theirs is as good as ours.
        shutil.rmtree(partial, ignore_errors=True)
        if not (target / _COMPLETE_MARKER).is_file():
            raise
    return target


def new_cluster_id() -> str:
    """A KRaft cluster id: 16 random bytes, URL-safe base64 without padding, as Kafka makes."""
    while True:
        candidate = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not candidate.startswith("-"):  # Kafka avoids these: they read as CLI options
            return candidate


def cluster_id(layout: StackLayout) -> str:
    """The cluster id of this home, created on first use and kept."""
    path = layout.kafka_cluster_id_file
    if path.is_file() and path.read_text().strip():
        return path.read_text().strip()
    value = new_cluster_id()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(value + "\n")
    return value


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\")


ScramMechanism = Literal["SCRAM-SHA-256", "SCRAM-SHA-512"]
# Kept out of names and passwords: they would end the JAAS string or the --add-scram list early.
_SCRAM_FORBIDDEN = re.compile(r'[\s"\\,=\[\];]')


@dataclass(frozen=True)
class ScramUser:
    """A SCRAM user of the broker, created when its storage is first formatted."""

    name: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class KafkaSecurity:
    """TLS, and with SASL_SSL SCRAM authentication, on the broker's client listener (``StackPorts.kafka``).

    ``keystore`` is a PEM file holding the broker's private key (PKCS#8, unencrypted) and its certificate
    chain, for ``127.0.0.1``; ``truststore`` a PEM file of the CA certificates the broker trusts, which its
    readiness check trusts too. With SASL_SSL the first of ``users`` is the broker's own identity on its
    inter-broker listener and the readiness check's; all of them are created when the storage is first
    formatted (a home formatted earlier keeps the users it has). With SSL clients present a certificate
    the truststore's CA signed. The controller listener stays PLAINTEXT on loopback.
    """

    protocol: Literal["SSL", "SASL_SSL"]
    keystore: Path
    truststore: Path
    mechanism: ScramMechanism = "SCRAM-SHA-512"
    users: tuple[ScramUser, ...] = ()

    def __post_init__(self) -> None:
        if self.protocol not in ("SSL", "SASL_SSL"):
            raise StackError(f"KafkaSecurity protocol must be SSL or SASL_SSL, not {self.protocol!r}")
        if self.mechanism not in ("SCRAM-SHA-256", "SCRAM-SHA-512"):
            raise StackError(f"KafkaSecurity mechanism must be SCRAM-SHA-256 or SCRAM-SHA-512, not {self.mechanism!r}")
        if self.protocol == "SASL_SSL" and not self.users:
            raise StackError("KafkaSecurity with SASL_SSL needs at least one SCRAM user (the broker's own first)")
        for user in self.users:
            if not user.name or not user.password or _SCRAM_FORBIDDEN.search(user.name + user.password):
                raise StackError(f"SCRAM user {user.name!r}: name and password must be non-empty, without "
                                 'spaces or any of " \\ , = [ ] ;')
        for what, path in (("keystore", self.keystore), ("truststore", self.truststore)):
            if not Path(path).is_file():
                raise StackError(f"KafkaSecurity {what} {path} does not exist")

    @property
    def listener(self) -> str:
        """The name (and security protocol) of the client listener."""
        return self.protocol

    def client_options(self) -> dict[str, Any]:
        """aiokafka keyword arguments of a client of this broker, as its first SCRAM user."""
        context = ssl.create_default_context(cafile=str(self.truststore))
        if self.protocol == "SSL":
            context.load_cert_chain(str(self.keystore))
        options: dict[str, Any] = {"security_protocol": self.protocol, "ssl_context": context}
        if self.protocol == "SASL_SSL":
            options.update(sasl_mechanism=self.mechanism, sasl_plain_username=self.users[0].name,
                           sasl_plain_password=self.users[0].password)
        return options


def _security_properties(security: KafkaSecurity) -> str:
    lines = [
        "# TLS on the client listener: PEM key and certificate chain, PEM CA certificates.",
        "ssl.keystore.type=PEM",
        f"ssl.keystore.location={_escape(str(security.keystore))}",
        "ssl.truststore.type=PEM",
        f"ssl.truststore.location={_escape(str(security.truststore))}",
        "ssl.endpoint.identification.algorithm=https",
        # With SSL alone the client certificate is the identity; with SASL_SSL the SCRAM user is.
        f"ssl.client.auth={'required' if security.protocol == 'SSL' else 'none'}",
    ]
    if security.protocol == "SASL_SSL":
        broker = security.users[0]
        module = "org.apache.kafka.common.security.scram.ScramLoginModule"
        lines += [
            f"sasl.enabled.mechanisms={security.mechanism}",
            f"sasl.mechanism.inter.broker.protocol={security.mechanism}",
            f"listener.name.sasl_ssl.{security.mechanism.lower()}.sasl.jaas.config={module} required "
            f'username="{broker.name}" password="{broker.password}";',
        ]
    return "\n".join(lines) + "\n"


def server_properties(layout: StackLayout, ports: StackPorts, security: KafkaSecurity | None = None) -> str:
    """The broker configuration: one KRaft node on loopback, sized for a laptop or CI box; its client
    listener PLAINTEXT, or secured by ``security``."""
    client = security.listener if security is not None else "PLAINTEXT"
    return f"""\
# Written by rcm_devstack at every start; edit rcm_devstack/kafka.py, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:{ports.kafka_controller}
listeners={client}://127.0.0.1:{ports.kafka},CONTROLLER://127.0.0.1:{ports.kafka_controller}
advertised.listeners={client}://127.0.0.1:{ports.kafka}
inter.broker.listener.name={client}
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,{client}:{client}
{_security_properties(security) if security is not None else ""}log.dirs={_escape(str(layout.kafka_data_dir))}
# Topics are declared by the platform (rcm_shared.topics); a typo must fail, not create one.
auto.create.topics.enable=false
delete.topic.enable=true
num.partitions=6
default.replication.factor=1
min.insync.replicas=1
# A single node can hold only one replica of the internal topics.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# Tests start consumers one after another; waiting 3 s for more members only slows them.
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=4
log.retention.hours=168
"""


def write_config(layout: StackLayout, ports: StackPorts, security: KafkaSecurity | None = None) -> None:
    """Write server.properties and the log4j2 configuration into the home's kafka dir."""
    layout.kafka_dir.mkdir(parents=True, exist_ok=True)
    layout.kafka_properties.write_text(server_properties(layout, ports, security))
    # It may hold the broker's SCRAM password.
    layout.kafka_properties.chmod(0o600)
    log4j = resources.files("rcm_devstack").joinpath("log4j2.xml").read_text()
    log4j_config_path(layout).write_text(log4j)


def log4j_config_path(layout: StackLayout) -> Path:
    return layout.kafka_dir / "log4j2.xml"


def _java_command(java: str, libs: Path, layout: StackLayout, main_class: str) -> list[str]:
    return [
        java,
        *JVM_OPTIONS,
        f"-Dlog4j2.configurationFile={log4j_config_path(layout)}",
        f"-Dkafka.logs.dir={layout.logs_dir}",
        "-cp",
        f"{libs}/*",
        main_class,
    ]


def broker_command(java: str, libs: Path, layout: StackLayout) -> list[str]:
    """Command line of the broker; server.properties in it doubles as our process marker."""
    return [*_java_command(java, libs, layout, KAFKA_MAIN_CLASS), str(layout.kafka_properties)]


def scram_arguments(security: KafkaSecurity | None) -> list[str]:
    """``kafka-storage format`` arguments creating the SCRAM users of ``security``."""
    if security is None or security.protocol != "SASL_SSL":
        return []
    out: list[str] = []
    for user in security.users:
        out += ["--add-scram", f"{security.mechanism}=[name={user.name},password={user.password}]"]
    return out


def format_storage_once(java: str, libs: Path, layout: StackLayout, security: KafkaSecurity | None = None) -> None:
    """Format the KRaft log directory the first time (with the SCRAM users of ``security``); the
    marker lives inside it, so deleting the data directory brings a fresh format on the next start."""
    marker = layout.kafka_data_dir / _FORMATTED_MARKER
    if marker.is_file():
        return
    layout.kafka_data_dir.mkdir(parents=True, exist_ok=True)
    command = [
        *_java_command(java, libs, layout, STORAGE_TOOL_CLASS),
        "format",
        "--ignore-formatted",
        "-t",
        cluster_id(layout),
        "-c",
        str(layout.kafka_properties),
        *scram_arguments(security),
    ]
    with layout.kafka_format_log.open("wb") as log:
        try:
            result = subprocess.run(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                timeout=180,
                check=False,
            )
            failure = None if result.returncode == 0 else f"exited with {result.returncode}"
        except subprocess.TimeoutExpired:
            failure = "did not finish within 180s"
    if failure is not None:
        raise StackError(
            f"formatting Kafka storage in {layout.kafka_data_dir} failed ({failure}). "
            f"Log: {layout.kafka_format_log}\n--- last lines ---\n{tail(layout.kafka_format_log)}"
        )
    marker.write_text(cluster_id(layout) + "\n")


def broker_answers_metadata(port: int, timeout: float = 5.0, security: KafkaSecurity | None = None) -> bool:
    """True when the broker on loopback ``port`` answers a metadata request with itself in it
    (over TLS, as the first SCRAM user, when ``security`` is given)."""
    if not accepts_tcp(port):
        return False
    options = security.client_options() if security is not None else {}
    return run_coroutine_blocking(_metadata_lists_a_broker(f"127.0.0.1:{port}", timeout_s=timeout, options=options))


async def _metadata_lists_a_broker(bootstrap: str, *, timeout_s: float, options: dict[str, Any]) -> bool:
    from aiokafka.client import AIOKafkaClient
    from aiokafka.errors import KafkaError

    client = AIOKafkaClient(bootstrap_servers=bootstrap, request_timeout_ms=int(timeout_s * 1000), **options)
    try:
        async with asyncio.timeout(timeout_s):
            await client.bootstrap()
            metadata = await client.fetch_all_metadata()
        return bool(metadata.brokers())
    except (KafkaError, OSError, TimeoutError):
        return False
    finally:
        await client.close()

from __future__ import annotations

from pathlib import Path

import pytest
from rcm_devstack import StackError, StackPorts
from rcm_devstack.layout import default_home


def test_ports_default_to_values_clear_of_system_servers() -> None:
    assert StackPorts.from_env({}) == StackPorts(kafka=19092, kafka_controller=19093, postgres=54329)


def test_ports_are_read_from_their_environment_variables() -> None:
    env = {"RCM_KAFKA_PORT": "1111", "RCM_KAFKA_CONTROLLER_PORT": "2222", "RCM_PG_PORT": "3333"}
    assert StackPorts.from_env(env) == StackPorts(kafka=1111, kafka_controller=2222, postgres=3333)


def test_a_port_that_is_not_a_number_is_refused_naming_the_variable() -> None:
    with pytest.raises(StackError, match="RCM_PG_PORT"):
        StackPorts.from_env({"RCM_PG_PORT": "fifty"})


def test_a_port_outside_the_valid_range_is_refused() -> None:
    with pytest.raises(StackError, match="RCM_KAFKA_PORT=70000"):
        StackPorts.from_env({"RCM_KAFKA_PORT": "70000"})


def test_two_listeners_on_one_port_are_refused() -> None:
    with pytest.raises(StackError, match="three different ports"):
        StackPorts.from_env({"RCM_KAFKA_PORT": "5000", "RCM_PG_PORT": "5000"})


def test_home_is_dot_rcm_in_the_directory_holding_uv_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RCM_HOME", raising=False)
    (tmp_path / "uv.lock").write_text("")
    nested = tmp_path / "services" / "claims"
    nested.mkdir(parents=True)
    assert default_home(nested) == tmp_path.resolve() / ".rcm"


def test_rcm_home_overrides_the_workspace_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RCM_HOME", str(tmp_path / "elsewhere"))
    assert default_home() == (tmp_path / "elsewhere").resolve()

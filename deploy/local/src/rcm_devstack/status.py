"""What the local stack is doing right now, printable for `rcm stack status`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ComponentStatus:
    """One process of the stack (kafka or postgres)."""

    name: str
    running: bool
    pid: int | None
    port: int
    log_path: Path
    data_dir: Path

    def __str__(self) -> str:
        state = f"running  pid {self.pid}" if self.running else "stopped"
        return f"{self.name:<9} {state:<18} 127.0.0.1:{self.port:<6} log {self.log_path}  data {self.data_dir}"


@dataclass(frozen=True)
class StackStatus:
    """Every component of the stack, in start order."""

    home: Path
    components: tuple[ComponentStatus, ...]

    @property
    def running(self) -> bool:
        """True when every component runs."""
        return all(component.running for component in self.components)

    def component(self, name: str) -> ComponentStatus:
        """The component called ``name`` ('kafka' or 'postgres')."""
        for component in self.components:
            if component.name == name:
                return component
        raise KeyError(name)

    def __str__(self) -> str:
        lines = [f"local stack in {self.home}"]
        lines += [f"  {component}" for component in self.components]
        return "\n".join(lines)

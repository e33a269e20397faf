"""The alert rules name only metrics the services export."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from prometheus_client import CollectorRegistry
from rcm_shared.messaging.metrics import MessagingMetrics

RULES = Path(__file__).resolve().parents[2] / "prometheus" / "alerts.yml"


def _exported_metric_names() -> set[str]:
    registry = CollectorRegistry()
    MessagingMetrics("test", registry)
    names: set[str] = set()
    for family in registry.collect():
        names.add(family.name)
        names.update(s.name for s in family.samples)
        if family.type == "counter":
            names.add(family.name + "_total")
    return names


def test_every_alert_expression_names_exported_metrics_and_has_a_summary() -> None:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    rules = [r for g in groups for r in g["rules"]]
    assert len(rules) >= 6
    exported = _exported_metric_names()
    for rule in rules:
        metrics = set(re.findall(r"\b(rcm_[a-z_]+)\b", rule["expr"]))
        assert metrics, rule["alert"]
        assert metrics <= exported, f"{rule['alert']} names unknown metric(s) {metrics - exported}"
        assert rule["annotations"]["summary"]

"""The sandbox's world, read from a data file: payers, plans, members, fee schedules, rules.

Everything here is synthetic. The platform's demo and CLI load the same file with
:func:`load_config` so they can pick members and payers the sandbox knows. The types are
the domain's (:mod:`rcm_sandbox.domain.payers`); the loading and validation live in
:mod:`rcm_sandbox.adapters.reference_data`. This module keeps the names in one public place.
"""

from __future__ import annotations

from rcm_sandbox.adapters.reference_data import default_config_path, load_config
from rcm_sandbox.domain.payers import (
    MedicalNecessityRule,
    Member,
    MemberScenario,
    MemberStatus,
    NcciPair,
    OnFile,
    Payer,
    PayerKind,
    Plan,
    ProviderAdjustmentRule,
    SandboxConfig,
)

__all__ = [
    "MedicalNecessityRule",
    "Member",
    "MemberScenario",
    "MemberStatus",
    "NcciPair",
    "OnFile",
    "Payer",
    "PayerKind",
    "Plan",
    "ProviderAdjustmentRule",
    "SandboxConfig",
    "default_config_path",
    "load_config",
]

"""Claim payments to and from JSON-ready dicts (for the SQLite storage); Decimals stay strings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from rcm_sandbox.domain.model import (
    Adjustment,
    ClaimPayment,
    ClaimStatusCode,
    GroupCode,
    LinePayment,
)


def _adj_to(a: Adjustment) -> dict[str, Any]:
    return {
        "group": a.group.value,
        "reason": a.reason,
        "amount": str(a.amount),
        "quantity": None if a.quantity is None else str(a.quantity),
    }


def _adj_from(d: dict[str, Any]) -> Adjustment:
    return Adjustment(
        GroupCode(d["group"]),
        d["reason"],
        Decimal(d["amount"]),
        None if d["quantity"] is None else Decimal(d["quantity"]),
    )


def payment_to_dict(p: ClaimPayment) -> dict[str, Any]:
    """A JSON-ready dict of a claim payment."""
    return {
        "patient_control_number": p.patient_control_number,
        "payer_id": p.payer_id,
        "member_id": p.member_id,
        "status": p.status.value,
        "charge": str(p.charge),
        "paid": str(p.paid),
        "patient_responsibility": str(p.patient_responsibility),
        "payer_claim_id": p.payer_claim_id,
        "frequency_code": p.frequency_code,
        "claim_adjustments": [_adj_to(a) for a in p.claim_adjustments],
        "remark_codes": list(p.remark_codes),
        "subscriber_last_name": p.subscriber_last_name,
        "subscriber_first_name": p.subscriber_first_name,
        "lines": [
            {
                "line_number": ln.line_number,
                "procedure_code": ln.procedure_code,
                "modifiers": list(ln.modifiers),
                "charge": str(ln.charge),
                "paid": str(ln.paid),
                "units": str(ln.units),
                "service_date": ln.service_date.isoformat(),
                "allowed": str(ln.allowed),
                "adjustments": [_adj_to(a) for a in ln.adjustments],
                "remark_codes": list(ln.remark_codes),
            }
            for ln in p.lines
        ],
    }


def payment_from_dict(d: dict[str, Any]) -> ClaimPayment:
    """Inverse of :func:`payment_to_dict`."""
    return ClaimPayment(
        patient_control_number=d["patient_control_number"],
        payer_id=d["payer_id"],
        member_id=d["member_id"],
        status=ClaimStatusCode(d["status"]),
        charge=Decimal(d["charge"]),
        paid=Decimal(d["paid"]),
        patient_responsibility=Decimal(d["patient_responsibility"]),
        payer_claim_id=d["payer_claim_id"],
        frequency_code=d["frequency_code"],
        claim_adjustments=tuple(_adj_from(a) for a in d["claim_adjustments"]),
        remark_codes=tuple(d["remark_codes"]),
        subscriber_last_name=d["subscriber_last_name"],
        subscriber_first_name=d["subscriber_first_name"],
        lines=tuple(
            LinePayment(
                line_number=ln["line_number"],
                procedure_code=ln["procedure_code"],
                modifiers=tuple(ln["modifiers"]),
                charge=Decimal(ln["charge"]),
                paid=Decimal(ln["paid"]),
                units=Decimal(ln["units"]),
                service_date=date.fromisoformat(ln["service_date"]),
                allowed=Decimal(ln["allowed"]),
                adjustments=tuple(_adj_from(a) for a in ln["adjustments"]),
                remark_codes=tuple(ln["remark_codes"]),
            )
            for ln in d["lines"]
        ),
    )

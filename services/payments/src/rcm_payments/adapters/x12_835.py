"""Reads 835 files with the X12 toolkit into the payments domain's remittances."""

from __future__ import annotations

from rcm_x12.reader import check_interchange
from rcm_x12.remit835 import Adjustment as X12Adjustment
from rcm_x12.remit835 import RemitClaim, RemitServiceLine, Remittance835

from rcm_payments.domain.errors import RemittanceFormatError
from rcm_payments.domain.model import Adjustment, ClaimPayment, ProviderAdjustment, Remittance, ServiceLinePayment

MAX_REASONS = 20


class X12RemittanceReader:
    """Every 835 transaction set of an interchange, or the structured reasons it is unreadable."""

    def read(self, content: str) -> list[Remittance]:
        """One remittance per 835 set; raise :class:`RemittanceFormatError` with X12 positions."""
        check = check_interchange(content)
        errors = [i for i in check.issues if i.severity == "error"]
        if errors:
            raise RemittanceFormatError([str(i) for i in errors[:MAX_REASONS]])
        remits = [r.document for r in check.results
                  if r.document_type == "835" and isinstance(r.document, Remittance835)]
        if not remits:
            raise RemittanceFormatError(["the interchange holds no 835 transaction set"])
        return [remittance_from_835(r) for r in remits]


def remittance_from_835(remit: Remittance835) -> Remittance:
    """The domain's view of one toolkit 835: the money, the claims and the adjustments."""
    return Remittance(
        trace_number=remit.trace_number, payment_amount=remit.payment_amount, payment_date=remit.payment_date,
        claims=tuple(_claim(c) for c in remit.claims),
        provider_adjustments=tuple(ProviderAdjustment(p.reason_code, p.amount) for p in remit.provider_adjustments),
    )


def _adjustments(adjustments: tuple[X12Adjustment, ...]) -> tuple[Adjustment, ...]:
    return tuple(Adjustment(a.group_code, a.reason_code, a.amount) for a in adjustments)


def _line(line: RemitServiceLine) -> ServiceLinePayment:
    return ServiceLinePayment(procedure_code=line.procedure_code, charge=line.charge, paid=line.paid,
                              adjustments=_adjustments(line.adjustments))


def _claim(claim: RemitClaim) -> ClaimPayment:
    return ClaimPayment(
        patient_control_number=claim.patient_control_number, status_code=claim.status, charge=claim.charge,
        paid=claim.paid, payer_claim_control_number=claim.payer_claim_control_number,
        patient_responsibility=claim.patient_responsibility, adjustments=_adjustments(claim.adjustments),
        lines=tuple(_line(ln) for ln in claim.lines),
    )

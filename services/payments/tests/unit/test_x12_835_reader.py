"""The 835 adapter: the X12 toolkit's model -> the domain's remittances, and the same balancing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rcm_payments.adapters.x12_835 import X12RemittanceReader, remittance_from_835
from rcm_payments.domain.errors import RemittanceFormatError
from rcm_payments.domain.model import Adjustment, ClaimPayment, ProviderAdjustment, ServiceLinePayment, balance_problems
from rcm_x12 import EnvelopeParams
from rcm_x12 import remit835 as x12
from rcm_x12.ack999 import Ack999, write_999

ENVELOPE = EnvelopeParams(sender_id="SANDBOXCH", receiver_id="RCMPLATFORM", interchange_control_number=7,
                          group_control_number=7, transaction_control_number=7, date=date(2026, 10, 20))


def x12_claim(pcn: str = "C1", paid: str = "80.00", status: str = "1") -> x12.RemitClaim:
    copay = D("185.00") - D("85.00") - D(paid)
    line = x12.RemitServiceLine("99213", D("185.00"), D(paid), units=D(1), service_date=date(2026, 9, 10),
                                adjustments=(x12.Adjustment("CO", "45", D("85.00")), x12.Adjustment("PR", "3", copay)))
    return x12.RemitClaim(pcn, status, D("185.00"), D(paid), f"PCN-{pcn}", patient_responsibility=copay,
                          lines=(line,), adjustments=(x12.Adjustment("OA", "23", D("0.00")),))


def x12_remit(*claims: x12.RemitClaim, payment: D | None = None,
              plb: tuple[D, ...] = ()) -> x12.Remittance835:
    total = sum((c.paid for c in claims), D(0)) - sum(plb, D(0)) if payment is None else payment
    return x12.Remittance835(
        total, "ACH", date(2026, 10, 20), "TRN00007", x12.RemitPayer("SANDBOX PPO"),
        x12.RemitPayee("SYNTHETIC FAMILY PRACTICE", "1987654328"), claims,
        provider_adjustments=tuple(x12.ProviderAdjustment("1987654328", date(2026, 12, 31), "L6", a) for a in plb))


def test_an_835_is_read_into_the_domains_remittance() -> None:
    content = x12.write_835(x12_remit(x12_claim("C1"), x12_claim("C2", "60.00", "4"), plb=(D("-1.25"),)), ENVELOPE)
    [remittance] = X12RemittanceReader().read(content)
    assert (remittance.trace_number, remittance.payment_amount, remittance.payment_date) == (
        "TRN00007", D("141.25"), date(2026, 10, 20))
    assert remittance.provider_adjustments == (ProviderAdjustment("L6", D("-1.25")),)
    first, second = remittance.claims
    assert first == ClaimPayment(
        patient_control_number="C1", status_code="1", charge=D("185.00"), paid=D("80.00"),
        payer_claim_control_number="PCN-C1", patient_responsibility=D("20.00"),
        adjustments=(Adjustment("OA", "23", D("0.00")),),
        lines=(ServiceLinePayment("99213", D("185.00"), D("80.00"),
                                  (Adjustment("CO", "45", D("85.00")), Adjustment("PR", "3", D("20.00")))),),
    )
    assert (second.patient_control_number, second.status_code, second.paid) == ("C2", "4", D("60.00"))


def test_an_unreadable_835_is_refused_with_segment_positions() -> None:
    content = x12.write_835(x12_remit(x12_claim("C5")), ENVELOPE).replace("CLP*C5*1*185", "CLP*C5*1*ABC")
    with pytest.raises(RemittanceFormatError) as caught:
        X12RemittanceReader().read(content)
    assert caught.value.reasons and any("segment" in r and "CLP" in r for r in caught.value.reasons)


def test_an_interchange_without_an_835_is_refused() -> None:
    content = write_999(Ack999("HC", "7", "A", 1, 1, 1, version="005010X222A1"), ENVELOPE)
    with pytest.raises(RemittanceFormatError) as caught:
        X12RemittanceReader().read(content)
    assert caught.value.reasons == ["the interchange holds no 835 transaction set"]


cents = st.decimals(min_value=D("-500.00"), max_value=D("500.00"), places=2)


@st.composite
def toolkit_remittances(draw: st.DrawFn) -> x12.Remittance835:
    def adjustments() -> tuple[x12.Adjustment, ...]:
        return tuple(x12.Adjustment(draw(st.sampled_from(["CO", "PR", "OA"])), "45", draw(cents))
                     for _ in range(draw(st.integers(0, 2))))

    claims = []
    for n in range(draw(st.integers(1, 3))):
        lines = tuple(x12.RemitServiceLine("99213", draw(cents), draw(cents), adjustments=adjustments())
                      for _ in range(draw(st.integers(0, 2))))
        claims.append(x12.RemitClaim(f"C{n}", "1", draw(cents), draw(cents), f"P{n}", adjustments=adjustments(),
                                     lines=lines))
    plb = tuple(draw(st.lists(cents, max_size=2)))
    return x12_remit(*claims, payment=draw(st.one_of(st.none(), cents)), plb=plb)


@settings(max_examples=200, deadline=None)
@given(toolkit_remittances())
def test_the_domain_balances_exactly_as_the_835_guide_checks_of_the_toolkit(remit: x12.Remittance835) -> None:
    ours = [(p.level, p.reason, p.difference, p.patient_control_number, p.line_number)
            for p in balance_problems(remittance_from_835(remit))]
    toolkit = [(p.level, p.reason, p.difference, p.patient_control_number, p.line_number)
               for p in x12.balance_problems(remit)]
    assert ours == toolkit
    assert [str(p[2]) for p in ours] == [str(p[2]) for p in toolkit]  # the same digits in the reasons

"""The sandbox's use cases over structured data: eligibility, claim intake, remittance release.

The X12 boundary (:mod:`rcm_sandbox.x12_gateway`) turns interchanges into these calls and
their results back into X12; tests can drive this layer directly.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from rcm_sandbox.config import MemberScenario, SandboxConfig
from rcm_sandbox.domain.accumulators import Accumulator
from rcm_sandbox.domain.acknowledgement import acknowledge_claim
from rcm_sandbox.domain.adjudication import (
    AdjudicationContext,
    accumulator_contribution,
    adjudicate_claim,
    reversal_of,
)
from rcm_sandbox.domain.eligibility import EligibilityInquiry, EligibilityResult, check_eligibility
from rcm_sandbox.domain.ids import payer_claim_control_number, trace_number
from rcm_sandbox.domain.model import (
    AckCategory,
    Claim,
    ClaimAcknowledgement,
    ClaimPayment,
    ClaimStatusCode,
    Remittance,
)
from rcm_sandbox.domain.remittance import PendingPayment, build_remittance
from rcm_sandbox.serialization import payment_from_dict, payment_to_dict
from rcm_sandbox.storage import MailboxRow, Store

Clock = Callable[[], datetime]


def shifted_clock(business_date: date, real: Clock) -> Clock:
    """A clock whose today is ``business_date`` at the moment it is made and which then runs on
    with real time, so remittance delays and batch timings still hold."""
    start = real()
    offset = datetime.combine(business_date, start.timetz()) - start
    return lambda: real() + offset


@dataclass(frozen=True)
class AcceptedClaim:
    """A claim and the front-end decision on it (payer claim id when accepted)."""

    claim: Claim
    ack: ClaimAcknowledgement
    payer_claim_id: str | None


@dataclass(frozen=True)
class StatusAnswer:
    """What the payer knows about one claim for a 276 (None fields when not found)."""

    patient_control_number: str
    found: bool
    category: str
    status_code: str
    charge: Decimal | None = None
    paid: Decimal | None = None
    payer_claim_id: str | None = None
    check_number: str | None = None
    paid_date: str | None = None


class SandboxService:
    """Use cases; every public method is one consistent step on the store."""

    def __init__(self, config: SandboxConfig, store: Store, seed: int, remit_delay: timedelta, clock: Clock) -> None:
        self.config = config
        self.store = store
        self.seed = seed
        self.remit_delay = remit_delay
        self.clock = clock

    # Sequences ---------------------------------------------------------------------------
    def next_control_number(self) -> int:
        """ISA13/GS06/ST02 source for everything the sandbox writes (1..999999999)."""
        return (self.store.increment("outbound_control_number") - 1) % 999_999_999 + 1

    def _next_payer_claim_id(self) -> str:
        return payer_claim_control_number(self.seed, self.store.increment("payer_claim_id"))

    # Eligibility -------------------------------------------------------------------------
    def answer_eligibility(self, inquiries: list[EligibilityInquiry]) -> list[EligibilityResult]:
        """Answer each inquiry from the roster and the member's accumulators."""
        results = []
        for inquiry in inquiries:
            self.store.increment("eligibility_requests")
            member = self.config.member(inquiry.member_id)
            acc = self._accumulator(member.member_id, inquiry.service_date.year) if member else None
            results.append(check_eligibility(inquiry, self.config, acc))
        return results

    def _accumulator(self, member_id: str, year: int) -> Accumulator:
        stored = self.store.accumulator(member_id, year)
        if stored is not None:
            return Accumulator(*stored)
        member = self.config.member(member_id)
        assert member is not None
        return Accumulator.opening(member)

    # Interchanges ------------------------------------------------------------------------
    def register_interchange(self, sender: str, control_number: str, kind: str) -> bool:
        """Count an interchange; False when this sender already sent this ISA13 (a duplicate)."""
        self.store.increment("interchanges_received")
        if kind != "837":
            return True
        fresh = self.store.remember_interchange(sender, control_number, kind, self.clock())
        if not fresh:
            self.store.increment("duplicate_interchanges")
        return fresh

    def put_file(self, kind: str, content: str) -> MailboxRow:
        """Drop a file in the mailbox."""
        now = self.clock()
        number = self.store.increment(f"file_{kind}")
        file_id = f"{kind}-{self.seed}-{number:08d}"
        seq = self.store.put_file(file_id, kind, now, content)
        return MailboxRow(seq, file_id, kind, now.isoformat(), content)

    # Claims ------------------------------------------------------------------------------
    def submit_claims(self, claims: list[Claim]) -> list[AcceptedClaim]:
        """Front-end edit each claim, store it, adjudicate the accepted ones, queue their 835s."""
        now = self.clock()
        out: list[AcceptedClaim] = []
        for claim in claims:
            existing = self.store.claim(claim.patient_control_number, claim.frequency_code)
            if existing is not None:
                self.store.count_claim_again(claim.patient_control_number, claim.frequency_code)
            ack = acknowledge_claim(claim, self.config, now.date(), already_received=existing is not None)
            prior = None
            if ack.accepted and claim.frequency_code in ("7", "8"):
                prior = self._original_of(claim)
                if prior is None:
                    ack = replace(
                        ack,
                        category=AckCategory.INVALID_INFORMATION,
                        status_code="21",
                        entity_code=None,
                        reason="original claim (REF*F8) not found",
                    )
            if existing is not None:
                out.append(AcceptedClaim(claim, ack, None))
                continue
            payer_claim_id = self._store_and_adjudicate(claim, ack, prior, now) if ack.accepted else None
            if not ack.accepted:
                self._insert_claim(claim, ack, now, status="rejected")
            out.append(AcceptedClaim(claim, ack, payer_claim_id))
        return out

    def _original_of(self, claim: Claim) -> Any:
        if claim.original_payer_claim_id:
            row = self.store.claim_by_payer_claim_id(claim.original_payer_claim_id)
            if row is not None:
                return row
        for row in reversed(self.store.claims_by_pcn(claim.patient_control_number)):
            if row["payment"] is not None and row["status"] not in ("replaced", "voided"):
                return row
        return None

    def _insert_claim(self, claim: Claim, ack: ClaimAcknowledgement, now: datetime, status: str) -> None:
        self.store.insert_claim(
            {
                "patient_control_number": claim.patient_control_number,
                "frequency_code": claim.frequency_code,
                "payer_id": claim.payer_id,
                "member_id": claim.member_id.upper(),
                "status": status,
                "charge": str(claim.total_charge),
                "line_signature": claim.line_signature,
                "first_service_date": claim.first_service_date.isoformat() if claim.lines else "",
                "received_at": now.isoformat(),
                "payee_npi": claim.billing_npi,
                "ack_category": ack.category.value,
                "ack_code": ack.status_code,
            }
        )

    def _store_and_adjudicate(self, claim: Claim, ack: ClaimAcknowledgement, prior: Any, now: datetime) -> str:
        member = self.config.member(claim.member_id)
        payer = self.config.payer(claim.payer_id)
        assert member is not None and payer is not None  # the front-end edits guarantee both
        self._insert_claim(claim, ack, now, status="adjudicated")
        due = now + self.remit_delay
        year = claim.first_service_date.year
        acc = self._accumulator(member.member_id, year)
        after: int | None = None
        if prior is not None:
            # A replacement or void first takes back the earlier payment and what it
            # added to the member's accumulators.
            earlier = payment_from_dict(json.loads(prior["payment"]))
            ded, oop = accumulator_contribution(earlier)
            acc = acc.plus(-ded, -oop)
            # The reversal and the replacement both wait for the original's 835, and then
            # travel together in the next one.
            after = prior["last_item"]
            self.store.queue_payment(
                payer.payer_id,
                claim.billing_npi,
                due,
                payment_to_dict(reversal_of(earlier)),
                claim.patient_control_number,
                claim.frequency_code,
                after_item=after,
            )
            self.store.update_claim(
                prior["patient_control_number"],
                prior["frequency_code"],
                status="voided" if claim.frequency_code == "8" else "replaced",
            )
        payer_claim_id = self._next_payer_claim_id()
        if claim.frequency_code == "8":
            self.store.update_claim(
                claim.patient_control_number,
                claim.frequency_code,
                status="voided",
                payer_claim_id=payer_claim_id,
                last_item=after,
            )
            self.store.save_accumulator(member.member_id, year, acc.deductible_met, acc.out_of_pocket_met)
            return payer_claim_id
        ctx = AdjudicationContext(
            payer=payer,
            member=member,
            plan=self.config.plan_of(member),
            accumulator=acc,
            received_on=now.date(),
            payer_claim_id=payer_claim_id,
            prior_claims={
                (member.member_id, sig): pcn for sig, pcn in self.store.adjudicated_signatures(member.member_id).items()
            },
        )
        reprocess = member.scenario is MemberScenario.REPROCESS and claim.frequency_code == "1"
        first_ctx = replace(ctx, allowed_factor=payer.reprocess_first_payment_factor) if reprocess else ctx
        result = adjudicate_claim(claim, first_ctx)
        payment, final_acc = result.payment, result.accumulator
        item = self.store.queue_payment(
            payer.payer_id,
            claim.billing_npi,
            due,
            payment_to_dict(payment),
            claim.patient_control_number,
            claim.frequency_code,
            after_item=after,
        )
        if reprocess and payment.status is ClaimStatusCode.PROCESSED_PRIMARY:
            # The payer later finds its own pricing error: it reverses the payment and
            # re-adjudicates at the contracted schedule, both after the original went out.
            corrected = adjudicate_claim(claim, replace(ctx, payer_claim_id=self._next_payer_claim_id()))
            self.store.queue_payment(
                payer.payer_id,
                claim.billing_npi,
                due,
                payment_to_dict(reversal_of(payment)),
                claim.patient_control_number,
                claim.frequency_code,
                after_item=item,
            )
            item = self.store.queue_payment(
                payer.payer_id,
                claim.billing_npi,
                due,
                payment_to_dict(corrected.payment),
                claim.patient_control_number,
                claim.frequency_code,
                after_item=item,
            )
            final_acc = corrected.accumulator
        self.store.save_accumulator(member.member_id, year, final_acc.deductible_met, final_acc.out_of_pocket_met)
        self.store.update_claim(
            claim.patient_control_number,
            claim.frequency_code,
            payer_claim_id=payment.payer_claim_id,
            payment=json.dumps(payment_to_dict(payment)),
            paid=str(payment.paid),
            carc_codes=json.dumps(list(payment.carc_codes)),
            claim_status=payment.status.value,
            last_item=item,
        )
        return payer_claim_id

    # Remittances -------------------------------------------------------------------------
    def due_remittances(self, force: bool) -> list[Remittance]:
        """Build (and mark as sent) one 835 per payer and payee from the releasable queue.

        The caller renders each and drops it in the mailbox in the same transaction.
        ``force`` ignores the delay (not the order: a reversal still waits for its original).
        """
        now = self.clock()
        items = self.store.releasable_items(None if force else now)
        groups: dict[tuple[str, str], list[Any]] = defaultdict(list)
        for item in items:
            groups[(item.payer_id, item.payee_npi)].append(item)
        remittances: list[Remittance] = []
        for (payer_id, payee_npi), group in sorted(groups.items()):
            payer = self.config.payer(payer_id)
            assert payer is not None
            pending = [PendingPayment(payment_from_dict(i.payment), payee_npi) for i in group]
            trace = trace_number(self.seed, self.store.increment("trace_number"))
            remittance = build_remittance(payer, pending, trace, now.date(), self.config)
            file_id = f"835-{payer_id}-{trace}"
            self.store.mark_sent([i.id for i in group], file_id)
            for p in pending:
                self._record_paid(p.payment, trace, now)
            self.store.record_remittance(
                file_id,
                payer_id,
                trace,
                sum((c.paid for c in remittance.claims), Decimal("0.00")),
                remittance.total_payment,
                now,
            )
            remittances.append(remittance)
        return remittances

    def _record_paid(self, payment: ClaimPayment, trace: str, now: datetime) -> None:
        if payment.status is ClaimStatusCode.REVERSAL:
            return
        row = self.store.claim_by_payer_claim_id(payment.payer_claim_id)
        key = (payment.patient_control_number, payment.frequency_code)
        if row is None:
            # A corrected claim carries a new payer claim id: it updates the same claim row.
            self.store.update_claim(*key, payer_claim_id=payment.payer_claim_id)
        status = "paid" if payment.status is ClaimStatusCode.PROCESSED_PRIMARY else "denied"
        current = self.store.claim(*key)
        if current is not None and current["status"] in ("replaced", "voided"):
            status = current["status"]
        self.store.update_claim(
            *key,
            status=status,
            paid=str(payment.paid),
            check_number=trace,
            paid_date=now.date().isoformat(),
            carc_codes=json.dumps(list(payment.carc_codes)),
            claim_status=payment.status.value,
            payment=json.dumps(payment_to_dict(payment)),
        )

    # Claim status ------------------------------------------------------------------------
    def claim_status(self, patient_control_number: str, member_id: str) -> StatusAnswer:
        """Status of the latest claim under this patient control number for this member."""
        rows = [
            r for r in self.store.claims_by_pcn(patient_control_number) if r["member_id"] == member_id.strip().upper()
        ]
        if not rows:
            return StatusAnswer(patient_control_number, False, "A4", "35")
        row = rows[-1]
        charge = Decimal(row["charge"])
        if row["status"] == "rejected":
            return StatusAnswer(patient_control_number, True, row["ack_category"], row["ack_code"], charge)
        if row["status"] == "adjudicated":
            return StatusAnswer(patient_control_number, True, "P1", "20", charge, None, row["payer_claim_id"])
        paid = Decimal(row["paid"])
        category, code = (
            ("F1", "65") if row["claim_status"] == ClaimStatusCode.PROCESSED_PRIMARY.value else ("F2", "88")
        )
        return StatusAnswer(
            patient_control_number,
            True,
            category,
            code,
            charge,
            paid,
            row["payer_claim_id"],
            row["check_number"],
            row["paid_date"],
        )

    # Views -------------------------------------------------------------------------------
    def stats(self) -> dict[str, Any]:
        """Counters for tests and dashboards (money as strings).

        claims_received counts unique (patient control number, frequency) pairs; a resend
        raises that claim's times_received instead. claims_paid / claims_denied split the
        adjudicated claims by CLP02 (1 processed, including $0 applied to the deductible;
        4 denied). total_paid is the sum of CLP04 over the 835s sent (reversals negative).
        """
        rows = self.store.all_claims()
        remittances_sent, total_paid = self.store.remittance_totals()
        adjudicated = [r for r in rows if r["claim_status"] is not None]
        return {
            "interchanges_received": self.store.counter("interchanges_received"),
            "duplicate_interchanges": self.store.counter("duplicate_interchanges"),
            "claims_received": len(rows),
            "claims_accepted": sum(1 for r in rows if r["ack_category"] == AckCategory.ACCEPTED.value),
            "claims_rejected": sum(1 for r in rows if r["ack_category"] != AckCategory.ACCEPTED.value),
            "claims_adjudicated": len(adjudicated),
            "claims_paid": sum(1 for r in adjudicated if r["claim_status"] == ClaimStatusCode.PROCESSED_PRIMARY.value),
            "claims_denied": sum(1 for r in adjudicated if r["claim_status"] == ClaimStatusCode.DENIED.value),
            "remittances_sent": remittances_sent,
            "remittances_pending": self.store.pending_item_count(),
            "total_paid": str(total_paid),
            "eligibility_requests": self.store.counter("eligibility_requests"),
        }

    def claims_view(self) -> list[dict[str, Any]]:
        """Every received claim with its current state."""
        return [
            {
                "patient_control_number": r["patient_control_number"],
                "frequency_code": r["frequency_code"],
                "payer_id": r["payer_id"],
                "status": r["status"],
                "acknowledgement": f"{r['ack_category']}:{r['ack_code']}",
                "charge": r["charge"],
                "paid": r["paid"],
                "times_received": r["times_received"],
                "carc_codes": json.loads(r["carc_codes"]),
                "payer_claim_id": r["payer_claim_id"],
                "check_number": r["check_number"],
            }
            for r in self.store.all_claims()
        ]

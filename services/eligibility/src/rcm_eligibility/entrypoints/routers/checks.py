"""``POST /v1/eligibility/checks``: ask the payer now."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from rcm_shared.auth import Permission
from rcm_shared.messaging import TransientError
from rcm_shared.web import PhiReadsDep, ProblemError, problem_responses, requires

from rcm_eligibility.adapters.translate import member
from rcm_eligibility.domain.commands import CheckEligibility
from rcm_eligibility.domain.errors import EligibilityRequestRejectedError
from rcm_eligibility.entrypoints.routers.deps import GatewayDep, UnitOfWorkDep
from rcm_eligibility.entrypoints.schemas import CoverageCheckPublic, EligibilityInquiry
from rcm_eligibility.service import handlers

router = APIRouter(dependencies=[requires(Permission.ELIGIBILITY_CHECK)], prefix="/v1/eligibility",
                   tags=["eligibility"])


def _command(body: EligibilityInquiry) -> CheckEligibility:
    return CheckEligibility(
        encounter_id=body.encounter_id or f"INQ-{uuid.uuid4().hex[:20]}",
        payer_id=body.payer_id,
        payer_name=body.payer_name,
        member_id=body.member_id,
        subscriber=member(body.subscriber),
        patient=member(body.patient) if body.patient else None,
        provider_npi=body.provider.npi,
        provider_name=body.provider.last_name_or_org,
        date_of_service=body.date_of_service,
    )


@router.post("/checks", summary="Check coverage now (270/271)", responses=problem_responses(422, 502, 503))
async def post_check(body: EligibilityInquiry, uow: UnitOfWorkDep, gateway: GatewayDep,
                     reads: PhiReadsDep) -> CoverageCheckPublic:
    """Ask the payer about a member now; the answer is recorded and announced as ``EligibilityChecked``.

    Nothing caused this check, so its event starts a chain correlated to the encounter id.
    """
    try:
        async with uow:
            check = await handlers.check_eligibility(_command(body), uow, cause=None, gateway=gateway)
            await reads.record(uow, "eligibility.coverage", [check.encounter_id])
            await uow.commit()
    except TransientError as exc:
        raise ProblemError(503, str(exc), kind="clearinghouse-unavailable") from exc
    except EligibilityRequestRejectedError as exc:
        raise ProblemError(502, str(exc), kind="eligibility-request-rejected") from exc
    return CoverageCheckPublic.of(check)

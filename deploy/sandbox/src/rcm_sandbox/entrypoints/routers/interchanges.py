"""POST /v1/x12: an interchange in, its X12 answer out."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request, Response
from rcm_shared.auth import Permission
from rcm_shared.web import requires

from rcm_sandbox.adapters.x12_gateway import EDI_MEDIA_TYPE
from rcm_sandbox.entrypoints.dependencies import DeskDep
from rcm_sandbox.entrypoints.interchanges import X12Refusal
from rcm_sandbox.entrypoints.problems import X12_PROBLEM_RESPONSES, X12ProblemError

router = APIRouter(dependencies=[requires(Permission.CLEARINGHOUSE_EXCHANGE)], tags=["x12"])

_X12_BODY = {"schema": {"type": "string", "description": "an X12 5010 interchange"}}


class X12Response(Response):
    """An X12 interchange as the answer."""

    media_type = EDI_MEDIA_TYPE


@router.post(
    "/v1/x12",
    summary="Send an interchange: 270 -> 271, 276 -> 277, 837 -> 999 (or TA1 025 when resent)",
    response_class=X12Response,
    responses={
        200: {
            "description": "the X12 answer; an 837's 999 and 277CA also go to the mailbox, its 835 later",
            "content": {EDI_MEDIA_TYPE: _X12_BODY},
            "headers": {
                "X-Sandbox-Result": {
                    "description": "for an 837: accepted, rejected (by the 999) or duplicate (TA1 025)",
                    "schema": {"type": "string", "enum": ["accepted", "rejected", "duplicate"]},
                }
            },
        },
        **X12_PROBLEM_RESPONSES,
    },
    openapi_extra={"requestBody": {"required": True, "content": {EDI_MEDIA_TYPE: _X12_BODY}}},
)
async def post_interchange(request: Request, desk: DeskDep) -> Response:
    """Answer one interchange; 837 work is one storage transaction."""
    try:
        text = (await request.body()).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise X12ProblemError("body is not UTF-8 text", kind="not-utf8", result=None) from exc
    # SQLite work is blocking: keep it off the event loop.
    answer = await asyncio.to_thread(desk.handle, text)
    if isinstance(answer, X12Refusal):
        raise X12ProblemError(
            answer.reason, kind=answer.kind, issues=answer.issues, acknowledgement=answer.acknowledgement
        )
    headers = {"X-Sandbox-Result": answer.result} if answer.result is not None else None
    return X12Response(answer.body, headers=headers)

"""Reads 835 files with the X12 toolkit for posting."""

from __future__ import annotations

from rcm_x12.reader import check_interchange
from rcm_x12.remit835 import Remittance835

from rcm_payments.service.handlers import RemittanceFormatError


class X12RemittanceReader:
    """Every 835 transaction set of an interchange, or the structured reasons it is unreadable."""

    def read(self, content: str) -> list[Remittance835]:
        check = check_interchange(content)
        errors = [i for i in check.issues if i.severity == "error"]
        if errors:
            raise RemittanceFormatError([str(i) for i in errors[:20]])
        remits = [r.document for r in check.results if r.document_type == "835" and r.document is not None]
        if not remits:
            raise RemittanceFormatError(["the interchange holds no 835 transaction set"])
        return remits

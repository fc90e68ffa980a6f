"""Enums of cases and signals, derived from the models' choices (the staff search's hit kinds are the
gateway's own)."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

import strawberry

from graph.core.enums import choices_enum
from portal.cases.models import Case, CaseTransfer, Signal

if TYPE_CHECKING:  # for the type checker the enums are the models' choices: same member names and values
    CaseStatus = Case.Status
    SignalStatus = Signal.Status
    CaseTransferStatus = CaseTransfer.Status
    TransferMeasureFate = CaseTransfer.MeasureFate
else:
    CaseStatus = choices_enum(Case.Status, name="CaseStatus", description="Status of a case.")
    SignalStatus = choices_enum(Signal.Status, name="SignalStatus", description="Status of a signal.")
    CaseTransferStatus = choices_enum(CaseTransfer.Status, name="CaseTransferStatus",
                                      description="Status of a transfer of a case to another institution.")
    TransferMeasureFate = choices_enum(
        CaseTransfer.MeasureFate, name="TransferMeasureFate",
        description="What a transfer does with an open partner measure of the case: it follows the case to the "
                    "receiving institution or is cancelled.")


@strawberry.enum(description="What a staff search hit is.")
class StaffHitKind(Enum):
    CASE = "case"
    PERSON = "person"

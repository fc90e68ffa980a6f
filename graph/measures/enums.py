"""Enums of measures, derived from the model's choices."""

from __future__ import annotations

from typing import TYPE_CHECKING

from graph.core.enums import choices_enum
from portal.cases.models import Measure
from portal.partners.models import HelpKind

if TYPE_CHECKING:  # for the type checker the enums are the model's choices: same member names and values
    MeasureStatus = Measure.Status
    MeasureReasonCode = Measure.ReasonCode
    HelpKindEnum = HelpKind
else:
    MeasureStatus = choices_enum(Measure.Status, name="MeasureStatus", description="Status of a measure.")
    MeasureReasonCode = choices_enum(
        Measure.ReasonCode, name="MeasureReasonCode",
        description="Coded reason a measure was not fulfilled or was returned («other» needs a comment).")
    HelpKindEnum = choices_enum(HelpKind, name="HelpKindEnum", description="Kind of help (вид помощи).")

"""Writes and rules of the case workflow (seed 003 §5–6), one module per sub-domain:

signal → check → registration (needs consent) → programme (ИПССС) approved collegially →
measures executed by partners → interim review after 3 months → close or extend
(6 months at most, 12 in total by collegial decision).

- `signals`: receiving and checking signals (сигналы);
- `households`: households, persons and their consents;
- `programmes`: registering a case, its programme and measures added to it, review, extension, closing;
- `transfers`: transfer of a case to another institution when the family moves (proposed, accepted or declined);
- `measures`: the case manager's and the responsible organisation's changes of a measure;
- `common`: the one change helper (`change`: snapshot → set → save the changed fields → audit record) and the
  scoped loading of a case or measure for a change.

Every function is one transaction, takes a Viewer, checks scope and state, and leaves an audit record. Case and
measure changes carry a version number: a stale version raises Conflict with the current object. Every refusal
(not found, not allowed, wrong state, stale version) is kept as an attempt row by `audit.audited_write`, the one
decorator of the public writes.

Territory: households, persons and registrations stay inside the actor's territory (`access.may_work_in_precinct`);
taking over a family of another institution's territory is a transfer (`transfers`), not a registration, and is
refused.

The use cases are re-exported here: callers write `from portal.cases import services; services.assign_measure(…)`.
"""

from portal.cases.services.common import ACTIVE_CASE_STATUSES
from portal.cases.services.households import (
    PERSON_FIELDS,
    create_household,
    create_person,
    record_consent,
    update_person,
    withdraw_consent,
)
from portal.cases.services.measures import (
    accept_measure,
    cancel_measure,
    comment_measure,
    fulfil_measure,
    reassign_measure,
    report_measure_not_fulfilled,
    return_measure,
    set_shared_fields,
)
from portal.cases.services.programmes import (
    MAX_START_DELAY_DAYS,
    approve_programme,
    assign_measure,
    close_case,
    extend_case,
    record_monitoring_inspection,
    record_programme_version,
    record_review,
    register_case,
)
from portal.cases.services.signals import (
    confirm_signal,
    dismiss_signal,
    receive_signal,
    record_inspection,
    start_signal_check,
)
from portal.cases.services.transfers import accept_transfer, decline_transfer, propose_transfer

__all__ = [
    "ACTIVE_CASE_STATUSES",
    "MAX_START_DELAY_DAYS",
    "PERSON_FIELDS",
    "accept_measure",
    "accept_transfer",
    "approve_programme",
    "assign_measure",
    "cancel_measure",
    "close_case",
    "comment_measure",
    "confirm_signal",
    "create_household",
    "create_person",
    "decline_transfer",
    "dismiss_signal",
    "extend_case",
    "fulfil_measure",
    "propose_transfer",
    "reassign_measure",
    "receive_signal",
    "record_consent",
    "record_inspection",
    "record_monitoring_inspection",
    "record_programme_version",
    "record_review",
    "register_case",
    "report_measure_not_fulfilled",
    "return_measure",
    "set_shared_fields",
    "start_signal_check",
    "update_person",
    "withdraw_consent",
]

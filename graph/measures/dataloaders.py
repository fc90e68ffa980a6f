"""Dataloaders of a measure's relations: the shared recipient data, the history, the comments, the case."""

from __future__ import annotations

from graph.core.dataloaders import ListLoader, ObjectLoader, ScopedLoader
from portal.audit.models import AuditEvent
from portal.cases import selectors as cases
from portal.cases.models import Case, Measure, MeasureComment

#: Most entries of a measure's history, and of its comments (the newest are kept).
MAX_HISTORY = 200
MAX_COMMENTS = 200


class RecipientDataLoader(ScopedLoader[int, dict[str, str]]):
    """Recipient data each measure shares with its organisation; the selector records one access record per
    measure whose shared data is personal (152-FZ art. 19)."""

    def fetch(self, keys: list[int]) -> dict[int, dict[str, str]]:
        return cases.shared_recipient_data_many(viewer=self.viewer, measures=[Measure(pk=pk) for pk in keys])

    def missing(self) -> dict[str, str]:
        return {}


class HistoryByMeasureLoader(ListLoader[AuditEvent]):
    def fetch(self, keys: list[int]) -> dict[int, list[AuditEvent]]:
        return cases.measure_histories(viewer=self.viewer, measure_ids=keys, newest=MAX_HISTORY)


class CommentsByMeasureLoader(ListLoader[MeasureComment]):
    def fetch(self, keys: list[int]) -> dict[int, list[MeasureComment]]:
        return cases.measure_comments_of(viewer=self.viewer, measure_ids=keys, newest=MAX_COMMENTS)


class CaseOfMeasureLoader(ObjectLoader[Case]):
    """The case of a measure, by case id (staff who may read it; None for partners and outside the scope)."""

    def fetch(self, keys: list[int]) -> dict[int, Case]:
        return cases.cases_by_id(viewer=self.viewer, case_ids=keys)

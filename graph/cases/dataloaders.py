"""Dataloaders of the relations of cases, households and persons (staff only; scoped by the selectors)."""

from __future__ import annotations

from graph.core.dataloaders import ListLoader
from portal.cases import selectors as cases
from portal.cases.models import CaseTransfer, CollegialDecision, Consent, Measure, Person, Review

#: Most measures of a case listed in `Case.measures` (a programme has a few dozen at most).
MAX_MEASURES_PER_CASE = 200
#: Most reviews, decisions of a case; members of a household; consents of a person.
MAX_NESTED = 100


class MeasuresByCaseLoader(ListLoader[Measure]):
    def fetch(self, keys: list[int]) -> dict[int, list[Measure]]:
        return cases.measures_of_cases(viewer=self.viewer, case_ids=keys, first=MAX_MEASURES_PER_CASE)


class ReviewsByCaseLoader(ListLoader[Review]):
    def fetch(self, keys: list[int]) -> dict[int, list[Review]]:
        return cases.reviews_of_cases(viewer=self.viewer, case_ids=keys, first=MAX_NESTED)


class DecisionsByCaseLoader(ListLoader[CollegialDecision]):
    def fetch(self, keys: list[int]) -> dict[int, list[CollegialDecision]]:
        return cases.decisions_of_cases(viewer=self.viewer, case_ids=keys, first=MAX_NESTED)


class MembersByHouseholdLoader(ListLoader[Person]):
    def fetch(self, keys: list[int]) -> dict[int, list[Person]]:
        return cases.members_of_households(viewer=self.viewer, household_ids=keys, first=MAX_NESTED)


class ConsentsByPersonLoader(ListLoader[Consent]):
    def fetch(self, keys: list[int]) -> dict[int, list[Consent]]:
        return cases.consents_of_persons(viewer=self.viewer, person_ids=keys, first=MAX_NESTED)


class TransfersByCaseLoader(ListLoader[CaseTransfer]):
    def fetch(self, keys: list[int]) -> dict[int, list[CaseTransfer]]:
        return cases.transfers_of_cases(viewer=self.viewer, case_ids=keys, first=MAX_NESTED)

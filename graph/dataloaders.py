"""Request-scoped dataloaders: nested fields of a page are loaded in one query (and one thread hop)
per kind, however long the page is. Every loader scopes by the request's Viewer through the domain
selectors; a loader never widens what the selectors allow.

Nested lists are capped per parent (in the database, with a window function), so that no answer grows
without bound: see the MAX_* constants, also named in the schema's field descriptions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber
from strawberry.dataloader import DataLoader

from graph.unit import run_unit
from portal.audit.models import AuditEvent
from portal.cases import selectors as cases
from portal.cases.models import Case, Measure, MeasureComment, Person, Review
from portal.partners.models import Organisation, OrganisationKind

if TYPE_CHECKING:
    from graph.context import GraphContext

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
M = TypeVar("M")

#: Most measures of a case listed in `Case.measures` (a programme has a few dozen at most).
MAX_MEASURES_PER_CASE = 200
#: Most entries of a measure's history, and of its comments (the newest are kept).
MAX_HISTORY = 200
MAX_COMMENTS = 200
#: Most reviews, decisions of a case; members of a household; consents of a person.
MAX_NESTED = 100


def capped(rows: QuerySet[M], *, per: str, order: list[str], limit: int) -> QuerySet[M]:
    """The first `limit` rows of each `per` group in `order`, counted in the database."""
    ranked = rows.annotate(_rank=Window(RowNumber(), partition_by=[F(per)],
                                        order_by=[F(name[1:]).desc() if name.startswith("-") else F(name).asc()
                                                  for name in order]))
    return ranked.filter(_rank__lte=limit)


def _loader(context: GraphContext, fetch: Callable[[list[K]], dict[K, V]], default: Callable[[], V]) -> DataLoader:
    async def load(keys: list[K]) -> Sequence[V]:
        found = await run_unit(context, fetch, list(keys))
        return [found.get(key, default()) for key in keys]

    return DataLoader(load_fn=load)


class Loaders:
    """Created lazily once per request (`GraphContext.loaders`)."""

    def __init__(self, context: GraphContext) -> None:
        self.context = context
        viewer = context.viewer
        self.viewer = viewer

        def recipient_data(ids: list[int]) -> dict[int, dict[str, str]]:
            # Records one access record per measure whose shared data is personal (152-FZ art. 19).
            return cases.shared_recipient_data_many(viewer=viewer, measures=[Measure(pk=pk) for pk in ids])

        def measure_history(ids: list[int]) -> dict[int, list[AuditEvent]]:
            visible = [str(pk) for pk in cases.measures_for(viewer).filter(pk__in=ids).values_list("pk", flat=True)]
            grouped: dict[int, list[AuditEvent]] = defaultdict(list)
            events = capped(AuditEvent.objects.filter(object_type="cases.measure", object_id__in=visible)
                            .exclude(action=AuditEvent.Action.READ), per="object_id", order=["-at", "-id"],
                            limit=MAX_HISTORY).order_by("at", "id")
            allowed = self._partner_visible_actors()
            for event in events:
                event.redacted = allowed is not None and event.actor_organisation not in allowed  # type: ignore[attr-defined]
                grouped[int(event.object_id)].append(event)
            return grouped

        def measure_comments(ids: list[int]) -> dict[int, list[MeasureComment]]:
            visible = cases.measures_for(viewer).filter(pk__in=ids).values("pk")
            grouped: dict[int, list[MeasureComment]] = defaultdict(list)
            allowed = self._partner_visible_actors()
            rows = capped(MeasureComment.objects.filter(measure_id__in=visible), per="measure_id",
                          order=["-created_at", "-id"], limit=MAX_COMMENTS)
            for comment in rows.order_by("created_at", "id"):
                comment.redacted = allowed is not None and comment.author_organisation not in allowed  # type: ignore[attr-defined]
                grouped[comment.measure_id].append(comment)
            return grouped

        def cases_by_id(ids: list[int]) -> dict[int, Case | None]:
            rows = cases.cases_for(viewer).filter(pk__in=ids).select_related(
                "precinct__district", "precinct__officer", "institution", "applicant", "household")
            return {case.pk: case for case in rows}

        def measures_of_case(ids: list[int]) -> dict[int, list[Measure]]:
            grouped: dict[int, list[Measure]] = defaultdict(list)
            rows = capped(cases.measures_for(viewer).filter(case_id__in=ids), per="case_id", order=["deadline", "id"],
                          limit=MAX_MEASURES_PER_CASE).select_related("case", "organisation")
            for measure in rows.order_by("deadline", "id"):
                grouped[measure.case_id].append(measure)
            return grouped

        def reviews_of_case(ids: list[int]) -> dict[int, list[Review]]:
            grouped: dict[int, list[Review]] = defaultdict(list)
            rows = capped(Review.objects.filter(case__in=cases.cases_for(viewer).filter(pk__in=ids)), per="case_id",
                          order=["reviewed_on", "id"], limit=MAX_NESTED)
            for review in rows.order_by("reviewed_on", "id"):
                grouped[review.case_id].append(review)
            return grouped

        def decisions_of_case(ids: list[int]) -> dict[int, list[Any]]:
            from portal.cases.models import CollegialDecision

            grouped: dict[int, list[Any]] = defaultdict(list)
            rows = capped(CollegialDecision.objects.filter(case__in=cases.cases_for(viewer).filter(pk__in=ids)),
                          per="case_id", order=["decided_on", "id"], limit=MAX_NESTED)
            for decision in rows.order_by("decided_on", "id"):
                grouped[decision.case_id].append(decision)
            return grouped

        def persons_by_id(ids: list[int]) -> dict[int, Person | None]:
            rows = cases.persons_for(viewer).filter(pk__in=ids).select_related("household__precinct__district")
            return {person.pk: person for person in rows}

        def household_members(ids: list[int]) -> dict[int, list[Person]]:
            grouped: dict[int, list[Person]] = defaultdict(list)
            rows = capped(cases.persons_for(viewer).filter(household_id__in=ids), per="household_id", order=["id"],
                          limit=MAX_NESTED)
            for person in rows.order_by("pk"):
                grouped[person.household_id].append(person)
            return grouped

        def consents_of_person(ids: list[int]) -> dict[int, list[Any]]:
            from portal.cases.models import Consent

            grouped: dict[int, list[Any]] = defaultdict(list)
            rows = capped(Consent.objects.filter(person__in=cases.persons_for(viewer).filter(pk__in=ids)),
                          per="person_id", order=["-given_on", "-id"], limit=MAX_NESTED)
            for consent in rows.order_by("-given_on", "-id"):
                grouped[consent.person_id].append(consent)
            return grouped

        self.recipient_data = _loader(context, recipient_data, dict)
        self.measure_history = _loader(context, measure_history, list)
        self.measure_comments = _loader(context, measure_comments, list)
        self.case = _loader(context, cases_by_id, lambda: None)
        self.measures_of_case = _loader(context, measures_of_case, list)
        self.reviews_of_case = _loader(context, reviews_of_case, list)
        self.decisions_of_case = _loader(context, decisions_of_case, list)
        self.person = _loader(context, persons_by_id, lambda: None)
        self.household_members = _loader(context, household_members, list)
        self.consents_of_person = _loader(context, consents_of_person, list)
        self._institution_codes: set[str] | None = None

    def _partner_visible_actors(self) -> set[str] | None:
        """For a partner: organisations whose people it may see by name in a measure's history and comments
        (its own and the social-service institutions); another partner (e.g. before a reassignment) stays
        anonymous. None: no redaction (staff). Sync: call inside a unit of work."""
        if not self.viewer.is_partner:
            return None
        if self._institution_codes is None:
            self._institution_codes = set(
                Organisation.objects.filter(kind=OrganisationKind.SOCIAL_SERVICE).values_list("code", flat=True))
        # "" = actors without an organisation (administrators, the system).
        return {*self._institution_codes, self.viewer.organisation_code or "", ""}

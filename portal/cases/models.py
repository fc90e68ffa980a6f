"""Cases of social support: persons, households, signals, cases, programmes (ИПССС), measures."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.partners.models import HelpKind


class Category(models.TextChoices):
    """Priority categories (seed 002)."""

    ELDERLY_80 = "elderly_80", _("elderly over 80")
    VETERAN = "veteran", _("WWII veteran or home-front worker")
    LARGE_FAMILY = "large_family", _("large family")
    LOW_INCOME = "low_income", _("low-income family")
    DISABLED_CHILD = "disabled_child", _("family with a disabled child")
    DISABLED_I = "disabled_i", _("disabled person of group I")
    MINOR_AT_RISK = "minor_at_risk", _("minor in a socially dangerous position")
    WOMAN_IN_CRISIS = "woman_in_crisis", _("woman in a difficult situation")
    HOMELESS = "homeless", _("homeless person")
    RELEASED = "released", _("released from prison")


class NeedGroup(models.TextChoices):
    INCOME = "income", _("income")
    HEALTH = "health", _("health")
    HOUSING = "housing", _("housing")
    INTERPERSONAL = "interpersonal", _("interpersonal relations")


class NeedCircumstance(models.TextChoices):
    """Need circumstances (обстоятельства нуждаемости), four groups (seed 001)."""

    NO_REGULAR_INCOME = "no_regular_income", _("no regular income")
    BELOW_SUBSISTENCE = "below_subsistence", _("income below subsistence minimum")
    DEBTS = "debts", _("debts")
    NEEDS_MEDICAL_HELP = "needs_medical_help", _("needs medical help")
    NEEDS_SPECIALIST = "needs_specialist", _("needs a specialist consultation")
    TREATMENT_TRAVEL = "treatment_travel", _("money for travel to treatment")
    REHAB_AIDS = "rehab_aids", _("rehabilitation aids")
    DISABILITY_ASSESSMENT = "disability_assessment", _("disability assessment")
    NO_HOUSING = "no_housing", _("no housing")
    NO_REGISTRATION = "no_registration", _("no registration")
    UTILITY_DEBTS = "utility_debts", _("utility debts")
    HOUSING_REPAIR = "housing_repair", _("housing repair")
    HOUSING_CLEANING = "housing_cleaning", _("housing cleaning")
    FAMILY_CONFLICT = "family_conflict", _("family conflicts")
    ABUSE = "abuse", _("abuse")
    CONFLICT_WITH_OTHERS = "conflict_with_others", _("problems with others")


NEED_GROUP_OF: dict[str, str] = {
    **dict.fromkeys(["no_regular_income", "below_subsistence", "debts"], NeedGroup.INCOME),
    **dict.fromkeys(
        ["needs_medical_help", "needs_specialist", "treatment_travel", "rehab_aids", "disability_assessment"],
        NeedGroup.HEALTH,
    ),
    **dict.fromkeys(
        ["no_housing", "no_registration", "utility_debts", "housing_repair", "housing_cleaning"], NeedGroup.HOUSING
    ),
    **dict.fromkeys(["family_conflict", "abuse", "conflict_with_others"], NeedGroup.INTERPERSONAL),
}


class RegisteredBy(models.Model):
    """Who registered a household or person (кто поставил на учёт): until they are part of a case, the registering
    officer, or the coordinators of the registering institution, are the only staff who run them."""

    registered_by_subject = models.CharField(_("registered by"), max_length=255, blank=True, editable=False,
                                             db_index=True)
    registered_by_institution = models.ForeignKey(
        "partners.Organisation", verbose_name=_("registering institution"), null=True, blank=True,
        editable=False, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        abstract = True


class Household(RegisteredBy):
    """Household (домохозяйство / семья) at an address of a precinct."""

    address = models.CharField(_("address"), max_length=300)
    precinct = models.ForeignKey("territory.Precinct", verbose_name=_("precinct"), on_delete=models.PROTECT,
                                 related_name="households")
    categories = models.JSONField(_("categories"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return self.address


class Person(RegisteredBy):
    """A recipient of support (получатель). Personal data: every change is audited."""

    class Sex(models.TextChoices):
        FEMALE = "f", _("female")
        MALE = "m", _("male")

    last_name = models.CharField(_("last name"), max_length=100)
    first_name = models.CharField(_("first name"), max_length=100)
    middle_name = models.CharField(_("patronymic"), max_length=100, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    household = models.ForeignKey(Household, verbose_name=_("household"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="members")
    relation = models.CharField(_("relation in the household"), max_length=60, blank=True)
    categories = models.JSONField(_("categories"), default=list, blank=True)
    #: Set when the retention job anonymised the person (portal.cases.retention): names, birth date and phone
    #: are gone, the last name holds a stable pseudonym.
    anonymised_on = models.DateField(_("anonymised on"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.last_name, self.first_name, self.middle_name) if part)


class Consent(models.Model):
    """Consent to personal-data processing or, separately, to publication (152-FZ art. 9)."""

    class Purpose(models.TextChoices):
        PROCESSING = "processing", _("processing of personal data")
        PUBLICATION = "publication", _("publication of an anonymised need")

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    scope = models.CharField(_("scope"), max_length=300, blank=True)
    given_on = models.DateField(_("given on"))
    document = models.CharField(_("document"), max_length=200, blank=True,
                                help_text=_("Application or consent form reference."))
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_on"]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} — {self.given_on:%d.%m.%Y}"

    def is_valid_on(self, day: dt.date) -> bool:
        return self.given_on <= day and (self.withdrawn_on is None or self.withdrawn_on > day)


class Signal(models.Model):
    """Signal (сигнал) about a citizen or family possibly in a difficult life situation."""

    class Source(models.TextChoices):
        SCHOOL = "school", _("school")
        POLICE = "police", _("police")
        HEALTHCARE = "healthcare", _("healthcare")
        HOTLINE = "hotline", _("hotline")
        NEIGHBOURS = "neighbours", _("neighbours")
        OWN_APPLICATION = "own_application", _("own application")
        OTHER_ORGANISATION = "other_organisation", _("other organisation")

    class Urgency(models.TextChoices):
        ROUTINE = "routine", _("routine")
        URGENT = "urgent", _("urgent")
        IMMEDIATE = "immediate", _("immediate: threat to life or health")

    class Status(models.TextChoices):
        RECEIVED = "received", _("received")
        CHECKING = "checking", _("being checked")
        CONFIRMED = "confirmed", _("confirmed")
        NOT_CONFIRMED = "not_confirmed", _("not confirmed")

    source = models.CharField(_("source"), max_length=24, choices=Source.choices)
    received_at = models.DateTimeField(_("received at"))
    reporter = models.CharField(_("reported by"), max_length=200, blank=True)
    reporter_organisation = models.ForeignKey("partners.Organisation", verbose_name=_("reporting organisation"),
                                              null=True, blank=True, on_delete=models.SET_NULL,
                                              related_name="signals")
    address = models.CharField(_("address"), max_length=300, blank=True)
    precinct = models.ForeignKey("territory.Precinct", verbose_name=_("precinct"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="signals")
    summary = models.TextField(_("summary"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED,
                              db_index=True)
    inspected_on = models.DateField(_("inspection date"), null=True, blank=True)
    inspection_findings = models.TextField(
        _("inspection act findings"), blank=True,
        help_text=_("Findings of the living-conditions inspection act: the need circumstances found."),
    )
    need_circumstances = models.JSONField(_("need circumstances"), default=list, blank=True)
    dismissal_reason = models.TextField(_("reason not confirmed"), blank=True)
    institution = models.ForeignKey("partners.Organisation", verbose_name=_("institution"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="received_signals")
    urgency = models.CharField(_("urgency"), max_length=12, choices=Urgency.choices, default=Urgency.ROUTINE,
                               db_index=True)
    #: The reporter asked to stay anonymous: no reporter is stored at all.
    reporter_anonymous = models.BooleanField(_("anonymous report"), default=False)
    #: Normalised address (street id, house and flat when the finder knows the street; the normalised text
    #: otherwise): repeated reports about the same family are found by it.
    address_key = models.CharField(_("normalised address"), max_length=300, blank=True, db_index=True,
                                   editable=False)
    repeat_of = models.ForeignKey("self", verbose_name=_("repeat of the signal"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="repeats")
    #: Who registered the signal: an operator sees only the signals they registered.
    registered_by_subject = models.CharField(_("registered by"), max_length=255, blank=True, editable=False,
                                             db_index=True)
    assigned_officer = models.ForeignKey("territory.Officer", verbose_name=_("officer checking the signal"),
                                         null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="signals_to_check")

    class Meta:
        verbose_name = _("signal")
        verbose_name_plural = _("signals")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.received_at:%d.%m.%Y}: {self.summary[:60]}"

    @property
    def precinct_unresolved(self) -> bool:
        """«Участок не определён»: the address did not resolve to a precinct; the institution's queue decides."""
        return self.precinct_id is None

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.RECEIVED, self.Status.CHECKING)


class Case(models.Model):
    """Case of social support (дело / случай социального сопровождения)."""

    class Status(models.TextChoices):
        REGISTERED = "registered", _("registered")
        PROGRAMME_APPROVED = "programme_approved", _("programme approved")
        IN_PROGRESS = "in_progress", _("in progress")
        EXTENDED = "extended", _("extended")
        CLOSED = "closed", _("closed")

    class Level(models.TextChoices):
        """Level of support (уровень сопровождения)."""

        BASIC = "basic", _("basic")
        INTENSIVE = "intensive", _("intensive")
        CRISIS = "crisis", _("crisis")

    class Outcome(models.TextChoices):
        RESOLVED = "resolved", _("difficult situation resolved")
        IMPROVED = "improved", _("situation improved")
        REFUSED = "refused", _("recipient refused support")
        MOVED = "moved", _("recipient moved away")
        OTHER = "other", _("other")

    code = models.CharField(_("case number"), max_length=32, unique=True)
    signal = models.ForeignKey(Signal, verbose_name=_("signal"), null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="cases")
    household = models.ForeignKey(Household, verbose_name=_("household"), on_delete=models.PROTECT,
                                  related_name="cases")
    applicant = models.ForeignKey(Person, verbose_name=_("applicant"), on_delete=models.PROTECT,
                                  related_name="applied_cases")
    precinct = models.ForeignKey("territory.Precinct", verbose_name=_("precinct"), on_delete=models.PROTECT,
                                 related_name="cases")
    institution = models.ForeignKey("partners.Organisation", verbose_name=_("institution"),
                                    on_delete=models.PROTECT, related_name="cases")
    coordinator = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("coordinator"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="coordinated_cases")
    status = models.CharField(_("status"), max_length=24, choices=Status.choices, default=Status.REGISTERED,
                              db_index=True)
    level = models.CharField(_("level of support"), max_length=16, choices=Level.choices, default=Level.BASIC)
    categories = models.JSONField(_("categories"), default=list, blank=True)
    need_circumstances = models.JSONField(_("need circumstances"), default=list, blank=True)
    reasons = models.TextField(_("reasons for the application"), blank=True)
    registered_on = models.DateField(_("registered on"))
    started_on = models.DateField(_("support started on"), null=True, blank=True)
    ends_on = models.DateField(_("term ends on"), null=True, blank=True, db_index=True)
    review_due_on = models.DateField(_("interim review due on"), null=True, blank=True, db_index=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    results = models.TextField(_("results"), blank=True)
    recommendations = models.TextField(_("recommendations"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-registered_on", "-id"]
        indexes = [models.Index(fields=["institution", "status"]), models.Index(fields=["precinct", "status"])]

    def __str__(self) -> str:
        return self.code

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED

    def is_lapsed(self, today: dt.date) -> bool:
        """Lapsed (срок истёк): the term ended without a decision to extend or close the case."""
        return self.status in UNDER_WAY_STATUSES and self.ends_on is not None and self.ends_on < today

    @property
    def lapsed_now(self) -> bool:
        return self.is_lapsed(timezone.localdate())


#: Case statuses in which support is under way (reviews, extension, partner reports).
UNDER_WAY_STATUSES = (Case.Status.PROGRAMME_APPROVED, Case.Status.IN_PROGRESS, Case.Status.EXTENDED)


class CollegialDecision(models.Model):
    """Collegial decision (коллегиальное решение, консилиум / МВРГ) on a programme or its extension."""

    class Subject(models.TextChoices):
        APPROVAL = "approval", _("programme approval")
        EXTENSION = "extension", _("extension of the term")
        CHANGE = "change", _("programme change")

    class Body(models.TextChoices):
        """The collegial body that decided (seed 004 rows 12 and 14)."""

        CONSILIUM = "consilium", _("social consilium of the institution")
        INTERAGENCY_GROUP = "interagency_group", _("interagency working group")

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="decisions")
    subject = models.CharField(_("subject"), max_length=16, choices=Subject.choices)
    body = models.CharField(_("collegial body"), max_length=20, choices=Body.choices, default=Body.CONSILIUM)
    decided_on = models.DateField(_("date"))
    protocol_number = models.CharField(_("protocol number"), max_length=60)
    participants = models.TextField(_("participants"))
    summary = models.TextField(_("decision"), blank=True)
    #: An extension takes the citizen's own wish into account (seed 003 §6.1.2): when and what they asked.
    citizen_wish_on = models.DateField(_("citizen's wish expressed on"), null=True, blank=True)
    citizen_wish = models.TextField(_("citizen's wish"), blank=True)

    class Meta:
        verbose_name = _("collegial decision")
        verbose_name_plural = _("collegial decisions")
        ordering = ["decided_on"]

    def __str__(self) -> str:
        return f"Протокол № {self.protocol_number} от {self.decided_on:%d.%m.%Y}"


class Programme(models.Model):
    """Individual programme of social support (ИПССС) with its plan of measures."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        APPROVED = "approved", _("approved")

    case = models.OneToOneField(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="programme")
    number = models.CharField(_("number"), max_length=40)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    recipients = models.ManyToManyField(Person, verbose_name=_("recipients"), related_name="programmes")
    goals = models.TextField(_("goals"), blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    approval = models.ForeignKey(CollegialDecision, verbose_name=_("approving decision"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("individual support programme")
        verbose_name_plural = _("individual support programmes")

    def __str__(self) -> str:
        return f"ИПССС № {self.number}"


#: Recipient fields a coordinator may share with a partner for a measure.
SHAREABLE_RECIPIENT_FIELDS: tuple[str, ...] = (
    "first_name", "district", "last_name", "middle_name", "birth_date", "phone", "address",
)
DEFAULT_SHARED_FIELDS: list[str] = ["first_name", "district"]


class Measure(models.Model):
    """A measure (мероприятие) of the programme, executed by a responsible organisation."""

    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("assigned")
        ACCEPTED = "accepted", _("accepted")
        FULFILLED = "fulfilled", _("fulfilled")
        NOT_FULFILLED = "not_fulfilled", _("not fulfilled")
        CANCELLED = "cancelled", _("cancelled")
        RETURNED = "returned", _("returned")

    class ReasonCode(models.TextChoices):
        """Coded fact of not providing help (issue 16): why a measure was not fulfilled or was handed back."""

        NOT_OUR_PROFILE = "not_our_profile", _("not our profile")
        NO_CAPACITY = "no_capacity", _("no capacity")
        CANNOT_CONTACT = "cannot_contact", _("cannot contact the recipient")
        RECIPIENT_REFUSED = "recipient_refused", _("the recipient refused")
        DOCUMENTS_MISSING = "documents_missing", _("documents missing")
        OTHER = "other", _("other")

    OPEN_STATUSES = (Status.ASSIGNED, Status.ACCEPTED)
    #: Returned (возвращено): no longer the organisation's, still the coordinator's to reassign or cancel.
    PENDING_STATUSES = (Status.ASSIGNED, Status.ACCEPTED, Status.RETURNED)

    programme = models.ForeignKey(Programme, verbose_name=_("programme"), on_delete=models.CASCADE,
                                  related_name="measures")
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="measures")
    recipient = models.ForeignKey(Person, verbose_name=_("recipient"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="measures")
    task = models.CharField(_("task"), max_length=300)
    content = models.TextField(_("content"), blank=True)
    kind = models.CharField(_("kind of help"), max_length=16, choices=HelpKind.choices, db_index=True)
    deadline = models.DateField(_("deadline"), db_index=True)
    place = models.CharField(_("place"), max_length=300, blank=True)
    organisation = models.ForeignKey("partners.Organisation", verbose_name=_("responsible organisation"),
                                     on_delete=models.PROTECT, related_name="measures")
    responsible_person = models.CharField(_("responsible person"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ASSIGNED,
                              db_index=True)
    result = models.TextField(_("result"), blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    not_fulfilled_reason = models.TextField(_("reason not fulfilled"), blank=True)
    not_fulfilled_code = models.CharField(_("reason code (not fulfilled)"), max_length=32, blank=True,
                                          choices=ReasonCode.choices)
    return_code = models.CharField(_("reason code (returned)"), max_length=32, blank=True, choices=ReasonCode.choices)
    return_reason = models.TextField(_("comment on the return"), blank=True)
    cancel_reason = models.TextField(_("reason cancelled"), blank=True)
    shared_fields = models.JSONField(_("recipient data shared with the organisation"),
                                     default=list, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["deadline", "id"]
        indexes = [
            models.Index(fields=["organisation", "status", "deadline"]),
            models.Index(fields=["case", "status"]),
            # A partner's list («Мои мероприятия», myMeasures): its organisation's rows in page order.
            models.Index(fields=["organisation", "deadline", "id"], name="cases_measure_org_deadline"),
        ]

    def __str__(self) -> str:
        return self.task

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def needs_reassignment(self) -> bool:
        """Returned by its organisation: the coordinator reassigns or cancels it."""
        return self.status == self.Status.RETURNED

    def is_overdue(self, today: dt.date) -> bool:
        """Overdue (просрочено): past the deadline and still open."""
        return self.is_open and self.deadline < today


class MeasureComment(models.Model):
    measure = models.ForeignKey(Measure, verbose_name=_("measure"), on_delete=models.CASCADE,
                                related_name="comments")
    author = models.CharField(_("author"), max_length=200)
    author_organisation = models.CharField(_("organisation"), max_length=64, blank=True)
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.text[:60]


class Review(models.Model):
    """Interim review (промежуточная оценка), due 3 months after the start of support."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField(_("reviewed on"))
    findings = models.TextField(_("findings"))
    programme_changed = models.BooleanField(_("programme changed"), default=False)
    reviewer = models.CharField(_("reviewer"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("interim review")
        verbose_name_plural = _("interim reviews")
        ordering = ["reviewed_on"]

    def __str__(self) -> str:
        return f"{self.case.code}: {self.reviewed_on:%d.%m.%Y}"


class MonitoringInspection(models.Model):
    """Monitoring social inspection (мониторинговое социальное инспектирование, seed 003 §6.4) as the term nears
    its end: the decision to extend or close the case rests on it."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE,
                             related_name="monitoring_inspections")
    inspected_on = models.DateField(_("inspection date"))
    findings = models.TextField(_("findings"))
    inspector = models.CharField(_("inspected by"), max_length=200)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("monitoring inspection")
        verbose_name_plural = _("monitoring inspections")
        ordering = ["inspected_on", "id"]

    def __str__(self) -> str:
        return f"{self.case.code}: {self.inspected_on:%d.%m.%Y}"


class ProgrammeVersion(models.Model):
    """A version of an approved programme (редакция ИПССС): who changed it, when, why and what changed, with a
    snapshot of its measures."""

    class Reason(models.TextChoices):
        APPROVAL = "approval", _("programme approved")
        MEASURE_ADDED = "measure_added", _("measure added")
        REVIEW = "review", _("changed at the interim review")
        MEASURE_CANCELLED = "measure_cancel", _("measure cancelled")
        MEASURE_REASSIGNED = "measure_reassign", _("measure reassigned")
        TRANSFER = "transfer", _("measures cancelled on the transfer of the case")

    programme = models.ForeignKey(Programme, verbose_name=_("programme"), on_delete=models.CASCADE,
                                  related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    decision = models.ForeignKey(CollegialDecision, verbose_name=_("collegial decision"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="programme_versions")
    author = models.CharField(_("changed by"), max_length=200)
    created_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    #: [{"id", "task", "kind", "deadline", "organisation", "status"}] of every measure at this version.
    measures = models.JSONField(_("measures"), default=list)
    #: What changed since the previous version, one line per measure («+ task», «− task», «~ task: …»).
    changes = models.JSONField(_("changes"), default=list, blank=True)

    class Meta:
        verbose_name = _("programme version")
        verbose_name_plural = _("programme versions")
        ordering = ["programme", "number"]
        constraints = [models.UniqueConstraint(fields=["programme", "number"], name="programme_version_unique")]

    def __str__(self) -> str:
        return f"{self.programme}: {self.number}"


class SupportForm(models.TextChoices):
    """Form of social service recommended by the commission (форма социального обслуживания, 442-FZ)."""

    AT_HOME = "at_home", _("at home")
    SEMI_STATIONARY = "semi_stationary", _("semi-stationary (day care)")
    STATIONARY = "stationary", _("stationary")


class ServiceType(models.TextChoices):
    """Kinds of social services (виды социальных услуг, 442-FZ art. 20) asked for in an application."""

    DOMESTIC = "domestic", _("social and domestic")
    MEDICAL = "medical", _("social and medical")
    PSYCHOLOGICAL = "psychological", _("social and psychological")
    PEDAGOGICAL = "pedagogical", _("social and pedagogical")
    LABOUR = "labour", _("social and labour")
    LEGAL = "legal", _("social and legal")
    COMMUNICATION = "communication", _("raising communication skills")
    URGENT = "urgent", _("urgent social services")


class InspectionAct(models.Model):
    """Inspection act of the family's material and living conditions (акт обследования материально-бытовых
    условий, seed 004 row 4) with the commission's conclusion on the need for support."""

    signal = models.OneToOneField(Signal, verbose_name=_("signal"), on_delete=models.CASCADE,
                                  related_name="inspection_act")
    inspected_on = models.DateField(_("inspection date"))
    inspector = models.CharField(_("inspected by"), max_length=200, blank=True)
    family_categories = models.JSONField(_("family category"), default=list, blank=True)
    members = models.TextField(_("family members"))
    housing = models.TextField(_("housing conditions"))
    psychological_climate = models.TextField(_("psychological climate in the family"))
    income_per_person = models.DecimalField(_("income per person, roubles a month"), max_digits=10,
                                            decimal_places=2)
    subsistence_minimum = models.DecimalField(_("subsistence minimum per person, roubles a month"),
                                              max_digits=10, decimal_places=2)
    need_indicators = models.JSONField(_("need indicators"), default=list, blank=True)
    circumstances = models.TextField(_("circumstances that worsen or may worsen living conditions"), blank=True)
    recommended_level = models.CharField(_("recommended level of support"), max_length=16,
                                         choices=Case.Level.choices)
    support_form = models.CharField(_("form of support"), max_length=16, choices=SupportForm.choices)
    help_kinds = models.JSONField(_("kinds of social services and other help"), default=list, blank=True)
    conclusion = models.TextField(_("conclusion of the commission"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("inspection act")
        verbose_name_plural = _("inspection acts")

    def __str__(self) -> str:
        return f"Акт обследования от {self.inspected_on:%d.%m.%Y}"

    @property
    def below_subsistence(self) -> bool:
        return self.income_per_person < self.subsistence_minimum


class Application(models.Model):
    """Application for social service (заявление, seed 004 row 3), registered in the institution's journal
    under a number unique per institution and year («З-2026-000123»)."""

    class ApplicantKind(models.TextChoices):
        SELF = "self", _("the citizen themselves")
        LEGAL_REPRESENTATIVE = "legal_representative", _("legal representative")
        OTHER_CITIZEN = "other_citizen", _("another citizen in the citizen's interest")
        ORGANISATION = "organisation", _("an authority or organisation")

    institution = models.ForeignKey("partners.Organisation", verbose_name=_("institution"),
                                    on_delete=models.PROTECT, related_name="applications")
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("number in the journal"))
    journal_number = models.CharField(_("journal number"), max_length=32)
    received_on = models.DateField(_("received on"))
    person = models.ForeignKey(Person, verbose_name=_("citizen"), on_delete=models.PROTECT,
                               related_name="applications")
    applicant_kind = models.CharField(_("applicant"), max_length=24, choices=ApplicantKind.choices)
    applicant_name = models.CharField(_("applicant's name or organisation"), max_length=300, blank=True)
    services_requested = models.JSONField(_("social services requested"), default=list, blank=True)
    help_requested = models.JSONField(_("help requested for the family"), default=list, blank=True)
    need_circumstances = models.JSONField(_("need circumstances"), default=list, blank=True)
    signal = models.ForeignKey(Signal, verbose_name=_("signal"), null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="applications")
    case = models.OneToOneField(Case, verbose_name=_("case"), null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="application")
    registered_by_subject = models.CharField(_("registered by"), max_length=255, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "year", "sequence"], name="application_journal_unique"),
            models.UniqueConstraint(fields=["institution", "journal_number"], name="application_number_unique"),
        ]

    def __str__(self) -> str:
        return f"Заявление № {self.journal_number} от {self.received_on:%d.%m.%Y}"



class CaseTransfer(models.Model):
    """Transfer of a case (передача дела) to another institution when the family moves to its territory: proposed
    by the sending case manager, accepted or declined by the receiving institution's coordinator. The proposal
    states what happens to each open partner measure: it follows the case or is cancelled."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        ACCEPTED = "accepted", pgettext_lazy("case transfer", "accepted")
        DECLINED = "declined", _("declined")

    class MeasureFate(models.TextChoices):
        FOLLOW = "follow", _("follows the case")
        CANCEL = "cancel", pgettext_lazy("case transfer", "cancelled")

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="transfers")
    from_institution = models.ForeignKey("partners.Organisation", verbose_name=_("sending institution"),
                                         on_delete=models.PROTECT, related_name="transfers_out")
    from_precinct = models.ForeignKey("territory.Precinct", verbose_name=_("former precinct"),
                                      on_delete=models.PROTECT, related_name="+")
    to_institution = models.ForeignKey("partners.Organisation", verbose_name=_("receiving institution"),
                                       on_delete=models.PROTECT, related_name="transfers_in")
    to_precinct = models.ForeignKey("territory.Precinct", verbose_name=_("new precinct"), on_delete=models.PROTECT,
                                    related_name="+")
    reason = models.TextField(_("reason"))
    #: {"<measure id>": "follow" | "cancel"} for every measure open (or returned) when proposed.
    measure_plan = models.JSONField(_("open measures: follow or cancel"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PROPOSED,
                              db_index=True)
    proposed_by = models.CharField(_("proposed by"), max_length=200)
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    decided_by = models.CharField(_("decided by"), max_length=200, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decline_reason = models.TextField(_("reason declined"), blank=True)

    class Meta:
        verbose_name = _("case transfer")
        verbose_name_plural = _("case transfers")
        ordering = ["-proposed_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["case"], condition=models.Q(status="proposed"),
                                               name="case_transfer_one_pending")]

    def __str__(self) -> str:
        return f"{self.case.code} → {self.to_institution}"

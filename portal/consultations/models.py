"""Offline consultations (офлайн-консультирование): a citizen asks, a specialist answers, both are published."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

#: Answer deadline (срок ответа), days from the question.
ANSWER_DEADLINE_DAYS = 30


class Topic(models.Model):
    """Topic of a question (тема вопроса); routes it to specialists."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("code"), max_length=64, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    active = models.BooleanField(_("shown in the question form"), default=True)
    moderators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("moderators"), blank=True,
        related_name="moderated_consultation_topics",
        help_text=_("Staff (editors, coordinators, officers, admins) who run the queue of this topic: only they and "
                    "the assigned specialist see the asker's name, e-mail and the question as asked."),
    )

    class Meta:
        verbose_name = _("consultation topic")
        verbose_name_plural = _("consultation topics")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class Specialist(models.Model):
    """A specialist who answers questions; the routing rule is the topics and districts they cover."""

    full_name = models.CharField(_("full name"), max_length=200)
    position = models.CharField(_("position"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True, help_text=_("New questions are announced here."))
    organisation = models.ForeignKey("partners.Organisation", verbose_name=_("organisation"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="specialists")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("staff account"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="consultation_specialists")
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), related_name="specialists", blank=True,
                                    help_text=_("Empty: every topic."))
    districts = models.ManyToManyField("territory.District", verbose_name=_("districts"), blank=True,
                                       related_name="consultation_specialists",
                                       help_text=_("Empty: the whole region."))
    active = models.BooleanField(_("receives questions"), default=True)

    class Meta:
        verbose_name = _("specialist")
        verbose_name_plural = _("specialists")
        ordering = ["full_name"]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.position})" if self.position else self.full_name


class Question(models.Model):
    """A citizen's question and the specialist's answer. Only `published_name`, `published_text` and the
    answer are ever shown publicly."""

    class Status(models.TextChoices):
        NEW = "new", _("new")
        ASSIGNED = "assigned", _("assigned to a specialist")
        ANSWERED = "answered", _("answered")
        PUBLISHED = "published", _("published")
        REJECTED = "rejected", _("rejected")

    OPEN_STATUSES = (Status.NEW, Status.ASSIGNED)

    author_name = models.CharField(_("name or pseudonym"), max_length=100,
                                   help_text=_("As the asker gave it. Never published."))
    published_name = models.CharField(
        _("name for publication"), max_length=100, blank=True,
        help_text=_("Shown with the published question instead of the asker's name: the initials by default; "
                    "the moderator may change it."),
    )
    email = models.EmailField(_("e-mail for the answer notice"), blank=True)
    topic = models.ForeignKey(Topic, verbose_name=_("topic"), on_delete=models.PROTECT, related_name="questions")
    district = models.ForeignKey("territory.District", verbose_name=_("district"), on_delete=models.PROTECT,
                                 related_name="questions")
    text = models.TextField(_("question as asked"))
    published_text = models.TextField(
        _("question for publication"), blank=True,
        help_text=_("Personal data (contacts, addresses, names with dates of birth, document numbers) is masked; "
                    "the moderator may adjust."),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NEW, db_index=True)
    specialist = models.ForeignKey(Specialist, verbose_name=_("specialist"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="questions")
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.CharField(_("answered by"), max_length=200, blank=True,
                                   help_text=_("The signature of the answer: who actually wrote it."))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, db_index=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    consent_at = models.DateTimeField(_("consent to processing given at"))
    notified_at = models.DateTimeField(_("asker notified at"), null=True, blank=True)
    created_at = models.DateTimeField(_("asked at"), default=timezone.now, db_index=True)
    due_on = models.DateField(_("answer due on"), db_index=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "due_on"]), models.Index(fields=["status", "topic"])]

    def __str__(self) -> str:
        return f"№ {self.pk}: {self.topic}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def is_overdue(self, today: dt.date | None = None) -> bool:
        """Overdue (просрочен): not answered within the deadline."""
        day = today or timezone.localdate()
        return self.is_open and self.due_on < day


from portal.consultations.pages import ConsultationsPage  # noqa: E402, F401  (Wagtail page lives in this app)

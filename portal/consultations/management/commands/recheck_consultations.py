"""`portal manage recheck_consultations [--withdraw]`: published questions and answers checked again with the
personal-data detector. Lists each one that holds personal data nobody confirmed at publication (kinds only, not
the data); with --withdraw takes them off the public list (back to «answered», audited), so that a moderator masks
or confirms each item and publishes again. Run it once after upgrading the detector."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from portal.consultations import services
from portal.core.viewer import Viewer


class Command(BaseCommand):
    help = "List (or withdraw, with --withdraw) published consultations that hold unconfirmed personal data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--withdraw", action="store_true", help="take them off the public list")

    def handle(self, *args: Any, **options: Any) -> None:
        found = services.unconfirmed_in_published()
        viewer = Viewer.system("recheck-consultations")
        for question, pending in found:
            kinds = ", ".join(sorted({f"{item.field}: {item.finding.kind.value}" for item in pending}))
            action = ""
            if options["withdraw"]:
                services.unpublish_question(viewer=viewer, question_id=question.pk, findings=pending)
                action = " — withdrawn"
            self.stdout.write(f"question {question.pk} ({question.topic.name}): {kinds}{action}")
        self.stdout.write(f"{len(found)} published question(s) with unconfirmed personal data"
                          + ("" if options["withdraw"] or not found else "; --withdraw takes them off the list"))

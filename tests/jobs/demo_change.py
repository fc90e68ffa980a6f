"""Run inside `portal manage shell` against a running demo's data folder: a citizen asks, the system moderator
answers and publishes through the consultations services. Prints `PUBLISHED <id> <word>` after the commit."""

from __future__ import annotations

import sys
import time

WORD = "Снеговиковедение"


def main() -> None:
    from portal.consultations import services
    from portal.consultations.models import Topic
    from portal.core.viewer import Viewer
    from portal.territory.models import District

    topic = Topic.objects.filter(active=True).order_by("pk").first()
    district = District.objects.order_by("pk").first()
    assert topic is not None and district is not None
    system = Viewer.system()
    question = services.ask_question(author_name="Иван", email="", topic_id=topic.pk, district_id=district.pk,
                                     text="Где узнать про кружок для ребёнка?", consent=True)
    services.answer_question(viewer=system, question_id=question.pk,
                             answer=f"Кружок «{WORD}» работает при доме культуры по субботам.")
    services.publish_question(viewer=system, question_id=question.pk)
    print(f"PUBLISHED {question.pk} {WORD} {time.time():.3f}", flush=True)
    sys.stdout.flush()

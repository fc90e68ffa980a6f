"""What the search index holds for consultations: published questions only, public fields only."""

from __future__ import annotations

from typing import Any

from portal.consultations.models import Question

KIND = "consultation"


def document(object_id: int | str) -> dict[str, Any] | None:
    """The public document of a published question, or None (then it is removed from the index)."""
    try:
        pk = int(object_id)
    except (TypeError, ValueError):
        return None
    question = Question.objects.filter(pk=pk, status=Question.Status.PUBLISHED).select_related(
        "topic", "district").first()
    if question is None:
        return None
    return {
        "id": str(question.pk),
        "title": f"Вопрос № {question.pk}: {question.topic.name}",
        "text": f"{question.published_text}\n{question.answer}",
        "topic": question.topic.slug,
        "topic_name": question.topic.name,
        "district": question.district.code,
        "published_name": question.published_name,
        "published_at": question.published_at.isoformat() if question.published_at else None,
        "url": f"/consultations/{question.pk}/",
    }


def all_ids() -> list[int]:
    return list(Question.objects.filter(status=Question.Status.PUBLISHED).values_list("pk", flat=True))

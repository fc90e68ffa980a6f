"""What the search index holds for consultations: published questions only, public fields only. Declared with
`search.registry`; `portal.consultations.services` queue a question's document in the transaction that changes
it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from portal.consultations.models import Question
from search.registry import Document, DocumentType, IndexSpec, int_ids, register_index, register_type

KIND = "consultation"
INDEX = "consultations"


def load_questions(ids: Sequence[str]) -> list[Document]:
    """The public documents of the published questions among `ids` (one query)."""
    questions = {q.pk: q for q in Question.objects.filter(pk__in=int_ids(ids), status=Question.Status.PUBLISHED)
                 .select_related("topic", "district")}
    return [_document(questions[pk]) for pk in dict.fromkeys(int_ids(ids)) if pk in questions]


def _document(question: Question) -> Document:
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


def document(object_id: int | str) -> dict[str, Any] | None:
    """The public document of a published question, or None (then it is removed from the index)."""
    found = load_questions([str(object_id)])
    return found[0] if found else None


def all_ids() -> list[int]:
    return list(Question.objects.filter(status=Question.Status.PUBLISHED).values_list("pk", flat=True))


register_index(IndexSpec(INDEX, searchable=("title", "text", "topic_name"), filterable=("topic", "district"),
                         sortable=("published_at",), default_sort="published_at"))
register_type(DocumentType(kind=KIND, index=INDEX, load=load_questions, all_ids=all_ids))

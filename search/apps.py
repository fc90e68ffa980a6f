from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    label = "search"

    def ready(self) -> None:
        from search import registry  # in ready(): discover() imports every app's documents and models

        registry.discover()  # every app's `search_documents` declares its indexes and documents

from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "cms"
    label = "cms"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save
        from wagtail.models import Locale

        from cms import i18n, page_cache, signals  # in ready(): they load wagtail and the models

        signals.connect()
        page_cache.connect()  # a publish, or a change of what public pages show, starts a new cache generation
        post_save.connect(i18n.forget_locales, sender=Locale, dispatch_uid="cms.i18n.locale_saved")
        post_delete.connect(i18n.forget_locales, sender=Locale, dispatch_uid="cms.i18n.locale_deleted")

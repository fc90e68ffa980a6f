"""The staff case workspace («работа со случаями»): an adapter over the cases domain.

Operators, district officers, coordinators and supervisors run the whole lifecycle here —
signal intake, check with an inspection act, application with consent, household and persons,
registration, the programme (ИПССС) and its measures, reviews, extension, closing — inside the
Wagtail admin under the same sign-on. Every action calls `portal.cases` services; this package
holds views, forms and templates only.
"""

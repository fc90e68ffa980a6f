"""Fixed core of the demo region «Заречный край».

The development realm (`identity/realm/portal-realm.json`) refers to these codes and
usernames: keep them stable. Bulk data (streets, households, cases) is generated
around this core by `portal.demo.generate`.
"""

from __future__ import annotations

from typing import Final, TypedDict


class DistrictSpec(TypedDict):
    code: str
    name: str
    kind: str
    population: int
    centre: str


class OrganisationSpec(TypedDict):
    code: str
    name: str
    short_name: str
    kind: str
    district: str
    address: str
    phone: str
    email: str
    help_kinds: list[str]


class DemoUser(TypedDict):
    username: str
    password: str
    first_name: str
    last_name: str
    email: str
    roles: list[str]
    groups: list[str]


DEMO_PASSWORD: Final = "demo"

DISTRICTS: Final[list[DistrictSpec]] = [
    {"code": "zarechny-leninsky", "name": "Ленинский район г. Заречный", "kind": "urban",
     "population": 61_000, "centre": "г. Заречный"},
    {"code": "zarechny-oktyabrsky", "name": "Октябрьский район г. Заречный", "kind": "urban",
     "population": 54_000, "centre": "г. Заречный"},
    {"code": "berezovsky", "name": "Берёзовский муниципальный округ", "kind": "rural",
     "population": 23_500, "centre": "с. Берёзовка"},
    {"code": "sosnovsky", "name": "Сосновский муниципальный округ", "kind": "rural",
     "population": 17_800, "centre": "п. Сосновый Бор"},
]

INSTITUTIONS: Final[list[OrganisationSpec]] = [
    {"code": "kcson-zarechny", "name": "ГБУ «Комплексный центр социального обслуживания населения г. Заречный»",
     "short_name": "КЦСОН г. Заречный", "kind": "social_service", "district": "zarechny-leninsky",
     "address": "г. Заречный, ул. Ленина, д. 12", "phone": "+7 (342) 200-10-10",
     "email": "kcson@zarechny.example", "help_kinds": ["social", "psychological", "urgent"]},
    {"code": "kcson-berezovsky",
     "name": "ГБУ «Комплексный центр социального обслуживания населения Берёзовского округа»",
     "short_name": "КЦСОН Берёзовского округа", "kind": "social_service", "district": "berezovsky",
     "address": "с. Берёзовка, ул. Советская, д. 3", "phone": "+7 (342) 300-20-20",
     "email": "kcson@berezovka.example", "help_kinds": ["social", "urgent", "material"]},
]

PARTNERS: Final[list[OrganisationSpec]] = [
    {"code": "school-7", "name": "МАОУ «Средняя общеобразовательная школа № 7» г. Заречный",
     "short_name": "СОШ № 7", "kind": "school", "district": "zarechny-leninsky",
     "address": "г. Заречный, ул. Гагарина, д. 15", "phone": "+7 (342) 200-07-07",
     "email": "school7@zarechny.example", "help_kinds": ["pedagogical", "psychological"]},
    {"code": "police-zarechny", "name": "Отдел МВД России по г. Заречному",
     "short_name": "ОМВД по г. Заречному", "kind": "police", "district": "zarechny-leninsky",
     "address": "г. Заречный, пр-т Мира, д. 30", "phone": "+7 (342) 200-02-02",
     "email": "omvd@zarechny.example", "help_kinds": ["legal", "social"]},
    {"code": "clinic-2", "name": "ГБУЗ «Городская поликлиника № 2» г. Заречный",
     "short_name": "Поликлиника № 2", "kind": "healthcare", "district": "zarechny-oktyabrsky",
     "address": "г. Заречный, ул. Чкалова, д. 4", "phone": "+7 (342) 200-03-03",
     "email": "clinic2@zarechny.example", "help_kinds": ["medical", "psychological"]},
    {"code": "ngo-dobrye-ruki", "name": "Благотворительный фонд «Добрые руки»",
     "short_name": "Фонд «Добрые руки»", "kind": "ngo", "district": "zarechny-oktyabrsky",
     "address": "г. Заречный, ул. Мира, д. 8, офис 2", "phone": "+7 (342) 200-08-08",
     "email": "info@dobrye-ruki.example", "help_kinds": ["material", "social", "psychological"]},
    {"code": "employment-zarechny", "name": "ГКУ «Центр занятости населения г. Заречный»",
     "short_name": "Центр занятости", "kind": "employment", "district": "zarechny-leninsky",
     "address": "г. Заречный, ул. Кирова, д. 21", "phone": "+7 (342) 200-04-04",
     "email": "czn@zarechny.example", "help_kinds": ["employment", "legal"]},
    {"code": "guardianship-zarechny", "name": "Отдел опеки и попечительства по г. Заречному",
     "short_name": "Опека г. Заречный", "kind": "guardianship", "district": "zarechny-leninsky",
     "address": "г. Заречный, ул. Ленина, д. 40", "phone": "+7 (342) 200-05-05",
     "email": "opeka@zarechny.example", "help_kinds": ["legal", "social"]},
    {"code": "kdn-zarechny", "name": "Комиссия по делам несовершеннолетних и защите их прав г. Заречный",
     "short_name": "КДН и ЗП г. Заречный", "kind": "minors_commission", "district": "zarechny-leninsky",
     "address": "г. Заречный, ул. Ленина, д. 1", "phone": "+7 (342) 200-06-06",
     "email": "kdn@zarechny.example", "help_kinds": ["legal", "pedagogical"]},
    {"code": "school-berezovka", "name": "МБОУ «Берёзовская средняя школа»",
     "short_name": "Берёзовская СОШ", "kind": "school", "district": "berezovsky",
     "address": "с. Берёзовка, ул. Школьная, д. 1", "phone": "+7 (342) 300-01-01",
     "email": "school@berezovka.example", "help_kinds": ["pedagogical"]},
]

#: Streets that named settlements have whatever the seed: the addresses of the fixed core lie on them, the finder
#: page's example («Заречный, ул. Ленина, 5») is one of them, and some names are ambiguous on purpose — «Мира» is
#: a street and a prospect in Заречный and a street in every district centre; «проезд Чкалова» is in two villages.
CORE_STREETS: Final[dict[str, list[tuple[str, str]]]] = {
    "Заречный": [("ул", "Ленина"), ("ул", "Гагарина"), ("пр-т", "Мира"), ("ул", "Мира"), ("ул", "Чкалова"),
                 ("ул", "Кирова"), ("ул", "Полярная"), ("ш", "Полярное"), ("ул", "Советская")],
    "Берёзовка": [("ул", "Ленина"), ("ул", "Советская"), ("ул", "Школьная"), ("ул", "Мира"), ("проезд", "Чкалова")],
    "Сосновый Бор": [("проезд", "Чкалова")],
}
#: Streets of every district centre: officers' offices, the district's institution and partners lie on them.
CENTRE_STREETS: Final[list[tuple[str, str]]] = [("ул", "Ленина"), ("ул", "Советская"), ("ул", "Мира")]

#: Officers of the fixed core: username → (full name, institution, district, precinct numbers).
class OfficerSpec(TypedDict):
    username: str
    full_name: str
    institution: str
    district: str
    precincts: list[int]
    phone: str
    email: str
    office_address: str
    office_hours: str


OFFICERS: Final[list[OfficerSpec]] = [
    {"username": "officer.ivanova", "full_name": "Иванова Марина Сергеевна", "institution": "kcson-zarechny",
     "district": "zarechny-leninsky", "precincts": [1, 2], "phone": "+7 (342) 200-11-01",
     "email": "ivanova@zarechny.example", "office_address": "г. Заречный, ул. Ленина, д. 12, каб. 5",
     "office_hours": "пн–чт 9:00–17:00, пт 9:00–16:00"},
    {"username": "officer.sokolov", "full_name": "Соколов Андрей Петрович", "institution": "kcson-berezovsky",
     "district": "berezovsky", "precincts": [1], "phone": "+7 (342) 300-11-02",
     "email": "sokolov@berezovka.example", "office_address": "с. Берёзовка, ул. Советская, д. 3, каб. 2",
     "office_hours": "пн–пт 8:30–16:30"},
]


def _user(username: str, first: str, last: str, roles: list[str], groups: list[str]) -> DemoUser:
    return {"username": username, "password": DEMO_PASSWORD, "first_name": first, "last_name": last,
            "email": f"{username}@demo.example", "roles": roles, "groups": groups}


#: Demo users of the development realm (and of the realm file a real Keycloak imports).
DEMO_USERS: Final[list[DemoUser]] = [
    _user("partner.school", "Ольга", "Смирнова", ["partner"], ["/partners/school-7"]),
    _user("partner.school2", "Павел", "Никитин", ["partner"], ["/partners/school-7"]),
    _user("partner.police", "Денис", "Кузнецов", ["partner"], ["/partners/police-zarechny"]),
    _user("partner.clinic", "Елена", "Попова", ["partner"], ["/partners/clinic-2"]),
    _user("partner.ngo", "Анна", "Васильева", ["partner"], ["/partners/ngo-dobrye-ruki"]),
    _user("operator", "Наталья", "Фёдорова", ["operator"], ["/institutions/kcson-zarechny"]),
    _user("officer.ivanova", "Марина", "Иванова", ["officer"], ["/institutions/kcson-zarechny"]),
    _user("officer.sokolov", "Андрей", "Соколов", ["officer"], ["/institutions/kcson-berezovsky"]),
    _user("coordinator.petrova", "Татьяна", "Петрова", ["coordinator"], ["/institutions/kcson-zarechny"]),
    _user("coordinator.orlov", "Игорь", "Орлов", ["coordinator"], ["/institutions/kcson-berezovsky"]),
    _user("supervisor.region", "Светлана", "Морозова", ["supervisor"], []),
    _user("editor.site", "Юлия", "Лебедева", ["editor"], []),
    _user("admin.portal", "Алексей", "Волков", ["admin"], []),
]

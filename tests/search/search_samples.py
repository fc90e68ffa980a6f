"""Sample documents shared by the search tests."""

from __future__ import annotations

STREETS = [
    {"id": "1", "name": "Ленина", "kind": "ул", "kind_name": "улица", "settlement": "Заречный", "label": "ул. Ленина",
     "district_code": "zar", "district_name": "Заречный район", "precinct_ids": ["11"]},
    {"id": "2", "name": "Гагарина", "kind": "ул", "kind_name": "улица", "settlement": "Заречный",
     "label": "ул. Гагарина", "district_code": "zar", "district_name": "Заречный район", "precinct_ids": ["12"]},
    {"id": "3", "name": "Лесная", "kind": "пер", "kind_name": "переулок", "settlement": "Берёзовка",
     "label": "пер. Лесная", "district_code": "ber", "district_name": "Березовский район", "precinct_ids": ["13"]},
    {"id": "4", "name": "Ленинградская", "kind": "ул", "kind_name": "улица", "settlement": "Берёзовка",
     "label": "ул. Ленинградская", "district_code": "ber", "district_name": "Березовский район",
     "precinct_ids": ["13"]},
    {"id": "5", "name": "Мира", "kind": "пр-т", "kind_name": "проспект", "settlement": "Заречный",
     "label": "пр-т Мира", "district_code": "zar", "district_name": "Заречный район", "precinct_ids": ["11"]},
]
STAFF = [
    {"id": "case-1", "type": "case", "title": "СС-001 Иванов Пётр", "text": "", "status": "active",
     "precinct_id": ["11"], "institution_id": ["7"]},
    {"id": "case-2", "type": "case", "title": "СС-002 Иванова Мария", "text": "", "status": "active",
     "precinct_id": ["12"], "institution_id": ["8"]},
    {"id": "person-3", "type": "person", "title": "Иваненко Ольга", "text": "1980", "precinct_id": ["12"],
     "institution_id": ["8"]},
]


"""Detection and masking of personal data in free Russian text (персональные данные).

One component for every place where people's free text becomes public (published consultations, the needs
registry): `detect` returns typed findings with their spans, `mask` replaces them by neutral placeholders.
Detection errs on the side of masking: a moderator sees each finding and may confirm it one by one
(`Finding.key` names a finding stably across requests, so a confirmation can be checked and audited).

Kinds (`Kind`): e-mail (also written as `[at]`, `собака`, `точка`), phone (digits with any dashes, brackets,
spaces, extensions, international numbers, numbers in words), messenger handles and profile links, street
and village addresses, a person's name with a date of birth, a full name with patronymic, and document
numbers: passport, SNILS, INN, OMS policy, birth certificate, bank card, other long identifiers.

Libraries: `phonenumbers` (Google's libphonenumber) finds international numbers; `python-stdnum` checks
INN and Luhn checksums; `pymorphy3` (OpenCorpora dictionary) tells names, surnames and patronymics from
ordinary words, so a capitalised word is a name only when the dictionary says so. The SNILS checksum is
not in python-stdnum and is computed here (Pension Fund rule).
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import phonenumbers
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from stdnum import luhn
from stdnum.ru import inn as stdnum_inn


class Kind(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    MESSENGER = "messenger"
    ADDRESS = "address"
    NAME_WITH_BIRTHDATE = "name_with_birthdate"
    FULL_NAME = "full_name"
    PASSPORT = "passport"
    SNILS = "snils"
    INN = "inn"
    OMS_POLICY = "oms_policy"
    BIRTH_CERTIFICATE = "birth_certificate"
    BANK_CARD = "bank_card"
    ID_NUMBER = "id_number"


ALL_KINDS: frozenset[Kind] = frozenset(Kind)
#: Ways to reach a person directly.
CONTACT_KINDS: frozenset[Kind] = frozenset({Kind.EMAIL, Kind.PHONE, Kind.MESSENGER})
#: Numbers of a person's documents and accounts.
DOCUMENT_KINDS: frozenset[Kind] = frozenset({Kind.PASSPORT, Kind.SNILS, Kind.INN, Kind.OMS_POLICY,
                                             Kind.BIRTH_CERTIFICATE, Kind.BANK_CARD, Kind.ID_NUMBER})

LABELS = {
    Kind.EMAIL: _("e-mail"),
    Kind.PHONE: _("phone"),
    Kind.MESSENGER: _("messenger or profile"),
    Kind.ADDRESS: _("address"),
    Kind.NAME_WITH_BIRTHDATE: _("name with date of birth"),
    Kind.FULL_NAME: _("full name"),
    Kind.PASSPORT: _("passport"),
    Kind.SNILS: pgettext_lazy("document", "SNILS"),
    Kind.INN: pgettext_lazy("document", "INN"),
    Kind.OMS_POLICY: _("medical insurance policy"),
    Kind.BIRTH_CERTIFICATE: _("birth certificate"),
    Kind.BANK_CARD: _("bank card"),
    Kind.ID_NUMBER: _("identification number"),
}

PLACEHOLDERS = {
    Kind.EMAIL: _("[e-mail hidden]"),
    Kind.PHONE: _("[phone hidden]"),
    Kind.MESSENGER: _("[contact hidden]"),
    Kind.ADDRESS: _("[address hidden]"),
    Kind.NAME_WITH_BIRTHDATE: _("[name and date of birth hidden]"),
    Kind.FULL_NAME: _("[name hidden]"),
    Kind.PASSPORT: _("[document number hidden]"),
    Kind.SNILS: _("[document number hidden]"),
    Kind.INN: _("[document number hidden]"),
    Kind.OMS_POLICY: _("[document number hidden]"),
    Kind.BIRTH_CERTIFICATE: _("[document number hidden]"),
    Kind.BANK_CARD: _("[card number hidden]"),
    Kind.ID_NUMBER: _("[number hidden]"),
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One piece of personal data: where it is (`start`:`end` in the text), what kind, the text itself."""

    start: int
    end: int
    kind: Kind
    text: str

    @property
    def key(self) -> str:
        """Stable name of this finding (kind and the text, spaces ignored): the same item found again in an
        edited text has the same key, so a moderator's confirmation of it can be checked."""
        normal = re.sub(r"\s+", " ", self.text).strip().casefold()
        return f"{self.kind.value}-{hashlib.sha256(normal.encode()).hexdigest()[:12]}"

    @property
    def label(self) -> str:
        return str(LABELS[self.kind])

    def describe(self) -> str:
        return f"{self.label}: «{self.text}»"


@dataclass
class Masked:
    """A masked text and what was replaced."""

    text: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def found(self) -> dict[str, int]:
        """How many of each kind were masked, e.g. {"phone": 2}."""
        counts: dict[str, int] = {}
        for finding in self.findings:
            counts[finding.kind.value] = counts.get(finding.kind.value, 0) + 1
        return counts

    @property
    def changed(self) -> bool:
        return bool(self.findings)


# --- Building blocks ----------------------------------------------------------------------------

_DASH = "\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"  # hyphen, non-breaking hyphen, figure/en/em dash, minus
_D = f"[{_DASH}]"
_SEP = f"[\\s{_DASH}().]"  # between phone digits
_NB = r"(?<![\wЁё])"  # no letter or digit before
_NA = r"(?![\wЁё])"  # no letter or digit after

#: Words after a number that make it a quantity, not a house or phone: «5 лет», «150 000 рублей».
_QUANTITY = (r"(?:лет|год|мес|недел|дн|день|раз|руб|р\.|₽|тыс|млн|млрд|чел|дет|реб|сем|внук|сын|доч|шт|%"
             r"|процент|кв\.?\s*м(?![\wЁё])|м2|м²|метр|км|кг|час|мин|класс|курс|этаж|балл|копе|коп\.|штук"
             r"|дом(?:а|ов)(?![\wЁё])|двор|жител|хозяйств|соток|сотки|га(?![\wЁё]))")
_NOT_QUANTITY = rf"(?!\s*(?i:{_QUANTITY}))"


# --- E-mail --------------------------------------------------------------------------------------

_AT_WORDS = r"at|собака|собачка|собаку|собакой|эт|эт\s*собака"
_DOT_WORDS = r"dot|точка|тчк|дот"
_AT = (rf"(?:\s*@\s*|\s*[\[(\{{<]\s*(?i:{_AT_WORDS}|@)\s*[\])\}}>]\s*|\s+(?i:{_AT_WORDS})\s+)")
_DOT = rf"(?:\s?\.\s?|\s*[\[(\{{<]\s*(?i:{_DOT_WORDS}|\.)\s*[\])\}}>]\s*|\s+(?i:{_DOT_WORDS})\s+)"
_LOCAL = r"[A-Za-z0-9][A-Za-z0-9._%+\-]*(?:\s+(?i:dot|точка)\s+[A-Za-z0-9_%+\-]+)*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?"
_TLD = (r"(?i:ru|рф|com|net|org|su|info|biz|me|io|ua|by|kz|uz|kg|am|ge|az|tj|de|uk|us|online|site|pro|edu|gov|mail"
        r"|yandex|рус|space|xyz|club|co|tv|cc|eu|ру|ком)")
_MAIL_SERVICES = (r"mail|мейл|мэйл|маил|майл|yandex|яндекс|ya|я|gmail|гмейл|гмайл|джимейл|джимэйл|rambler|рамблер"
                  r"|bk|бк|inbox|инбокс|list|лист|outlook|аутлук|icloud|айклауд")
_EMAIL_RES = [
    # The usual address, Cyrillic ones included: ivan.petrov@mail.ru, почта@пример.рф.
    re.compile(r"(?<![\w.+\-])[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+"),
    # Spelled out: ivan [at] mail [dot] ru, ivan(собака)mail.ru, ivan собака mail точка ru, ivan @ mail . ru.
    re.compile(rf"(?<![\w.+\-]){_LOCAL}{_AT}{_LABEL}(?:{_DOT}{_LABEL})*{_DOT}{_TLD}(?![\w])"),
    # A mail service spelled in Cyrillic: «ivanov собака мэйл ру», «иванов собака яндекс точка ру».
    re.compile(rf"(?<![\w.+\-])[A-Za-zА-Яа-яЁё0-9][\wЁё.\-]*{_AT}(?i:{_MAIL_SERVICES})(?:{_DOT}|\s+)"
               r"(?i:ру|ru|ком|com|рф|нет|net)(?![\wЁё])"),
    # A comma typed for the last dot: ivan@mail,ru.
    re.compile(rf"(?<![\w.+\-])[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)*\s?,\s?{_TLD}(?![\w])"),
]


# --- Messengers and profiles -------------------------------------------------------------------------

_PROFILE_HOSTS = (r"t\.me|telegram\.me|telegram\.dog|vk\.com|vk\.ru|vk\.me|m\.vk\.com|ok\.ru|m\.ok\.ru"
                  r"|odnoklassniki\.ru|wa\.me|api\.whatsapp\.com|chat\.whatsapp\.com|instagram\.com|instagr\.am"
                  r"|facebook\.com|fb\.com|m\.facebook\.com|twitter\.com|x\.com|tiktok\.com|youtube\.com"
                  r"|dzen\.ru|viber\.click|invite\.viber\.com|max\.ru|icq\.im|my\.mail\.ru|linkedin\.com|skype\.com"
                  r"|threads\.net|snapchat\.com|discord\.gg|pinterest\.com")
_MESSENGER_WORDS = (r"телеграм+[а-я]*|телега|телеге|тележк[аеу]|тг|tg|telegram|вконтакте|вк|vk|одноклассник[а-я]*"
                    r"|ok|instagram|инстаграм+[а-я]*|инст[ау]?|insta|инсте|viber|вайбер[а-я]*|вибер[а-я]*"
                    r"|whats\s?app|ватсап[а-я]*|вотсап[а-я]*|вацап[а-я]*|скайп[а-я]*|skype|discord|дискорд[а-я]*"
                    r"|макс[а-я]*|max|facebook|фейсбук[а-я]*|ник|никнейм|логин")
_MESSENGER_RES = [
    # Profile links: t.me/ivan_p, https://vk.com/id123, ok.ru/profile/123, wa.me/79123456789.
    re.compile(rf"(?<![\w.])(?:(?:https?://)?(?:www\.)?(?i:{_PROFILE_HOSTS})/[^\s,;)\]»\"']+"
               r"|(?i:tg|viber|whatsapp|skype)://[^\s,;)\]»\"']+)"),
    # Handles: @ivan_petrov (not an e-mail: nothing word-like before the @).
    re.compile(r"(?<![\w.@])@[A-Za-z][A-Za-z0-9_.]{3,31}(?<![.])(?![\w@])"),
    # A handle after the messenger's name: «телеграм ivan_p», «вк: petrova.anna», «ник в инсте anna_m».
    re.compile(rf"(?i:{_NB}(?:{_MESSENGER_WORDS}))(?:\s*(?:[:\-–—]|в|во|на|в\s+(?:{_MESSENGER_WORDS})))*\s*"
               r"(?P<n>@?[A-Za-z][A-Za-z0-9_.]{3,31}(?<![.]))(?![\w@])"),
]
_NOT_HANDLE = re.compile(r"(?i:https?|www|mail|email|gmail|yandex|gosuslugi|госуслуги|online|http)$")


# --- Phones ----------------------------------------------------------------------------------------

_EXTENSION = rf"(?:\s*,?\s*\(?(?i:доб\.?|добавочный|вн\.?|внутр\.?|ext\.?|x)\s*{_D}?\s*\d{{1,5}}\)?)"
_PHONE_WORD = (r"(?:тел(?:ефон[а-я]*)?\.?|т\.|моб(?:ильный|\.)?|сот(?:овый|\.)?|phone|tel\.?|номер[а-я]*"
               r"|звоните|звонить|позвоните|whatsapp|ватсап|вайбер|viber|смс|sms)")
_PHONE_RES = [
    # +7 / 8 / 7 and ten digits with any separators: +7 (342) 200-10-10, 8–912–345–67–89, 8 912 3456789.
    re.compile(rf"(?<![\d+])(?:\+\s?7|8|7)(?:{_SEP}{{0,3}}\d){{10}}(?!\d){_EXTENSION}?"),
    # Ten digits grouped 3-3-2-2 without the prefix: (342) 200-10-10, 912 345 67 89, 9123456789.
    re.compile(rf"(?<![\d+{_DASH}])\(?\d{{3}}\)?[\s{_DASH}]?\d{{3}}[\s{_DASH}]?\d{{2}}[\s{_DASH}]?\d{{2}}"
               rf"(?![\d{_DASH}]){_EXTENSION}?"),
    # Local numbers: 200-10-10, 2-10-10, 22-33-44, 200 10 10 after a phone word.
    re.compile(rf"(?<![\d{_DASH}./])\d{{1,3}}{_D}\d{{2}}{_D}\d{{2}}(?![\d{_DASH}./]){_EXTENSION}?"),
    # Digits after a phone word: «тел. 223344», «телефон: 5-55-55», «моб 2001010». Only the number is masked.
    re.compile(rf"(?i){_NB}{_PHONE_WORD}[:\s]*(?:\+\s?)?(?P<n>\+?\d[\d\s{_DASH}()]{{3,16}}\d{_EXTENSION}?)"),
]

_UNITS = {"ноль": 0, "нуль": 0, "один": 1, "одна": 1, "два": 2, "две": 2, "три": 3, "четыре": 4, "пять": 5,
          "шесть": 6, "семь": 7, "восемь": 8, "девять": 9}
_TEENS = {"десять": 10, "одиннадцать": 11, "двенадцать": 12, "тринадцать": 13, "четырнадцать": 14,
          "пятнадцать": 15, "шестнадцать": 16, "семнадцать": 17, "восемнадцать": 18, "девятнадцать": 19}
_TENS = {"двадцать": 20, "тридцать": 30, "сорок": 40, "пятьдесят": 50, "шестьдесят": 60, "семьдесят": 70,
         "восемьдесят": 80, "девяносто": 90}
_HUNDREDS = {"сто": 100, "двести": 200, "триста": 300, "четыреста": 400, "пятьсот": 500, "шестьсот": 600,
             "семьсот": 700, "восемьсот": 800, "девятьсот": 900}
_NUMBER_WORDS = {**_UNITS, **_TEENS, **_TENS, **_HUNDREDS}
_NUMBER_TOKEN = re.compile(r"\+?\d+|[А-Яа-яЁё]+")
_NUMBER_GAP = re.compile(rf"^[\s,{_DASH}()]*$")


# --- Document numbers ------------------------------------------------------------------------------

_NUM = "(?:№|N|No\\.?|номер|ном\\.?|н\\.)"
_PASSPORT_RES = [
    # With the word: «паспорт 57 03 123456», «паспорт серия 5703 номер 123456», «паспорт: 5703-123456».
    re.compile(rf"(?i){_NB}(?:паспорт[а-я]*|загранпаспорт[а-я]*|серия|сер\.|пасп\.)(?:\s*(?:гражданина\s+рф|рф"
               rf"|серия|сер\.|и\s+номер|данные|паспорта|номер)\s*)*[:\s]*(?P<n>\d{{2}}\s?\d{{2}}\s*(?:{_NUM}\s*)?[{_DASH}]?\s*"
               rf"\d{{6}}|\d{{2}}\s*{_NUM}?\s*\d{{7}})(?!\d)"),
    # Series and number with their words: «серия 57 03 № 123456», «серия 5703, номер 123456».
    re.compile(rf"(?i){_NB}сери[яи](?:\s+паспорта)?[:\s]*\d{{2}}\s?\d{{2}}\s*,?\s*(?:{_NUM}[:\s]*)?\d{{6}}(?!\d)"),
    # The bare shape: «5703 123456», «57 03 123456», «5703 № 123456».
    re.compile(rf"(?<![\d{_DASH}.,/])\d{{2}}\s?\d{{2}}\s(?:{_NUM}\s*)?\d{{6}}(?![\d{_DASH}.,/])"),
]
_SNILS_FORMATTED = re.compile(rf"(?<![\d{_DASH}])\d{{3}}{_D}\d{{3}}{_D}\d{{3}}[\s{_DASH}]\d{{2}}(?![\d{_DASH}])")
_SNILS_LABELLED = re.compile(rf"(?i){_NB}(?:снилс|страховое\s+свидетельство|страховой\s+номер)[\s:№]*"
                             rf"(?P<n>\d{{3}}[\s{_DASH}]?\d{{3}}[\s{_DASH}]?\d{{3}}[\s{_DASH}]?\d{{2}})(?!\d)")
_INN_LABELLED = re.compile(r"(?i)(?<![\wЁё])инн[\s:№]*(?P<n>\d{12}|\d{10})(?!\d)")
_OMS_LABELLED = re.compile(rf"(?i){_NB}(?:полис[а-я]*|омс|енп|единый\s+номер\s+полиса)(?:\s*(?:омс|номер|№|:))*"
                           rf"\s*(?P<n>\d{{4}}[\s{_DASH}]?\d{{4}}[\s{_DASH}]?\d{{4}}[\s{_DASH}]?\d{{4}}|\d{{16}})(?!\d)")
_CARD_LABELLED = re.compile(rf"(?i){_NB}(?:карт[а-я]*|карточк[а-я]*|card|visa|mastercard|мир|сбер[а-я]*)"
                            rf"[\s:№]*(?:номер\s*)?(?P<n>\d{{4}}(?:[\s{_DASH}]?\d{{4}}){{2}}[\s{_DASH}]?\d{{4,7}})(?!\d)")
_CARD_SHAPE = re.compile(rf"(?<![\d{_DASH}])\d{{4}}(?:[\s{_DASH}]?\d{{4}}){{2}}[\s{_DASH}]?\d{{4}}(?:\d{{3}})?"
                         rf"(?![\d{_DASH}])")
_ROMAN = "[IVXІХV1Il]"
_BIRTH_CERTIFICATE_RES = [
    # «II-АБ 123456», «IV-ВГ № 654321», «II АБ123456», «ІІ-МЮ № 512345», «1-АБ 123456» (Roman or look-alikes).
    re.compile(rf"(?<![\wЁё]){_ROMAN}{{1,4}}\s?[{_DASH}\s]?\s?[А-ЯЁ]{{2}}(?:\s*,?\s*{_NUM})?\s*\d{{6}}(?!\d)"),
    # With its words: «свидетельство о рождении серия II-АБ номер 123456», «св-во о рожд. 123456».
    re.compile(rf"(?i){_NB}(?:свидетельств[а-я]*|св-в[оа])\s+о\s+рожд[а-я.]*(?:\s*(?:ребёнка|ребенка|серия|сер\.|"
               rf"№|номер|:|,))*\s*(?P<n>(?:[IVXІХ1Il]{{1,4}}\s?[{_DASH}\s]?\s?[А-ЯЁ]{{2}}\s*,?\s*(?:{_NUM}\s*)?)?"
               rf"\d{{6}})(?!\d)"),
]
_LONG_NUMBER = re.compile(r"(?<![\d.,/\-])\d{9,20}(?![\d.,/\-])")
#: Numbers of institutions and payments, not of people: ОГРН, КБК, ОКТМО, БИК, КПП, корр. счёт.
_PUBLIC_NUMBER_BEFORE = re.compile(r"(?i)(?:огрн|огрнип|кбк|октмо|окато|окпо|бик|кпп|к/с|корр\.?\s*сч[её]т|оквэд"
                                   r"|код|артикул|арт\.|isbn|штрих-?код)[\s:№]*$")


# --- Addresses ---------------------------------------------------------------------------------------

_STREET_TYPE_WORDS = (
    r"ул|улиц(?:а|е|у|ы|ей)|пр-?т|пр|просп|проспект(?:е|у)?|пер|переул(?:ок|ке)|б-р|бул|бульвар(?:е)?"
    r"|ш|шоссе|наб|набережн(?:ая|ой)|пл|площад(?:ь|и)|пр-д|проезд(?:е)?|туп|тупик(?:е)?|мкр|мкрн|микрорайон(?:е)?"
    r"|тракт(?:е)?|аллея|аллее|кв-л|квартал(?:е)?"
)
_STREET_TYPE = rf"(?<![\wЁё])(?i:{_STREET_TYPE_WORDS})(?:\.|(?![\wЁё\-]))"
_CAP = r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁа-яё][а-яё]+)?"
_STREET_NAME = rf"(?:\d{{1,3}}\s+(?:лет|летия)\s+|\d{{1,2}}(?:-?[а-я]{{1,2}})?[\s\-]+)?{_CAP}(?:\s+{_CAP})?"
_LOWER_NAME = r"[а-яё][а-яё\-]{2,}(?:\s+[а-яё][а-яё\-]{2,})?"
_HOUSE_NUMBER = (rf"№?\s*\d{{1,4}}(?:\s?[а-яА-Я](?![\wЁё]))?(?:\s?/\s?\d{{1,4}}(?:\s?[а-яА-Я](?![\wЁё]))?)?"
                 rf"(?:[{_DASH}]\d{{1,4}})?(?!\d)")
_BUILDING = (r"(?:\s*[/,]?\s*(?i:корп(?:ус)?\.?|к\.?(?=\s*\d)|стр(?:оение)?\.?|лит(?:ера?)?\.?|подъезд|под\.|"
             r"эт(?:аж)?\.?)\s*"
             r"(?:\d{1,3}(?!\d)|[А-ЯA-Z](?![\wЁё])))*")
_BUILDING_PART = (r"\s*[/,]?\s*(?i:корп(?:ус)?\.?|к\.?(?=\s*\d)|стр(?:оение)?\.?|лит(?:ера?)?\.?)\s*"
                  r"(?:\d{1,3}(?!\d)|[А-ЯA-Z](?![\wЁё]))")
_FLAT_MARK = r"(?i:кв(?:артира|артире|-ра|\.)?|оф(?:ис)?\.?|комн(?:ата|ате)?\.?|ком\.)\s*№?\s*\d{1,4}(?!\d)"
_FLAT = rf"(?:,?\s*{_FLAT_MARK})?"
_HOUSE = rf",?\s*(?:(?i:д(?:ом|оме)?\.?)\s*)?{_HOUSE_NUMBER}{_NOT_QUANTITY}{_BUILDING}"
_TOWN_TYPES = r"г|гор|город"
_VILLAGE_TYPES = (r"с|село|селе|п|пос|посёлок|поселок|посёлке|поселке|пгт|рп|д|дер|деревня|деревне|х|хут|хутор|хуторе"
                  r"|ст|ст-ца|станица|станице|снт|днт|тсн|аул|кишлак|слобода|мкр")
_SETTLEMENT = rf"(?<![\wЁё])(?i:{_TOWN_TYPES}|{_VILLAGE_TYPES})\.?\s*{_CAP}(?:[\s\-]+{_CAP})?"
_VILLAGE = rf"(?<![\wЁё])(?i:{_VILLAGE_TYPES})\.?\s*(?:{_CAP}(?:[\s\-]+{_CAP})?|«[^»]{{2,40}}»|\"[^\"]{{2,40}}\")"

_ADDRESS_RES = [
    # With a street type: «ул. Ленина, д. 12, кв. 5», «на улице Мира 30», «ул кирова 5».
    re.compile(rf"{_STREET_TYPE}\s*(?:{_STREET_NAME}(?:{_HOUSE})?|{_LOWER_NAME}{_HOUSE}){_FLAT}"),
    # House and flat numbers without a street: «д. 5, кв. 12», «дом 7 корп. 2», «д 5 кв 3» (a house number alone,
    # «в доме № 5 можно создать ТСЖ», is generic advice).
    re.compile(rf"(?<![\wЁё])(?i:д(?:ом|оме|\.))\s*{_HOUSE_NUMBER}{_NOT_QUANTITY}"
               rf"(?:{_BUILDING_PART}{_BUILDING}{_FLAT}|{_BUILDING},?\s*{_FLAT_MARK})"),
    re.compile(rf"(?<![\wЁё])(?i:д)\s*\d{{1,4}}\s?[а-я]?,?\s*{_FLAT_MARK}"),
    # A flat on its own: «кв. 12», «кв 12», «кв12», «квартира 12» (not «2 кв. 2024 года», «квартира 3-комнатная»).
    re.compile(rf"(?<![\wЁё])(?i:кв(?:артира|артире|-ра|\.)?)\s*№?\s*(?!(?:19|20)\d{{2}}(?!\d))\d{{1,4}}(?!\d)"
               rf"(?!\s?[{_DASH}]?\s?(?i:х\b|ти\b|комн|к\b)){_NOT_QUANTITY}"),
    # The street type after the name: «Комсомольский проспект 45», «Октябрьская улица, 5».
    re.compile(rf"(?<![\wЁё]){_CAP}(?:\s+{_CAP})?\s+(?i:улица|проспект|переулок|бульвар|шоссе|проезд|тупик|тракт"
               rf"|набережная|площадь|аллея|ул\.|пр-т|пер\.|б-р|ш\.)\s*{_HOUSE}{_FLAT}"),
    # No street type, but a house marker, a flat or the «5/2-12» shape: «Ленина 5 кв 3», «Мира 30, оф. 2».
    re.compile(rf"(?<![\wЁё]){_STREET_NAME}(?:,?\s*(?i:д(?:ом|\.)?)\s*{_HOUSE_NUMBER}{_NOT_QUANTITY}{_BUILDING}"
               rf"{_FLAT}|,?\s*{_HOUSE_NUMBER}{_BUILDING},?\s*{_FLAT_MARK}"
               rf"|,?\s*\d{{1,3}}\s?[а-я]?\s?/\s?\d{{1,4}}(?:[{_DASH}]\d{{1,4}})?(?!\d){_FLAT}"
               rf"|,?\s*\d{{1,3}}\s?[а-я]?[{_DASH}]\d{{1,4}}(?!\d)(?![{_DASH}]\d){_NOT_QUANTITY})"),
    # After a town: «г. Заречный, Ленина 5» (the town itself stays readable).
    re.compile(rf"{_SETTLEMENT}\s*,\s*(?P<n>{_STREET_NAME}{_HOUSE}{_FLAT})(?![\wЁё])"),
    # A village and a house: «д. Сосновка, 12», «с. Берёзовка д. 5», «СНТ «Рассвет», участок 14».
    re.compile(rf"{_VILLAGE}\s*,?\s*(?:(?i:д(?:ом)?\.?|уч(?:асток|\.)?|№)\s*)?{_HOUSE_NUMBER}{_NOT_QUANTITY}"
               rf"{_BUILDING}{_FLAT}"),
    # After «живу на», «проживаю по адресу», «адрес:»: «живу на Ленина 5-3».
    re.compile(rf"(?<![\wЁё])(?i:живу|живём|живем|живёт|живет|живут|прожива\w*|прописан\w*|зарегистрирован\w*"
               rf"|адрес\w*|находимся|приезжайте\s+на)[:\s]+"
               rf"(?:(?i:на|по)\s+)?(?:(?i:адресу)[:\s]+)?(?P<n>{_STREET_NAME}{_HOUSE}{_FLAT})(?![\wЁё])"),
    # A postal code before a place: «614000, г. Пермь, ул. …».
    re.compile(rf"(?<!\d)[1-6]\d{{5}}(?!\d)(?=\s*,?\s*(?i:{_TOWN_TYPES}|{_VILLAGE_TYPES}|[А-ЯЁ][а-яё]+\s+(?:обл|кра|респ)))"),
]
# A name that the dictionary knows as a street's («Ленина», «Гагарина» — a surname in the genitive;
# «Советская», «Лесная» — a feminine adjective) followed by a house number: «Ленина 5», «Советская, 12а».
_BARE_STREET = re.compile(rf"(?<![\wЁё.])(?P<name>{_CAP})(?P<num>,?\s*\d{{1,4}}(?:\s?[а-я](?![\wЁё]))?(?:/\d{{1,4}})?)"
                          rf"(?![\d{_DASH}.,]\d|\s*(?i:{_QUANTITY})|\s*[А-ЯЁ][а-яё]+\s+\d{{4}}|[\wЁё])")
_STREET_GENITIVES = frozenset({"мира", "победы", "свободы", "октября", "революции", "труда", "молодёжи", "молодежи",
                               "космонавтов", "строителей", "партизан", "коммунаров", "декабристов", "энтузиастов",
                               "металлургов", "нефтяников", "шахтёров", "шахтеров", "железнодорожников"})


# --- Names and dates of birth ---------------------------------------------------------------------------

_MONTHS = (r"(?:января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря"
           r"|янв|фев|мар|апр|июн|июл|авг|сен|сент|окт|ноя|дек)\.?")
_YEAR = r"(?:19|20)\d{2}"
_DATE = (rf"(?:\d{{1,2}}\.\d{{1,2}}\.(?:{_YEAR}|\d{{2}})(?!\d)(?:\s*(?:г\.?|года))?"
         rf"|\d{{1,2}}/\d{{1,2}}/{_YEAR}(?!\d)|\d{{1,2}}{_D}\d{{1,2}}{_D}{_YEAR}(?!\d)|{_YEAR}{_D}\d{{2}}{_D}\d{{2}}(?!\d)"
         rf"|\d{{1,2}}\s+(?i:{_MONTHS})\s+{_YEAR}(?:\s*(?:г\.?|года))?)")
_BIRTH_MARK = r"(?i:г\.?\s?р\.?|гр\.|г\.\s*рожд\.?|года?\s+рождения|д\.?\s?р\.?|рожд\.?|р\.)"
_BIRTH_WORD = r"(?i:дата\s+рождения|д\.\s*р\.|род\.|родил(?:ся|ась|ись)|рожд(?:ения|ён|ен|ена)|р\.)"
#: A date of birth: «12.03.2015», «12 марта 2015 г.», «2015 г.р.», «2015 года рождения», «д.р. 12.03.2015».
_BIRTHDATE = (rf"(?:(?:{_BIRTH_WORD}[:\s]*(?:в\s+)?)?{_DATE}(?:\s*{_BIRTH_MARK})?"
              rf"|{_YEAR}\s*{_BIRTH_MARK}|(?:{_BIRTH_WORD}[:\s]*(?:в\s+)?){_YEAR}(?:\s*(?:г\.?|году))?)")
_INITIALS = r"[А-ЯЁ]\.\s?(?:[А-ЯЁ]\.)?"
_WORD = re.compile(r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?")
_NAME_DATE = re.compile(
    rf"(?P<name>(?:{_INITIALS}\s?)?[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?(?:\s+[А-ЯЁ][а-яё]+){{0,2}}(?:\s+{_INITIALS})?)"
    rf"(?P<gap>\s*(?:,|\(|{_D})?\s*(?:(?i:ребёнок|ребенок|сын|дочь)\s*,?\s*)?)"
    rf"(?P<date>{_BIRTHDATE})\)?")
_DATE_NAME = re.compile(
    rf"(?P<date>{_BIRTHDATE})(?P<gap>\s*(?:,|{_D})?\s*)"
    rf"(?P<name>[А-ЯЁ][а-яё]+(?:\s+[А-ЯЁ][а-яё]+){{0,2}}(?:\s+{_INITIALS})?)")
_FULL_NAME = re.compile(r"(?<![\wЁё])[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?\s+[А-ЯЁ][а-яё]+\s+[А-ЯЁ][а-яё]+(?![\wЁё])")
_SURNAME_INITIALS = re.compile(r"(?<![\wЁё])(?:[А-ЯЁ][а-яё]{2,}\s+[А-ЯЁ]\.\s?[А-ЯЁ]\.|[А-ЯЁ]\.\s?[А-ЯЁ]\.\s?"
                               r"[А-ЯЁ][а-яё]{2,}(?![\wЁё]))")


@functools.lru_cache(maxsize=1)
def _morph() -> Any:  # pymorphy3 ships no types
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


@functools.lru_cache(maxsize=8192)
def _name_tags(word: str) -> frozenset[str]:
    """Which of Name/Surn/Patr the dictionary gives a word (any reading above a small score)."""
    tags: set[str] = set()
    for parse in _morph().parse(word):
        if parse.score < 0.02:
            continue
        for tag in ("Name", "Surn", "Patr"):
            if tag in parse.tag:
                tags.add(tag)
    return frozenset(tags)


@functools.lru_cache(maxsize=8192)
def _is_street_word(word: str) -> bool:
    """«Ленина», «Гагарина» (a surname in the genitive), «Советская», «Лесная» (feminine adjective), «Мира»."""
    lower = word.lower()
    if lower in _STREET_GENITIVES:
        return True
    parses = _morph().parse(word)
    if lower.endswith(("ая", "яя")) and any(p.score >= 0.2 and p.tag.POS == "ADJF" and
                                            {"femn", "sing", "nomn"} <= p.tag.grammemes for p in parses):
        return True
    return any(p.score >= 0.3 and "Surn" in p.tag and "gent" in p.tag for p in parses)


@functools.lru_cache(maxsize=8192)
def _is_feminine_adjective(word: str) -> bool:
    """«Набережной», «Советской»: a street's name in a case other than the nominative («на Советской 12»)."""
    if word.lower().startswith("набережн"):
        return True
    return any(p.score >= 0.1 and p.tag.POS == "ADJF" and {"femn", "sing"} <= p.tag.grammemes
               for p in _morph().parse(word))


def _is_name(words: list[str], *, strong: bool) -> bool:
    """Whether capitalised words are a person's name. Strong: a surname and a first name or patronymic."""
    tags = [_name_tags(word) for word in words]
    if not all(tags):
        return False
    found = set().union(*tags)
    if strong:
        return len(words) >= 2 and ("Patr" in found or ("Surn" in found and "Name" in found))
    return True


# --- Detection ------------------------------------------------------------------------------------------

#: Lower wins an overlap: labelled documents, then contacts, then numbers known by their shape only, then
#: names with dates, addresses and names.
_PRIORITY = {Kind.BIRTH_CERTIFICATE: 0, Kind.PASSPORT: 0, Kind.SNILS: 0, Kind.INN: 0, Kind.OMS_POLICY: 0,
             Kind.BANK_CARD: 0, Kind.EMAIL: 1, Kind.MESSENGER: 2, Kind.PHONE: 3, Kind.NAME_WITH_BIRTHDATE: 5,
             Kind.ADDRESS: 6, Kind.FULL_NAME: 7, Kind.ID_NUMBER: 8}
_SHAPE_ONLY = 4


@dataclass(frozen=True, slots=True)
class _Candidate:
    start: int
    end: int
    kind: Kind
    rank: int  # lower wins at equal priority and length (labelled beats shape-only)
    priority: int | None = None  # None: the kind's

    @property
    def order(self) -> int:
        return _PRIORITY[self.kind] if self.priority is None else self.priority


def _group(match: re.Match[str]) -> tuple[int, int]:
    if "n" in match.re.groupindex and match.group("n") is not None:
        return match.start("n"), match.end("n")
    return match.start(), match.end()


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def _snils_valid(digits: str) -> bool:
    """SNILS check number: the weighted sum of the first nine digits (weights 9…1) modulo 101, 100 → 00."""
    if len(digits) != 11 or not digits.isdigit():
        return False
    number, check = digits[:9], int(digits[9:])
    if number <= "001001998":
        return True  # numbers this low carry no checksum
    total = sum(int(d) * w for d, w in zip(number, range(9, 0, -1), strict=True))
    total %= 101
    return (0 if total == 100 else total) == check


def _inn_valid(digits: str) -> bool:
    return stdnum_inn.is_valid(digits)


def _luhn_valid(digits: str) -> bool:
    try:
        luhn.validate(digits)
    except Exception:
        return False
    return True


def _emails(text: str) -> Iterable[_Candidate]:
    for rank, pattern in enumerate(_EMAIL_RES):
        for match in pattern.finditer(text):
            yield _Candidate(match.start(), match.end(), Kind.EMAIL, rank)


def _messengers(text: str) -> Iterable[_Candidate]:
    for rank, pattern in enumerate(_MESSENGER_RES):
        for match in pattern.finditer(text):
            start, end = _group(match)
            if rank == 2 and _NOT_HANDLE.match(text[start:end].lstrip("@")):
                continue
            yield _Candidate(start, end, Kind.MESSENGER, rank)


def _phones(text: str) -> Iterable[_Candidate]:
    for rank, pattern in enumerate(_PHONE_RES):
        for match in pattern.finditer(text):
            start, end = _group(match)
            digits = _digits(text[start:end])
            if rank == 3 and (len(digits) < 5 or (len(digits) == 11 and digits[0] not in "78")):
                continue  # too short for a phone, or eleven digits that are not +7/8 (a SNILS, say)
            if rank == 1 and text[start:end].isdigit() and digits[0] != "9":
                continue  # ten plain digits are a mobile number only when they start with 9
            if _PUBLIC_NUMBER_BEFORE.search(text[max(0, start - 30):start]) or _toll_free(digits):
                continue
            yield _Candidate(start, end, Kind.PHONE, rank)
    # International and unusual spellings that libphonenumber knows (+375 29 123-45-67, +49 30 1234567).
    try:
        matches = list(phonenumbers.PhoneNumberMatcher(text, "RU", leniency=phonenumbers.Leniency.VALID))
    except Exception:  # the library must never break publishing
        matches = []
    for found in matches:
        if not _toll_free(_digits(found.raw_string)):
            yield _Candidate(found.start, found.end, Kind.PHONE, 4)
    yield from _phones_in_words(text)


def _toll_free(digits: str) -> bool:
    """8-800 numbers are always an organisation's hotline, never a person's."""
    return len(digits) >= 11 and digits[1:4] == "800" and digits[0] in "78"


def _phones_in_words(text: str) -> Iterable[_Candidate]:
    """«восемь девятьсот двенадцать триста сорок пять шестьдесят семь восемьдесят девять», mixed with digits."""
    tokens = [(m.start(), m.end(), m.group().lower().replace("ё", "е"), m.group()) for m in
              _NUMBER_TOKEN.finditer(text)]
    run: list[tuple[int, int, str]] = []

    def flush() -> Iterable[_Candidate]:
        words = [t for t in run if not t[2][-1].isdigit()]
        digits = _words_to_digits([t[2] for t in run])
        if words and len(words) >= 2 and len(digits) >= 7:
            yield _Candidate(run[0][0], run[-1][1], Kind.PHONE, 5)

    previous_end = None
    for start, end, lower, _raw in tokens:
        is_number = lower.lstrip("+").isdigit() or lower in _NUMBER_WORDS_E
        if is_number and (previous_end is None or not run or _NUMBER_GAP.match(text[previous_end:start])):
            run.append((start, end, lower))
        else:
            yield from flush()
            run = [(start, end, lower)] if is_number else []
        previous_end = end
    yield from flush()


_NUMBER_WORDS_E = {word.replace("ё", "е"): value for word, value in _NUMBER_WORDS.items()}


def _words_to_digits(tokens: list[str]) -> str:
    """Digits spoken in groups: «девятьсот двенадцать» → 912, «ноль два» → 02, «восемь» → 8."""
    out: list[str] = []
    value: int | None = None
    slot = 4  # what may still follow in this group: 3 hundreds, 2 tens, 1 units (4: group is empty)
    for token in tokens:
        if token.lstrip("+").isdigit():
            if value is not None:
                out.append(str(value))
            value, slot = None, 4
            out.append(token.lstrip("+"))
            continue
        number = _NUMBER_WORDS_E[token]
        if number >= 100:
            kind = 3
        elif number >= 20:
            kind = 2
        elif number >= 10:
            kind = 1  # teens end a group
        else:
            kind = 0
        fits = value is not None and kind < slot and not (kind == 1 and slot <= 1) and number != 0
        if kind == 1 and value is not None and slot > 2:  # «сто двенадцать»
            fits = True
        if fits and value is not None:
            value += number
        else:
            if value is not None:
                out.append(str(value))
            value = number
        slot = {3: 3, 2: 1, 1: 0, 0: 0}[kind]
        if number == 0:
            out.append("0")
            value, slot = None, 4
    if value is not None:
        out.append(str(value))
    return "".join(out)


def _documents(text: str) -> Iterable[_Candidate]:
    for rank, pattern in enumerate(_PASSPORT_RES):
        for match in pattern.finditer(text):
            start, end = _group(match)
            yield _Candidate(start, end, Kind.PASSPORT, rank, _SHAPE_ONLY if rank == 2 else None)
    for match in _SNILS_FORMATTED.finditer(text):
        yield _Candidate(match.start(), match.end(), Kind.SNILS, 1)
    for match in _SNILS_LABELLED.finditer(text):
        yield _Candidate(*_group(match), Kind.SNILS, 0)
    for match in _INN_LABELLED.finditer(text):
        yield _Candidate(*_group(match), Kind.INN, 0)
    for match in _OMS_LABELLED.finditer(text):
        yield _Candidate(*_group(match), Kind.OMS_POLICY, 0)
    for match in _CARD_LABELLED.finditer(text):
        yield _Candidate(*_group(match), Kind.BANK_CARD, 0)
    for match in _CARD_SHAPE.finditer(text):
        digits = _digits(match.group())
        kind = Kind.BANK_CARD if _luhn_valid(digits) else Kind.OMS_POLICY if len(digits) == 16 else Kind.ID_NUMBER
        yield _Candidate(match.start(), match.end(), kind, 2, _SHAPE_ONLY)
    for rank, pattern in enumerate(_BIRTH_CERTIFICATE_RES):
        for match in pattern.finditer(text):
            yield _Candidate(*_group(match), Kind.BIRTH_CERTIFICATE, rank)
    for match in _LONG_NUMBER.finditer(text):
        if _PUBLIC_NUMBER_BEFORE.search(text[max(0, match.start() - 30):match.start()]):
            continue
        digits = match.group()
        if len(digits) == 11 and _snils_valid(digits) and digits[0] not in "78":
            kind = Kind.SNILS
        elif len(digits) == 12 and _inn_valid(digits):
            kind = Kind.INN
        elif len(digits) == 16:
            kind = Kind.BANK_CARD if _luhn_valid(digits) else Kind.OMS_POLICY
        elif len(digits) == 10 and _inn_valid(digits):
            kind = Kind.INN
        else:
            kind = Kind.ID_NUMBER
        yield _Candidate(match.start(), match.end(), kind, 3, _SHAPE_ONLY if kind != Kind.ID_NUMBER else None)


_RESIDENCE_BEFORE = re.compile(r"(?i)(?:живу|живём|живем|живёт|живет|живут|прожива\w*|прописан\w*|зарегистрирован\w*"
                               r"|адрес\w*|находимся|приезжайте)[\s:,]+(?:\w+\s+){0,2}$")


def _addresses(text: str) -> Iterable[_Candidate]:
    for rank, pattern in enumerate(_ADDRESS_RES):
        for match in pattern.finditer(text):
            start, end = _group(match)
            # A street without a house number («ул. Ленина перекрыта») is not someone's address, unless it is
            # said to be where they live («живу на ул. Ленина»).
            if rank == 0 and not re.search(r"\d", text[start:end]) and \
                    not _RESIDENCE_BEFORE.search(text[max(0, start - 40):start]):
                continue
            yield _Candidate(start, end, Kind.ADDRESS, rank)
    for match in _BARE_STREET.finditer(text):
        name = match.group("name")
        after_preposition = bool(re.search(r"(?i)(?:^|\s)(?:на|по)\s+$", text[max(0, match.start() - 4):match.start()]))
        if (_is_street_word(name) or (after_preposition and _is_feminine_adjective(name))) and \
                not _sentence_date(text, match.end("num")):
            yield _Candidate(match.start(), match.end(), Kind.ADDRESS, 9)


def _sentence_date(text: str, end: int) -> bool:
    """«Марта 2024» and the like: a month name followed by a year is a date."""
    return bool(re.match(r"\s*(?:19|20)\d{2}", text[end:end + 6]))


def _names(text: str) -> Iterable[_Candidate]:
    yield from _names_with_dates(text)
    # «ИВАНОВ ИВАН ИВАНОВИЧ 12.03.1985», «иванов иван 2015 г.р.»: the same rules on the words capitalised (the
    # shadow text has the same length, so the spans hold); only next to a date of birth.
    shadow = re.sub(r"[А-ЯЁа-яё]{2,}", lambda m: m.group().capitalize(), text)
    if shadow != text:
        yield from _names_with_dates(shadow, strict=True)
    for match in _FULL_NAME.finditer(text):
        words = match.group().split()
        if _is_name(words, strong=True) and any("Patr" in _name_tags(word) for word in words):
            yield _Candidate(match.start(), match.end(), Kind.FULL_NAME, 0)
    for match in _SURNAME_INITIALS.finditer(text):
        surname = _WORD.findall(match.group())
        if surname and "Surn" in _name_tags(surname[-1] if match.group()[1] == "." else surname[0]):
            yield _Candidate(match.start(), match.end(), Kind.FULL_NAME, 1)


def _names_with_dates(text: str, *, strict: bool = False) -> Iterable[_Candidate]:
    """Names next to a date of birth; `strict`: only a surname with a first name or patronymic (the words'
    capitals were made up, so a lone «Дан» or «Вера» proves nothing)."""
    for match in _NAME_DATE.finditer(text):
        words = _WORD.findall(match.group("name"))
        # Drop leading words that are not names («Сын Артём», «Дочь Иванова Мария» keeps the name part).
        name_start = match.start("name")
        while words and not _name_tags(words[0]):
            name_start = text.index(words[0], name_start) + len(words[0])
            words = words[1:]
        while name_start < match.end("name") and not text[name_start].isalpha():
            name_start += 1
        has_initials = bool(re.search(_INITIALS, match.group("name")))
        if strict and not _is_name(words, strong=True):
            continue
        if words and (_is_name(words, strong=False) or (has_initials and _is_name(words[:1], strong=False))):
            yield _Candidate(name_start, match.end(), Kind.NAME_WITH_BIRTHDATE, 0)
    for match in _DATE_NAME.finditer(text):
        words = _WORD.findall(match.group("name"))
        if strict and not _is_name(words, strong=True):
            continue
        if words and _is_name(words, strong=len(words) < 2 and not re.search(_BIRTH_MARK, match.group("date"))):
            yield _Candidate(match.start(), match.end(), Kind.NAME_WITH_BIRTHDATE, 1)


_DETECTORS = (_emails, _messengers, _phones, _documents, _addresses, _names)
_TRIM = " ,;:\t\n(«\"'"


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM + ").":
        if text[end - 1] == "." and _keeps_dot(text, end):
            break
        if text[end - 1] == ")" and text[start:end].count("(") >= text[start:end].count(")"):
            break
        end -= 1
    return start, end


def _keeps_dot(text: str, end: int) -> bool:
    """A dot that ends an abbreviation («г.р.», «И. И.», «д.») belongs to the finding."""
    before = text[max(0, end - 4):end - 1]
    return bool(re.search(r"(?:^|[\s.])[А-ЯЁа-яёA-Za-z]{1,3}$", before))


def detect(text: str, kinds: Iterable[Kind | str] | None = None) -> list[Finding]:
    """Personal data in `text`: non-overlapping findings in order of position (only `kinds`, if given)."""
    if not text:
        return []
    wanted = ALL_KINDS if kinds is None else frozenset(Kind(kind) for kind in kinds)
    candidates = [c for detector in _DETECTORS for c in detector(text)]
    candidates = [c for c in candidates if c.end > c.start]
    candidates.sort(key=lambda c: (c.order, -(c.end - c.start), c.rank, c.start))
    chosen: list[_Candidate] = []
    for candidate in candidates:
        start, end = _trim(text, candidate.start, candidate.end)
        if end <= start:
            continue
        overlapping = [other for other in chosen if start < other.end and other.start < end]
        if overlapping:
            # A longer address or name swallowing a shorter one of its own kind: keep the union.
            if all(other.kind == candidate.kind == Kind.ADDRESS for other in overlapping):
                for other in overlapping:
                    chosen.remove(other)
                start = min(start, *(o.start for o in overlapping))
                end = max(end, *(o.end for o in overlapping))
            else:
                continue
        chosen.append(_Candidate(start, end, candidate.kind, candidate.rank, candidate.priority))
    return [Finding(c.start, c.end, c.kind, text[c.start:c.end])
            for c in sorted(chosen, key=lambda c: c.start) if c.kind in wanted]


def contains_personal_data(text: str, kinds: Iterable[Kind | str] | None = None) -> bool:
    return bool(detect(text, kinds))


def placeholder(kind: Kind | str) -> str:
    """Placeholder text, always in the site's default language (it becomes published content)."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(PLACEHOLDERS[Kind(kind)])


def label(kind: Kind | str) -> str:
    return str(LABELS[Kind(kind)])


def mask(text: str, kinds: Iterable[Kind | str] | None = None) -> Masked:
    """Replace every finding (of `kinds`, if given) by its placeholder."""
    findings = detect(text, kinds)
    pieces: list[str] = []
    position = 0
    for finding in findings:
        pieces.append(text[position:finding.start])
        pieces.append(placeholder(finding.kind))
        position = finding.end
    pieces.append(text[position:])
    return Masked(text="".join(pieces), findings=findings)


def describe(findings: Iterable[Finding]) -> str:
    """«phone: «8-912-…»; address: «Ленина 5 кв 3»» for a message to a moderator."""
    return "; ".join(finding.describe() for finding in findings)


__all__ = ["ALL_KINDS", "CONTACT_KINDS", "DOCUMENT_KINDS", "Finding", "Kind", "Masked", "contains_personal_data",
           "describe", "detect", "label", "mask", "placeholder"]

"""Delivering notifications: who receives what, on which channel, exactly once.

`deliver(messages, day=…)` writes one Notification row per message, recipient and channel with a bulk insert
that skips conflicting keys, tagged with this call's run token; only the rows this call inserted are then sent
(an e-mail queued in OutboundMail in the same transaction, see portal.core.mail). Two runs at the same time —
two workers, a retried job, `portal remind` next to the scheduler — therefore never send one message twice:
the database's unique constraint decides which of them inserted the row.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from portal.core.mail import send_mail
from portal.notifications.messages import render
from portal.notifications.models import Channel, DigestItem, Notification, OptOut

BATCH = 2000


@dataclass(frozen=True)
class Recipient:
    """A person with an account (`user:<id>`: e-mail to the account's address and the in-app list) or an
    e-mail address only (`mail:<address>`: an organisation's address, a contact, a specialist, a benefactor)."""

    address: str
    user_id: int | None = None
    email: str = ""
    language: str = ""

    @property
    def is_user(self) -> bool:
        return self.user_id is not None


@dataclass
class Message:
    """What is told (`key`: kind, object, level, date…) and to whom."""

    key: str
    kind: str
    params: dict[str, Any]
    recipients: Sequence[Recipient]
    object_type: str = ""
    object_id: str = ""
    link: str = ""
    channels: tuple[str, ...] = (Channel.EMAIL, Channel.IN_APP)
    extra: dict[str, Any] = field(default_factory=dict)


def user_recipients(user_ids: Iterable[int]) -> list[Recipient]:
    """Active accounts as recipients (e-mail to the account's address, and the in-app list)."""
    ids = sorted(set(user_ids))
    if not ids:
        return []
    users = get_user_model().objects.filter(pk__in=ids, is_active=True).values_list("pk", "email")
    return [Recipient(address=f"user:{pk}", user_id=pk, email=email or "") for pk, email in users]


def mail_recipients(addresses: Iterable[str]) -> list[Recipient]:
    """Addresses as recipients; an address that is some active account's is that account (its opt-outs apply
    and it gets the in-app message too)."""
    cleaned = list(dict.fromkeys(address.strip().lower() for address in addresses if address and address.strip()))
    if not cleaned:
        return []
    accounts = dict(get_user_model().objects.filter(email__in=cleaned, is_active=True)
                    .values_list("email", "pk").order_by("-pk"))
    recipients = []
    for address in cleaned:
        pk = accounts.get(address)
        recipients.append(Recipient(address=f"user:{pk}", user_id=pk, email=address) if pk
                          else Recipient(address=f"mail:{address}", email=address))
    return recipients


def merge(*groups: Iterable[Recipient]) -> list[Recipient]:
    """Recipients without repeats (an account listed twice, or as an account and as its address)."""
    seen: dict[str, Recipient] = {}
    for group in groups:
        for recipient in group:
            seen.setdefault(recipient.address, recipient)
    return list(seen.values())


def _opted_out(messages: Sequence[Message]) -> set[tuple[int, str, str]]:
    user_ids = {r.user_id for m in messages for r in m.recipients if r.user_id is not None}
    kinds = {m.kind for m in messages}
    if not user_ids:
        return set()
    return set(OptOut.objects.filter(user_id__in=user_ids, kind__in=kinds).values_list("user_id", "kind", "channel"))


def deliver(messages: Sequence[Message], *, day: date) -> list[Notification]:
    """Record and send `messages` on `day`; returns the rows this call inserted (empty for what was already
    told). One transaction: the e-mails are queued with their rows, or neither."""
    if not messages:
        return []
    run = uuid.uuid4().hex
    opted_out = _opted_out(messages)
    rows: list[Notification] = []
    for message in messages:
        for recipient in message.recipients:
            for channel in message.channels:
                if channel == Channel.IN_APP and not recipient.is_user:
                    continue
                if channel == Channel.EMAIL and not recipient.email:
                    continue
                if recipient.user_id is not None and (recipient.user_id, message.kind, channel) in opted_out:
                    continue
                rows.append(Notification(
                    key=message.key, kind=message.kind, channel=channel, recipient=recipient.address,
                    user_id=recipient.user_id, object_type=message.object_type, object_id=message.object_id,
                    params=message.params, link=message.link, day=day, run=run,
                    language=recipient.language))
    with transaction.atomic():
        for start in range(0, len(rows), BATCH):
            Notification.objects.bulk_create(rows[start:start + BATCH], ignore_conflicts=True)
        inserted = list(Notification.objects.filter(run=run).order_by("pk"))
        emails = {m.key: m for m in messages}
        for row in inserted:
            rendered = render(row.kind, {**row.params, "link": row.link}, language=row.language or None,
                              opt_out=row.user_id is not None)
            row.subject = rendered.subject
            if row.channel == Channel.EMAIL:
                address = row.recipient.removeprefix("mail:") if row.recipient.startswith("mail:") else next(
                    r.email for r in emails[row.key].recipients if r.address == row.recipient)
                row.mail = send_mail(to=[address], subject=rendered.subject, body=rendered.body,
                                     kind=f"notifications.{row.kind}")
        Notification.objects.bulk_update(inserted, ["subject", "mail"], batch_size=BATCH)
    return inserted


def record_undelivered(*, key: str, kind: str, organisation_id: int, object_type: str, object_id: str,
                       params: dict[str, Any], day: date) -> bool:
    """Keep that an organisation could not be told (no address): the coordinator sees «организация не
    уведомлена». True when this call recorded it (first time)."""
    run = uuid.uuid4().hex
    Notification.objects.bulk_create([Notification(
        key=key, kind=kind, channel=Channel.NONE, recipient=f"org:{organisation_id}", object_type=object_type,
        object_id=object_id, params=params, day=day, run=run)], ignore_conflicts=True)
    return Notification.objects.filter(run=run).exists()


def claim_items(recipient: str, items: Iterable[str]) -> list[str]:
    """Of `items`, those not yet told to `recipient`, marked told now (at most once across concurrent runs)."""
    wanted = list(dict.fromkeys(items))
    if not wanted:
        return []
    known = set()
    for start in range(0, len(wanted), BATCH):
        known |= set(DigestItem.objects.filter(recipient=recipient, item__in=wanted[start:start + BATCH])
                     .values_list("item", flat=True))
    fresh = [item for item in wanted if item not in known]
    if not fresh:
        return []
    run = uuid.uuid4().hex
    DigestItem.objects.bulk_create([DigestItem(recipient=recipient, item=item, run=run) for item in fresh],
                                   ignore_conflicts=True, batch_size=BATCH)
    return list(DigestItem.objects.filter(run=run).order_by("pk").values_list("item", flat=True))


def known_keys(keys: Iterable[str]) -> set[str]:
    """Which of `keys` were already told to somebody (any recipient, any channel)."""
    wanted = list(dict.fromkeys(keys))
    known: set[str] = set()
    for start in range(0, len(wanted), BATCH):
        known |= set(Notification.objects.filter(key__in=wanted[start:start + BATCH])
                     .values_list("key", flat=True).distinct())
    return known

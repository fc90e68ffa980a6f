"""Brute-force detection of the development realm, as Keycloak does it from the realm file's settings.

Per user (failures of unknown usernames are not counted, as in Keycloak): a failure within
`maxDeltaTimeSeconds` of the previous one adds to the count, otherwise the count starts again. Every
`failureFactor` failures lock the user for `waitIncrementSeconds` × (failures // failureFactor), at most
`maxFailureWaitSeconds`; two failures less than `quickLoginCheckMilliSeconds` apart lock for at least
`minimumQuickLoginWaitSeconds`. With `permanentLockout` the user is disabled instead, after
`maxTemporaryLockouts` temporary lockouts (0: at the first lockout). A successful sign-in clears the count.
While locked, every attempt is refused like a wrong password (the right one too), without adding to the count.
Nothing of this applies unless the realm sets `bruteForceProtected`.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

#: Keycloak's defaults (RealmRepresentation) for the settings a realm file may leave out.
DEFAULTS: dict[str, int | bool] = {
    "bruteForceProtected": False,
    "permanentLockout": False,
    "maxTemporaryLockouts": 0,
    "failureFactor": 30,
    "waitIncrementSeconds": 60,
    "maxFailureWaitSeconds": 900,
    "minimumQuickLoginWaitSeconds": 60,
    "quickLoginCheckMilliSeconds": 1000,
    "maxDeltaTimeSeconds": 43200,
}


@dataclass
class Failures:
    count: int = 0
    last: float = 0.0  # seconds
    not_before: float = 0.0
    temporary_lockouts: int = 0
    disabled: bool = False


@dataclass
class BruteForceProtector:
    failures: dict[str, Failures] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @staticmethod
    def policy(realm: dict[str, Any]) -> dict[str, Any]:
        return {name: realm.get(name, default) for name, default in DEFAULTS.items()}

    def locked(self, realm: dict[str, Any], user_id: str, now: float | None = None) -> bool:
        policy = self.policy(realm)
        if not policy["bruteForceProtected"]:
            return False
        now = time.time() if now is None else now
        with self.lock:
            entry = self.failures.get(user_id)
            return entry is not None and (entry.disabled or entry.not_before > now)

    def failure(self, realm: dict[str, Any], user_id: str, now: float | None = None) -> None:
        policy = self.policy(realm)
        if not policy["bruteForceProtected"]:
            return
        now = time.time() if now is None else now
        factor = max(1, int(policy["failureFactor"]))
        with self.lock:
            entry = self.failures.setdefault(user_id, Failures())
            delta = now - entry.last if entry.last else 0.0
            entry.last = now
            if policy["permanentLockout"] and int(policy["maxTemporaryLockouts"]) == 0:
                entry.count += 1
                if entry.count >= factor:
                    entry.disabled = True
                return
            entry.count = entry.count + 1 if delta and delta < int(policy["maxDeltaTimeSeconds"]) else 1
            wait = int(policy["waitIncrementSeconds"]) * (entry.count // factor)
            if wait > 0 and entry.count % factor == 0:
                entry.temporary_lockouts += 1
            if 0 < delta * 1000 < int(policy["quickLoginCheckMilliSeconds"]):
                wait = max(wait, int(policy["minimumQuickLoginWaitSeconds"]))
            if (policy["permanentLockout"] and wait > 0
                    and entry.temporary_lockouts > int(policy["maxTemporaryLockouts"])):
                entry.disabled = True
                return
            wait = min(wait, int(policy["maxFailureWaitSeconds"]))
            if wait > 0:
                entry.not_before = now + wait

    def success(self, user_id: str) -> None:
        with self.lock:
            entry = self.failures.get(user_id)
            if entry is not None and not entry.disabled:
                del self.failures[user_id]

    def clear(self) -> None:
        with self.lock:
            self.failures.clear()


PROTECTOR = BruteForceProtector()

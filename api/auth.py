"""Bearer tokens: locally signed JWTs by default; the verifier is pluggable (e.g. ЕСИА OIDC)."""

from __future__ import annotations

import base64
import json
import threading
import time
from enum import StrEnum
from typing import Protocol

import jwt
import msgspec


class Role(StrEnum):
    ADMIN = "admin"
    SCHOOL_ADMIN = "school-admin"
    TEACHER = "teacher"
    PARENT = "parent"
    STUDENT = "student"
    AUDITOR = "auditor"
    EXPORTER = "exporter"


class Principal(msgspec.Struct, frozen=True):
    """Who calls: a subject (person id or service name), a role, maybe a school."""

    subject: str
    role: Role
    school_id: str | None = None

    @property
    def actor(self) -> str:
        return self.subject


class InvalidToken(Exception):
    pass


class TokenVerifier(Protocol):
    def verify(self, token: str) -> Principal: ...


class LocalTokens:
    """HS256 tokens signed with the deployment secret."""

    issuer = "zhurnal"

    def __init__(self, secret: str, ttl_seconds: int = 30 * 24 * 3600) -> None:
        if len(secret) < 32:
            raise ValueError("the deployment secret must be at least 32 characters")
        self.secret = secret
        self.ttl_seconds = ttl_seconds

    def mint(
        self, subject: str, role: Role, school_id: str | None = None,
        ttl_seconds: int | None = None,
    ) -> str:
        now = int(time.time())
        claims: dict[str, object] = {
            "sub": subject, "role": role.value, "iss": self.issuer, "iat": now,
            "exp": now + (self.ttl_seconds if ttl_seconds is None else ttl_seconds),
        }
        if school_id:
            claims["school_id"] = school_id
        return jwt.encode(claims, self.secret, algorithm="HS256")

    def verify(self, token: str) -> Principal:
        try:
            claims = jwt.decode(
                token, self.secret, algorithms=["HS256"], issuer=self.issuer,
                options={"require": ["exp", "sub", "role"]},
            )
            return Principal(
                subject=str(claims["sub"]), role=Role(claims["role"]),
                school_id=claims.get("school_id"),
            )
        except (jwt.PyJWTError, ValueError, KeyError) as error:
            raise InvalidToken(str(error)) from None


class CachingVerifier:
    """Remembers the tokens `inner` accepted, each until its `exp` (at most `seconds`): a
    client sends the same token with every request, and verifying it again (HMAC, claims,
    maybe an RSA signature) costs more than the rest of a cached read. Refusals are not
    remembered. `knows` tells whether `verify` would answer from memory (no I/O)."""

    def __init__(self, inner: TokenVerifier, seconds: float = 300.0, size: int = 50_000) -> None:
        self.inner, self.seconds, self.size = inner, seconds, size
        self._known: dict[str, tuple[Principal, float]] = {}
        self._lock = threading.Lock()

    def knows(self, token: str) -> bool:
        return self.remembered(token) is not None

    def remembered(self, token: str) -> Principal | None:
        """The principal of a token accepted before and not yet expired, else None."""
        found = self._known.get(token)
        return found[0] if found is not None and found[1] > time.time() else None

    def verify(self, token: str) -> Principal:
        known = self.remembered(token)
        if known is not None:
            return known
        principal = self.inner.verify(token)
        until = min(time.time() + self.seconds, _expiry(token))
        with self._lock:
            if len(self._known) >= self.size:  # bounded: forget the oldest half
                for stale in list(self._known)[: self.size // 2]:
                    self._known.pop(stale, None)
            self._known[token] = (principal, until)
        return principal


def _expiry(token: str) -> float:
    """The `exp` of a token already verified (no expiry: 0, so it is not remembered)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return float(claims["exp"])
    except (IndexError, KeyError, TypeError, ValueError):
        return 0.0

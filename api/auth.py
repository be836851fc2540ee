"""Bearer tokens: locally signed JWTs by default; the verifier is pluggable (e.g. ЕСИА OIDC)."""

from __future__ import annotations

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

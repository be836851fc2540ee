"""Events encoded with msgspec: typed decoding gives back dates, UUIDs, decimals and structs."""

from __future__ import annotations

import typing
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any, ClassVar
from uuid import UUID

import msgspec
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Mapper, MapperDeserialisationError, StoredEvent, Transcoder
from eventsourcing.utils import get_topic, resolve_topic

from infra.personal_data import ERASED_FLAG, SEALED, PersonalData, personal_data_for

_ID_FIELDS = ("originator_id", "originator_version")
_encoder = msgspec.json.Encoder()


class NullTranscoder(Transcoder):
    """The library insists on a transcoder; the msgspec mapper does not use it."""

    def encode(self, obj: Any) -> bytes:  # pragma: no cover - never called
        raise NotImplementedError

    def decode(self, data: bytes) -> Any:  # pragma: no cover - never called
        raise NotImplementedError


@cache
def _state_decoder(cls: type) -> tuple[msgspec.json.Decoder[Any], tuple[str, ...]]:
    """A decoder for the stored state of one event class, from its type hints."""
    hints = typing.get_type_hints(cls)
    fields = [
        (name, hint)
        for name, hint in hints.items()
        if name not in _ID_FIELDS and typing.get_origin(hint) is not ClassVar
    ]
    struct = msgspec.defstruct(f"{cls.__name__}State", fields, forbid_unknown_fields=False)
    return msgspec.json.Decoder(struct), tuple(name for name, _ in fields)


class MsgspecMapper(Mapper[UUID]):
    """Selected with MAPPER_TOPIC; keeps the library's cipher and compressor.

    Bound to the journal's environment, it also seals a person's personal data with the
    person's own key (infra/personal_data.py) before the library's cipher applies."""

    personal_data: PersonalData | None = None

    def bind_environment(self, env: Mapping[str, str]) -> None:
        """Called by the journal (domain/commands/erasure.py): keys live beside the log."""
        self.personal_data = personal_data_for(env)

    def forget_person(self, person_id: UUID) -> bool:
        """Destroy the person's personal-data key (crypto-shredding)."""
        return self.personal_data.forget(person_id) if self.personal_data else False

    def close(self) -> None:
        if self.personal_data is not None:
            self.personal_data.close()

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        state = dict(vars(domain_event))
        originator_id = state.pop("originator_id")
        originator_version = state.pop("originator_version")
        topic = get_topic(type(domain_event))
        if self.personal_data is not None and topic in self.personal_data.topics:
            self.personal_data.seal(topic, originator_id, originator_version, state)
        data = _encoder.encode(state)
        if self.compressor:
            data = self.compressor.compress(data)
        if self.cipher:
            data = self.cipher.encrypt(data)
        return StoredEvent(
            originator_id=originator_id,
            originator_version=originator_version,
            topic=topic,
            state=data,
        )

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        return self._decode(stored_event, None)

    def to_domain_events(
        self, stored_events: Sequence[StoredEvent],
    ) -> list[DomainEventProtocol[UUID]]:
        """`to_domain_event` of each, the personal-data keys of their people read with one
        query for all (a catch-up has a Person event every few hundred), not one each."""
        keys: Mapping[UUID, bytes] | None = None
        if self.personal_data is not None:
            keys = self.personal_data.keys_for({
                _uuid(event.originator_id) for event in stored_events
                if event.topic in SEALED})
        return [self._decode(event, keys) for event in stored_events]

    def _decode(self, stored_event: StoredEvent,
                keys: Mapping[UUID, bytes] | None) -> DomainEventProtocol[UUID]:
        cls = resolve_topic(stored_event.topic)
        data = stored_event.state
        try:
            if self.cipher:
                data = self.cipher.decrypt(data)
            if self.compressor:
                data = self.compressor.decompress(data)
            erased = False
            if self.personal_data is not None and stored_event.topic in self.personal_data.topics:
                data, erased = self.personal_data.open(
                    stored_event.topic, _uuid(stored_event.originator_id),
                    stored_event.originator_version, data, keys)
            decoder, _names = _state_decoder(cls)
            decoded = decoder.decode(data)
        except Exception as error:
            raise MapperDeserialisationError(
                f"cannot decode {stored_event.topic} {stored_event.originator_id}"
                f" v{stored_event.originator_version}: {error}"
            ) from error
        state = msgspec.structs.asdict(decoded)
        originator_id = stored_event.originator_id
        state["originator_id"] = (
            originator_id if isinstance(originator_id, UUID) else UUID(str(originator_id))
        )
        state["originator_version"] = stored_event.originator_version
        if erased:
            state[ERASED_FLAG] = True
        event = object.__new__(cls)
        object.__setattr__(event, "__dict__", state)
        return typing.cast("DomainEventProtocol[UUID]", event)


def _uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))

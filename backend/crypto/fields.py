"""Model fields for personal identifiers: encrypted at rest, found through a keyed hash.

For domain authors — any identifier of the kind of a phone number or a NIK (an ID-card
number, a land-certificate number, a bank account) is declared as a pair::

    class Farmer(ProtectedModel):
        kartu_tani = EncryptedField(context="farmer.kartu_tani", null=True)
        kartu_tani_hash = LookupHashField(source="kartu_tani", null=True, unique=True)

- ``EncryptedField`` stores AES-256-GCM ciphertext and reads back the plain value: code uses
  ``farmer.kartu_tani`` as a string. ``context`` is bound into the ciphertext: keep it stable
  (it names the data, not the Python attribute). The column cannot be filtered on — the
  ciphertext is different every time — and a filter on it raises ``TypeError``. Rows are
  decrypted as models are built; ``values()``/``values_list()`` return the stored ciphertext.
- ``LookupHashField`` holds the HMAC of the normalised value under the current data key; it is
  computed from ``source`` whenever the row is saved, so it never drifts from the value. Find
  rows with ``Farmer.filter(Farmer.identified_by(kartu_tani=value))`` — one indexed query,
  correct during a key rotation (it matches the hashes under every key). Uniqueness goes on
  the hash field.
- ``ProtectedModel`` adds ``identified_by`` and saves a hash whenever its value is saved with
  ``update_fields``. A queryset ``.update(field=…)`` bypasses both: write through ``save()``.
- ``batt keys rotate`` finds every model with encrypted fields (``encrypted_models()``) and
  re-encrypts its rows; nothing to register.

Normalise before storing (E.164 for phones, digits for a NIK): the hash is of the exact text.
"""

from __future__ import annotations

from typing import Any

from tortoise import Tortoise, fields
from tortoise.expressions import Q
from tortoise.models import Model

from backend.crypto.keys import keyring


class EncryptedField(fields.Field[str], str):  # type: ignore[misc]
    """A text value stored encrypted (see the module docstring)."""

    indexable = False
    SQL_TYPE = "TEXT"

    def __init__(self, context: str, **kwargs: Any) -> None:
        if kwargs.get("unique") or kwargs.get("db_index"):
            raise TypeError("EncryptedField cannot be unique or indexed: put that on its "
                            "LookupHashField")
        self.context = context
        super().__init__(**kwargs)

    def to_db_value(self, value: Any, instance: Any) -> str | None:
        if value is None:
            return None
        if isinstance(instance, type):
            # A filter: ciphertext is randomised, so equality can never match. Say how instead.
            raise TypeError(
                f"cannot filter on the encrypted field {self.context}: use "
                f"{instance.__name__}.identified_by(...) (its LookupHashField)"
            )
        return keyring().encrypt(str(value), self.context)

    def to_python_value(self, value: Any) -> str | None:
        # Values given to the constructor are plain; rows read from the database are decrypted
        # as the model is built (ProtectedModel._init_from_db), the one path every load takes.
        return value

    def decrypt(self, stored: str | None) -> str | None:
        return None if stored is None else keyring().decrypt(stored, self.context)


class LookupHashField(fields.CharField):
    """The keyed hash of another field's value, for equality look-ups and uniqueness."""

    def __init__(self, source: str, **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", 64)
        super().__init__(**kwargs)

    def purpose(self, model: type[Model]) -> str:
        return model._meta.fields_map[self.source].context  # type: ignore[attr-defined]

    def to_db_value(self, value: Any, instance: Any) -> str | None:
        if isinstance(instance, Model):
            # Saving a row: the hash follows the value it belongs to, whatever was assigned.
            plain = getattr(instance, self.source)
            digest = None if plain is None else keyring().lookup_hash(
                str(plain), self.purpose(type(instance)))
            setattr(instance, self.model_field_name, digest)
            return digest
        # A filter or queryset update: the caller passed hashes (see identified_by).
        return value


class ProtectedModel(Model):
    """A model with encrypted identifiers: look-ups by value, consistent partial saves."""

    class Meta:
        abstract = True

    @classmethod
    def _hash_field_for(cls, source: str) -> str:
        for name, field in cls._meta.fields_map.items():
            if isinstance(field, LookupHashField) and field.source == source:
                return name
        raise TypeError(f"{cls.__name__}.{source} has no LookupHashField")

    @classmethod
    def lookup_hashes(cls, source: str, value: str) -> list[str]:
        """The hashes ``value`` of field ``source`` may be stored under (one per data key)."""
        purpose = cls._meta.fields_map[source].context  # type: ignore[attr-defined]
        return keyring().lookup_hashes(str(value), purpose)

    @classmethod
    def identified_by(cls, **values: str) -> Q:
        """``Q`` matching rows whose protected field equals the value (all given must match),
        e.g. ``User.identified_by(phone="+62812…")``."""
        return Q(*(
            Q(**{f"{cls._hash_field_for(source)}__in": cls.lookup_hashes(source, value)})
            for source, value in values.items()
        ))

    @classmethod
    def _init_from_db(cls, **kwargs: Any) -> Any:
        instance = super()._init_from_db(**kwargs)
        for name, field in cls._meta.fields_map.items():
            if isinstance(field, EncryptedField) and name in instance.__dict__:
                object.__setattr__(instance, name, field.decrypt(instance.__dict__[name]))
        return instance

    async def save(self, *args: Any, update_fields: Any = None, **kwargs: Any) -> None:
        if update_fields:
            partners = [
                name for name, field in self._meta.fields_map.items()
                if isinstance(field, LookupHashField) and field.source in update_fields
            ]
            update_fields = list(dict.fromkeys([*update_fields, *partners]))
        await super().save(*args, update_fields=update_fields, **kwargs)


def encrypted_models() -> list[tuple[type[Model], list[str]]]:
    """Every installed model with encrypted fields, and those fields' names."""
    found = []
    for models in Tortoise.apps.values():
        for model in models.values():
            names = [name for name, f in model._meta.fields_map.items()
                     if isinstance(f, EncryptedField)]
            if names:
                found.append((model, names))
    return sorted(found, key=lambda item: item[0]._meta.db_table)

"""Partial updates: which fields a PUT/PATCH body set, refusing null where a field needs
a value (PUT and PATCH both change only the fields they carry, as the reference does)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from tt.common.errors import ValidationFailed


def changes(payload: BaseModel, *, required: tuple[str, ...] = ()) -> dict[str, Any]:
    """The fields the body carried, with their values; null on a ``required`` field is 400."""
    values = {name: getattr(payload, name) for name in payload.model_fields_set}
    nulls = {
        name: ["Must not be null"] for name in required if name in values and values[name] is None
    }
    if nulls:
        raise ValidationFailed(nulls)
    return values


def apply(target: Any, values: dict[str, Any]) -> bool:
    """Set ``values`` on ``target``; whether anything actually changed."""
    changed = False
    for name, value in values.items():
        if getattr(target, name) != value:
            setattr(target, name, value)
            changed = True
    return changed

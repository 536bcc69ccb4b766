"""Errors raised by the store. Each names the field (or id) at fault; nothing is written when one is raised."""

from __future__ import annotations


class StoreError(Exception):
    """Base class: a clear message, and the name of the offending field when there is one."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class FieldError(StoreError):
    """A value is missing, malformed or too long."""


class CodeError(FieldError):
    """A corrected code is not a valid, billable code of its system."""


class NotFoundError(StoreError):
    """An id (case, prediction, review, job) does not exist."""


class ConflictError(StoreError):
    """The write contradicts stored state (editing a review that was already edited, a duplicate, ...)."""


class BusyError(StoreError):
    """The database stayed locked through every retry."""


def check_text(value, field: str, max_chars: int, *, required: bool = False) -> str:
    """Return `value` as a stripped-or-not string after type, presence and length checks."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise FieldError(f"{field} must be a string, got {type(value).__name__}", field)
    if required and not value.strip():
        raise FieldError(f"{field} is required and must not be empty", field)
    if len(value) > max_chars:
        raise FieldError(f"{field} is too long: {len(value):,} characters (limit {max_chars:,})", field)
    return value

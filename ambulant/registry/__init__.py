"""Persistence for the resources coordinators edit: staff, shifts, patients, care plans, visits.

Every function is keyword-only after the session and never commits: the caller (an API request,
a CLI command) owns the transaction. Bad references raise InvalidInput naming the field;
deleting something still referenced raises Conflict.
"""

from ambulant.registry.pagination import MAX_LIMIT, Page

__all__ = ["MAX_LIMIT", "Page"]

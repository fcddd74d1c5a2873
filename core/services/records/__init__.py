"""Records: the audit trail, backup and restore, archive limits, idempotency keys and spreadsheet
safety.
May use: no other services package."""

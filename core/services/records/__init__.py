"""Records: the audit trail, backup and restore, archive limits, idempotency keys, spreadsheet
safety and the tables written into spreadsheets.
May use: no other services package."""

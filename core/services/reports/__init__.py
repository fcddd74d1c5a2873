"""The committee report and the annual report: their data as at a date, their sections, and
their formats.
May use: accounts, improvement, kpis, plans, progress, records, tric."""

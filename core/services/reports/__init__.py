"""The committee report: its data as at a date, its sections, and its formats.
May use: improvement, kpis, plans, progress, records."""

"""The committee report: its data as at a date, its sections, and its formats.
May use: kpis, plans, progress, records."""

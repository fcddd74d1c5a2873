"""Demonstration data: synthetic areas and plans, labelled as such.
May use: kpis, records."""

"""TRIC PG5: the shared actions, their adoption, the rollup and its export.
May use: accounts, plans, progress, records, reports."""

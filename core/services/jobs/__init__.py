"""The job queue: slow or external work (reports in PDF and Word, emails, webhook messages, KPI
figures pulled from the areas' systems) saved as rows and run by workers (``cpc worker``, or a
thread of the web process), any number at once, each job by one of them.
May use: kpis, plans, reports."""

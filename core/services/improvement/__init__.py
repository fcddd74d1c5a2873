"""Where improvement comes from: recommendations and the actions answering them
(traceability), each area's register of learning reviews, and self-evaluation against quality
frameworks (activities, ratings, evidence, and the indicators actions and KPIs serve).
May use: accounts, kpis, plans, progress, records."""

"""Where improvement comes from: recommendations and the actions answering them
(traceability), and each area's register of learning reviews.
May use: accounts, plans, progress, records."""

"""The journal: entries, plans, summaries and leave as revisions on a per-cadre hash chain."""

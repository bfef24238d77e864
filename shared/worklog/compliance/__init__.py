"""Compliance: what is owed and missing, the escalation ladder, reviews and signals for reviewers."""

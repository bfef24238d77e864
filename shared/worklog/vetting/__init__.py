"""Vetting notices (干部任前公示): the notices, the public's feedback on them and its rate limits."""

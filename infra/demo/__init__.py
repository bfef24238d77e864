"""The demo district's history for the local runtime (never deployed).

``plan`` decides, from a seed and a day, everything the district's people did over the last three
full months and the current one: what each cadre logged and when (``journal`` writes
the text), and what the reviewers, case holders, inspectors and evaluators decided. ``replay``
carries the plan out in time order through the system's own services — the nightly check, the
weekly review run, verdicts, reminder talks, the quarterly draw, findings, evaluations — each with
its clock set to the moment it happened. ``loader`` puts it all into the local runtime's embedded
AWS and renders the public site.
"""

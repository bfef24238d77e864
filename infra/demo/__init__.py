"""The demo district and its history for the local runtime, the tests and the benchmark (never
deployed: none of it is in the Lambda layer).

``district`` draws the units and cadres (its tables in ``district_data``) and ``journal`` what each
cadre logged. ``plan`` decides, from a seed and a day, everything the district's people did over
the last three full months and the current one: the journal shaped by a few storylines, and
(``decisions``) what the reviewers, case holders, inspectors and evaluators decided. ``replay``
carries the plan out in time order through the system's own services — the nightly check, the
weekly review run, verdicts, reminder talks, the quarterly draw, findings, evaluations — each with
its clock set to the moment it happened. ``loader`` puts it all into the local runtime's embedded
AWS and renders the public site.
"""

"""The garbage collector rests while a handler's modules load.

A cold start imports some 1,500 modules and creates a few hundred thousand objects (classes, their
functions, pydantic's field descriptions, botocore's tables), and nearly all of them live as long
as the container. CPython's collector runs every few hundred new container objects and walks the
young ones each time, and every so often all of them: some 40–50 collections at each cold start,
that free next to nothing and cost about a tenth of a handler's import (docs/benchmarks.md, "Cold
import, fourth pass").

So each handler imports this module first, which pauses the collector, and calls :func:`done` at
its end, which moves every object alive then into the collector's permanent generation
(``gc.freeze``) and turns it on again. Without the freeze the pause would only postpone the work:
the objects created meanwhile would all be young, and the first collection after it would walk
every one of them. Frozen, they are never walked again, by the young collections nor by the full
ones of the container's later requests; and they were to live as long as the container anyway.

Importing this module more than once in a process (a test session imports many handlers) pauses it
only the first time; :func:`done` turns it on only if it was on when the pause began, so code that
turned it off itself is left as it was. A handler whose import fails leaves it paused, in a
container Lambda then throws away.
"""

import gc

_WAS_ENABLED = gc.isenabled()
gc.disable()


def done() -> None:
    """The handler's modules are loaded: the collector works as usual from now on."""
    gc.freeze()
    if _WAS_ENABLED:
        gc.enable()

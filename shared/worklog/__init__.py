"""worklog: the common package of the cadre work-log system (deployed as a Lambda layer)."""

__version__ = "0.1.0"

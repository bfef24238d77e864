"""The archive: every revision, whole and unmasked, appended nightly to the ledger bucket, locked."""

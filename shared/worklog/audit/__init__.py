"""Audits: the quarterly random, verifiable sample (双随机) of cadres, their entries and inspectors."""

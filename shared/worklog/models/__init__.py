"""Pydantic models: inputs (extra="forbid"), outputs and stored records, one module per concept."""

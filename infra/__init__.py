"""How template.yaml becomes running resources: locally (embedded AWS) and on AWS."""

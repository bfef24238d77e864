"""The public disclosure site: policy, rendering, tamper evidence, publishing."""

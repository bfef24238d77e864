"""CloudFormation for the local stack.

``source``: the template decoded by cfn-lint and expanded by the SAM translator (the libraries that
read and transform it in the real toolchain). ``intrinsics``: the one thing they leave, a small
evaluator of intrinsic functions for one stack name, region and parameter values. ``resources``:
``create_table`` / ``create_bucket`` / ... arguments and their creation under moto.
"""

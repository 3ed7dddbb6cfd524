"""AWS's own create-time rules as data, each with its source (P11).

Physical-name limits, allowed values and enumerations that AWS (or the Terraform provider
pulumi-aws wraps) enforces when a resource is created: the preflight policies use them to catch
a bad value in any program before `pulumi up`, and the program's config loader uses the same
data to refuse a bad stack config before any resource is registered. Pure data and small pure
functions: nothing here imports Pulumi or the rest of the project.
"""

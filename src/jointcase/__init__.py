"""JointCase: shared, secure case management for terrorist and terrorist-risk offenders."""

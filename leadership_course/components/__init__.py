"""The widgets learners use: one component family per module."""

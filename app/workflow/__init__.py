"""Workflow service: the rules for changing claims (see service.py) and the queue queries."""

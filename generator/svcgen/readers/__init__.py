"""Readers: each turns one input format into chart values plus a report of what it converted."""

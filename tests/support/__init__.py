"""Helpers shared by several test modules (imported from here, never from another test module)."""

"""Moderation: the teacher's queue, decisions with their audit trail, and flags (/moderation)."""

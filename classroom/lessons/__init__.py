"""Lesson plans, their timestamped prompts and the stance poll (/lessons)."""

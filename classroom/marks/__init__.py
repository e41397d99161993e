"""Marks: each assignment's marking scheme and the marks teachers give."""

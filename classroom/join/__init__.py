"""Joining a class by code or link, the welcome with the return code, and coming back with it (/join)."""

"""Classes, their join codes, the assignments given to them, and the roster (/classes)."""

"""A student's own pages: their assignments, the stance question, reflections, and the captions file (/student)."""

"""The students' area: joining, the assignment page with its prompts, reflections, and the roster."""

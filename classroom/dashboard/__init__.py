"""The teacher's dashboard: completion, counts, cited moments, stance shift, themes and exports."""

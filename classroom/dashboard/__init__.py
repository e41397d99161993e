"""The teacher's dashboards: completion, counts, cited moments, stance shift, themes and exports (/dashboard)."""

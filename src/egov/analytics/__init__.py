"""Smart Data: the government's analytics (sources, datasets, quality, indicators, dashboards)."""

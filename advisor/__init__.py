"""KPI Advisor: advisor package."""

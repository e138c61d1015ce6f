"""KPI Advisor: rules package."""

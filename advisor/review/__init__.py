"""Review statistics: period labels, XmR limits and signals, forecasts and target probabilities."""

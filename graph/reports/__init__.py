"""Reports of the gateway: the monthly report, quarterly monitoring, social passport, partner performance."""

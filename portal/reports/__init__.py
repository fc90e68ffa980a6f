"""Statutory reports, effectiveness monitoring, the social passport of the territory, partner performance."""

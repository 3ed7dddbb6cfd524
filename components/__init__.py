"""ComponentResources of the secure foundation, one per tier, and the small shared pieces."""

"""The taint engine's analysis: per-function flow summaries, linked across the project."""

"""Evaluation: the statistics and reports every mode shares."""

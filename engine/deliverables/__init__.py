"""Consultant tools built on the pipeline: questionnaire, batch, compare."""

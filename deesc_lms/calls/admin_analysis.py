"""Admin for triggers and escalation flags."""

"""Admin for agents, calls and utterances."""

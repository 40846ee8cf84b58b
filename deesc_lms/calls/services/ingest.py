"""Getting calls in: files and transcripts, transcription, clips."""
